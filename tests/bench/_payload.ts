/**
 * A deterministic pseudo-random payload of any size, produced chunk by chunk
 * so that no more than one chunk is ever held, plus its SHA-256.
 *
 * @module
 */
import { createHash } from "node:crypto";

/** Size of the chunks the payload is produced in. */
export const PAYLOAD_CHUNK = 1024 * 1024;

let block: Uint8Array | null = null;

/** One MiB of xorshift noise (incompressible), built once. */
function baseBlock(): Uint8Array {
  if (block) return block;
  const b = new Uint8Array(PAYLOAD_CHUNK);
  const w = new Uint32Array(b.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x >>> 0;
  }
  block = b;
  return b;
}

/** The payload's chunks: fresh buffers, each stamped with its index so none repeat. */
export function* payloadChunks(size: number): Generator<Uint8Array> {
  const base = baseBlock();
  for (let off = 0, i = 0; off < size; off += PAYLOAD_CHUNK, i++) {
    const chunk = base.slice(0, Math.min(PAYLOAD_CHUNK, size - off));
    new DataView(chunk.buffer).setUint32(0, i);
    yield chunk;
  }
}

/** The payload as a pull-driven stream (one chunk produced per read). */
export function payloadStream(size: number): ReadableStream<Uint8Array> {
  const it = payloadChunks(size);
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      const r = it.next();
      if (r.done) ctrl.close();
      else ctrl.enqueue(r.value);
    },
  }, { highWaterMark: 0 });
}

/** SHA-256 (hex) of the payload of `size` bytes, computed incrementally. */
export function payloadSha256(size: number): string {
  const h = createHash("sha256");
  for (const c of payloadChunks(size)) h.update(c);
  return h.digest("hex");
}

/** Read `stream` to its end, hashing incrementally; returns byte count and hex digest. */
export async function drainHashing(
  stream: ReadableStream<Uint8Array>,
): Promise<{ bytes: number; sha256: string }> {
  const h = createHash("sha256");
  let bytes = 0;
  for await (const c of stream) {
    h.update(c);
    bytes += c.byteLength;
  }
  return { bytes, sha256: h.digest("hex") };
}
