/**
 * Reads an NDJSON body (one JSON object per line) as an async iterator.
 *
 * @module
 */

/**
 * Yield each JSON line of `body`. Stopping early (break/return) cancels the
 * body; a line that is not JSON throws.
 *
 * @example
 * ```ts
 * const body = new Response('{"a":1}\n{"a":2}\n').body!;
 * for await (const obj of readNdjson(body)) console.log(obj);
 * ```
 */
export async function* readNdjson(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  let done = false;
  try {
    while (true) {
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) yield JSON.parse(line);
        nl = buf.indexOf("\n");
      }
      const r = await reader.read();
      if (r.done) break;
      buf += decoder.decode(r.value, { stream: true });
    }
    buf += decoder.decode();
    const rest = buf.trim();
    done = true;
    if (rest) yield JSON.parse(rest);
  } finally {
    if (!done) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
