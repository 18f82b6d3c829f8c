/**
 * Reading byte streams in large runs: HTTP bodies are byte streams, and a
 * BYOB reader fills one big buffer from many small network chunks, so
 * whoever consumes them (a parser, a file write) works per run, not per chunk.
 * Shared by Bay's multipart parser and the ship's uploads.
 *
 * @module
 */

/** A BYOB reader of `body` when it is a byte stream (as HTTP bodies are), else null. */
export function byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | null {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return null;
  }
}

/**
 * Fill `into` (a view of its whole buffer) from `reader` until it is full or
 * the stream ends. A BYOB read transfers the buffer, so the result is a view
 * of a new `ArrayBuffer` holding the bytes (`into` is detached); null when the
 * stream had nothing left.
 */
export async function readFull(
  reader: ReadableStreamBYOBReader,
  into: Uint8Array,
): Promise<Uint8Array | null> {
  let buf = into;
  let n = 0;
  while (n < buf.length) {
    const { done, value } = await reader.read(buf.subarray(n));
    if (value) buf = new Uint8Array(value.buffer);
    if (done) break;
    n += value.length;
  }
  return n === 0 ? null : buf.subarray(0, n);
}
