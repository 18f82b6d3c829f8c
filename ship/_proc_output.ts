/**
 * The retained output of one background process: both streams on one byte
 * offset axis, each stream bounded to (at least) its last `max` bytes.
 *
 * Offsets count raw output bytes. A read that ends inside a UTF-8 sequence
 * holds the incomplete tail back until the next read (or EOF), so every stored
 * chunk starts and ends on a character boundary and decodes on its own; a
 * position handed out by this buffer (`end`, a chunk end) therefore never
 * splits a character. Consecutive reads of the same stream are merged into
 * chunks of up to {@link CHUNK_LIMIT} bytes, which keeps the chunk count (and
 * the per-chunk overhead) low for chatty line-by-line output.
 *
 * Private to `procs.ts`.
 *
 * @module
 */

/** The two output streams. */
export type StreamName = "stdout" | "stderr";

/** Largest chunk built by merging reads (a single bigger read stays whole). */
export const CHUNK_LIMIT = 64 * 1024;

interface Chunk {
  /** Offset of the first byte. */
  start: number;
  /** Storage; only the first `len` bytes are used. */
  buf: Uint8Array;
  len: number;
}

/** The retained chunks of one stream, oldest first (from `head`). */
class Lane {
  chunks: Chunk[] = [];
  head = 0;
  /** Bytes retained. */
  bytes = 0;
  /** Incomplete UTF-8 tail of the last read, not yet counted. */
  held = new Uint8Array(0);

  /** Index of the first retained chunk that ends after `pos` (`chunks.length` if none). */
  firstEndingAfter(pos: number): number {
    let lo = this.head, hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.chunks[mid];
      if (c.start + c.len > pos) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Drop the oldest chunks while the rest still holds at least `max` bytes. */
  trim(max: number): void {
    while (this.head < this.chunks.length - 1) {
      const oldest = this.chunks[this.head];
      if (this.bytes - oldest.len < max) break;
      this.bytes -= oldest.len;
      this.chunks[this.head++] = undefined as unknown as Chunk;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}

/** Length of the prefix of `b` that does not end inside a UTF-8 sequence. */
export function completeUtf8Length(b: Uint8Array): number {
  const n = b.byteLength;
  for (let i = n - 1; i >= 0 && i >= n - 4; i--) {
    const c = b[i];
    if ((c & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return i + need > n ? i : n;
  }
  return n;
}

/** Skip continuation bytes at the start of `b` (at most 3), for a cut inside a character. */
function skipContinuation(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < 3 && i < b.byteLength && (b[i] & 0xc0) === 0x80) i++;
  return b.subarray(i);
}

const decoder = new TextDecoder();

/** Combined, bounded output of a process. */
export class OutputBuffer {
  readonly #lanes: Record<StreamName, Lane> = { stdout: new Lane(), stderr: new Lane() };
  readonly #max: number;
  #end = 0;
  #last: StreamName | null = null;

  /** @param max bytes retained per stream, at least. */
  constructor(max: number) {
    this.#max = max;
  }

  /** Offset after the last byte stored (total bytes produced so far). */
  get end(): number {
    return this.#end;
  }

  /** Append bytes read from `stream` (copied: the caller may reuse `data`). */
  push(stream: StreamName, data: Uint8Array): void {
    const lane = this.#lanes[stream];
    let bytes = data;
    if (lane.held.byteLength > 0) {
      bytes = new Uint8Array(lane.held.byteLength + data.byteLength);
      bytes.set(lane.held);
      bytes.set(data, lane.held.byteLength);
    }
    const cut = completeUtf8Length(bytes);
    lane.held = bytes.slice(cut);
    this.#store(stream, bytes.subarray(0, cut));
  }

  /** The stream reached EOF: store its held-back bytes (an incomplete character). */
  flush(stream: StreamName): void {
    const lane = this.#lanes[stream];
    const held = lane.held;
    lane.held = new Uint8Array(0);
    this.#store(stream, held);
  }

  #store(stream: StreamName, bytes: Uint8Array): void {
    const n = bytes.byteLength;
    if (n === 0) return;
    const lane = this.#lanes[stream];
    const last = lane.chunks[lane.chunks.length - 1];
    if (this.#last === stream && last && last.len + n <= CHUNK_LIMIT) {
      if (last.len + n > last.buf.byteLength) {
        const grown = new Uint8Array(
          Math.min(CHUNK_LIMIT, Math.max(2 * last.buf.byteLength, last.len + n)),
        );
        grown.set(last.buf.subarray(0, last.len));
        last.buf = grown;
      }
      last.buf.set(bytes, last.len);
      last.len += n;
    } else {
      if (last && last.buf.byteLength > last.len) last.buf = last.buf.slice(0, last.len);
      lane.chunks.push({ start: this.#end, buf: bytes.slice(), len: n });
    }
    this.#last = stream;
    this.#end += n;
    lane.bytes += n;
    lane.trim(this.#max);
  }

  /** Retained text of `stream` after offset `from` (from the oldest retained if older). */
  text(stream: StreamName, from: number): string {
    const lane = this.#lanes[stream];
    const parts: Uint8Array[] = [];
    let size = 0;
    for (let i = lane.firstEndingAfter(from); i < lane.chunks.length; i++) {
      const c = lane.chunks[i];
      let part = c.buf.subarray(0, c.len);
      if (from > c.start) part = skipContinuation(part.subarray(from - c.start));
      parts.push(part);
      size += part.byteLength;
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    return decoder.decode(all);
  }

  /**
   * The earliest retained piece of output after offset `from`: the rest of the
   * chunk containing or following it. Null when nothing is retained after `from`.
   */
  next(from: number): { stream: StreamName; text: string; end: number } | null {
    let best: { stream: StreamName; chunk: Chunk } | null = null;
    for (const stream of ["stdout", "stderr"] as const) {
      const lane = this.#lanes[stream];
      const chunk = lane.chunks[lane.firstEndingAfter(from)];
      if (chunk && (!best || chunk.start < best.chunk.start)) best = { stream, chunk };
    }
    if (!best) return null;
    const { stream, chunk } = best;
    let part = chunk.buf.subarray(0, chunk.len);
    if (from > chunk.start) part = skipContinuation(part.subarray(from - chunk.start));
    return { stream, text: decoder.decode(part), end: chunk.start + chunk.len };
  }

  /** Bytes retained per stream. */
  retained(): Record<StreamName, number> {
    return { stdout: this.#lanes.stdout.bytes, stderr: this.#lanes.stderr.bytes };
  }
}
