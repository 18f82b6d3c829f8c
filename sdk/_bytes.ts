/**
 * Byte helpers over Web APIs only: base64 encoding and collecting a stream.
 *
 * @module
 */

/**
 * Base64 of `bytes` (standard alphabet, padded).
 *
 * @example
 * ```ts
 * console.log(toBase64(new TextEncoder().encode("hi")) === "aGk=");
 * ```
 */
export function toBase64(bytes: Uint8Array): string {
  let out = "";
  const step = 0x8000; // a multiple of 3 keeps chunks free of padding
  for (let i = 0; i < bytes.length; i += step * 3) {
    const part = bytes.subarray(i, i + step * 3);
    let bin = "";
    for (let j = 0; j < part.length; j += step) {
      bin += String.fromCharCode(...part.subarray(j, j + step));
    }
    out += btoa(bin);
  }
  return out;
}

/**
 * Read all of `stream` into one array (`sizeHint` preallocates when known).
 *
 * @example
 * ```ts
 * const bytes = await collect(new Blob(["abc"]).stream());
 * console.log(bytes.length === 3);
 * ```
 */
export async function collect(
  stream: ReadableStream<Uint8Array>,
  sizeHint: number | null = null,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const c of iterate(stream)) {
    chunks.push(c);
    size += c.byteLength;
  }
  if (chunks.length === 1 && (sizeHint === null || sizeHint === size)) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Iterate a stream's chunks (Node 20 streams are async-iterable, but not
 * every runtime's are).
 *
 * @example
 * ```ts
 * for await (const chunk of iterate(new Blob(["x"]).stream())) console.log(chunk.length);
 * ```
 */
export async function* iterate<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  let finished = false;
  try {
    while (true) {
      const r = await reader.read();
      if (r.done) {
        finished = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}
