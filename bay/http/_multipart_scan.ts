/**
 * Byte-level scanning for `multipart.ts` (part headers are parsed by
 * `_multipart_headers.ts`). Private: import `multipart.ts` instead.
 *
 * @module
 */
import { readFull } from "@shipyard/ship/bytes";

/** Malformed `multipart/form-data` input (or a configured limit exceeded). */
export class MultipartError extends Error {
  /** Create an error with a human-readable `message`. */
  constructor(message: string) {
    super(message);
    this.name = "MultipartError";
  }
}

const CR = 13;
const LF = 10;
const DASH = 45;
const EMPTY = new Uint8Array(0);

/** Size of the buffers a byte-stream body is read into (see {@link Scanner}). */
export const READ_BYTES = 256 * 1024;

const truncated = () => new MultipartError("unexpected end of body: no closing boundary");

/**
 * The delimiter `CRLF--boundary` and its Boyer–Moore–Horspool shift table, so
 * that a search inspects about one byte in `length` of content that does not
 * resemble the delimiter (instead of stopping at every CR byte).
 */
export class Delimiter {
  /** The delimiter's bytes: CR, LF, `--`, then the boundary (no other CR). */
  readonly bytes: Uint8Array;
  // How far the window may move when its last byte is `b`: the distance from
  // the last occurrence of `b` in bytes[0..m-2] to the end, else m.
  readonly #shift: Uint8Array;

  /** Build the delimiter of `boundary` (1–70 printable ASCII characters). */
  constructor(boundary: string) {
    this.bytes = new TextEncoder().encode(`\r\n--${boundary}`);
    const m = this.bytes.length;
    if (m > 255) throw new RangeError("boundary too long");
    this.#shift = new Uint8Array(256).fill(m);
    for (let k = 0; k < m - 1; k++) this.#shift[this.bytes[k]] = m - 1 - k;
  }

  /**
   * Finds the delimiter in `buf`. Returns `[index, true]` for the first full
   * match, `[index, false]` when `buf[index..]` is a proper prefix of the
   * delimiter (undecided until more bytes arrive), and `[buf.length, false]`
   * when no byte of `buf` can start a match.
   */
  find(buf: Uint8Array): [number, boolean] {
    const d = this.bytes;
    const shift = this.#shift;
    const n = buf.length;
    const last = d.length - 1;
    const lastByte = d[last];
    for (let i = 0; i + last < n;) {
      const c = buf[i + last];
      if (c === lastByte && buf[i] === CR) {
        let j = last - 1;
        while (j > 0 && buf[i + j] === d[j]) j--;
        if (j === 0) return [i, true];
      }
      i += shift[c];
    }
    // Only the last `last` bytes can hold a proper prefix; it starts with the one CR.
    for (let i = buf.indexOf(CR, Math.max(0, n - last)); i !== -1; i = buf.indexOf(CR, i + 1)) {
      let j = 1;
      while (i + j < n && buf[i + j] === d[j]) j++;
      if (i + j === n) return [i, false];
    }
    return [n, false];
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Pull-based scanner over the request body. It holds at most one incoming
 * chunk plus an undecided tail shorter than the delimiter, or a header block
 * still being read (bounded by the caller's limit). Body bytes are handed out
 * as subarrays of the incoming chunks (copied only around a held-back tail),
 * and never share memory with what the scanner keeps.
 */
export class Scanner {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;
  readonly #delim: Delimiter;
  // A virtual CRLF, so a first boundary at the very start of the body is found.
  #buf: Uint8Array = Uint8Array.of(CR, LF);
  // Unread remainder of the latest chunk (see `body`).
  #rest: Uint8Array = EMPTY;

  /**
   * Scan what `reader` yields. A BYOB reader (of a byte stream such as an HTTP
   * body) is read into fresh buffers of {@link READ_BYTES}, each filled before
   * it is scanned, so a big upload passes downstream in a few large chunks.
   */
  constructor(
    reader: ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader,
    boundary: string,
  ) {
    this.#reader = reader;
    this.#delim = new Delimiter(boundary);
  }

  /** The unread rest of the latest chunk, else the next chunk; null at end of input. */
  async #next(): Promise<Uint8Array | null> {
    let value = this.#rest;
    this.#rest = EMPTY;
    const reader = this.#reader;
    if (value.length === 0 && reader instanceof ReadableStreamBYOBReader) {
      return await this.#readInto(reader);
    }
    while (value.length === 0) {
      const r = await (reader as ReadableStreamDefaultReader<Uint8Array>).read();
      if (r.done) return null;
      if (!(r.value instanceof Uint8Array)) throw new TypeError("body chunks must be Uint8Array");
      value = r.value;
    }
    return value;
  }

  /** Fills a fresh buffer from `reader` (handed downstream, so never reused); null at the end. */
  #readInto(reader: ReadableStreamBYOBReader): Promise<Uint8Array | null> {
    return readFull(reader, new Uint8Array(READ_BYTES));
  }

  /** Appends more input to the unconsumed bytes; false at end of input. */
  async #fill(): Promise<boolean> {
    const value = await this.#next();
    if (value === null) return false;
    this.#buf = this.#buf.length === 0 ? value : concat(this.#buf, value);
    return true;
  }

  /**
   * The next run of bytes before the delimiter `CRLF--boundary`, or null once
   * the delimiter has been reached and consumed. Throws at end of input.
   */
  async body(): Promise<Uint8Array | null> {
    const m = this.#delim.bytes.length;
    for (;;) {
      const buf = this.#buf;
      const [at, full] = this.#delim.find(buf);
      if (full && at === 0) {
        this.#buf = buf.subarray(m);
        return null;
      }
      if (at > 0) {
        this.#buf = at === buf.length ? EMPTY : buf.slice(at);
        return buf.subarray(0, at);
      }
      // `buf` is empty or a proper prefix of the delimiter: decide it with the next bytes.
      const next = await this.#next();
      if (next === null) throw truncated();
      if (buf.length === 0 || next.length <= 2 * m) {
        this.#buf = buf.length === 0 ? next : concat(buf, next);
        continue;
      }
      // Join just enough of a big chunk to decide every held byte, so the chunk is not copied.
      const head = concat(buf, next.subarray(0, m));
      if (this.#delim.find(head)[0] >= buf.length) {
        // No delimiter starts in the held bytes: hand them out alone (they are
        // a copy or the end of a consumed chunk), then scan `next` as it is.
        this.#buf = next;
        return buf;
      }
      this.#buf = head;
      this.#rest = next.subarray(m);
    }
  }

  /** Ensures at least `n` unconsumed bytes; throws at end of input. */
  async #need(n: number): Promise<Uint8Array> {
    while (this.#buf.length < n) if (!(await this.#fill())) throw truncated();
    return this.#buf;
  }

  /**
   * Consumes the rest of a boundary line just after a delimiter: true when a
   * part follows (optional transport padding, then CRLF), false for the
   * closing `--`. Anything after the closing delimiter is left unread.
   */
  async afterDelimiter(maxPadding: number): Promise<boolean> {
    let buf = await this.#need(2);
    if (buf[0] === DASH && buf[1] === DASH) return false;
    for (let padding = 0;;) {
      let k = 0;
      while (k < buf.length && (buf[k] === 32 || buf[k] === 9)) k++;
      padding += k;
      if (padding > maxPadding) throw new MultipartError("boundary line too long");
      this.#buf = buf.subarray(k);
      if (this.#buf.length > 0) break;
      buf = await this.#need(1);
    }
    buf = await this.#need(2);
    if (buf[0] !== CR || buf[1] !== LF) {
      throw new MultipartError("malformed boundary line (boundary string inside a part?)");
    }
    this.#buf = buf.subarray(2);
    return true;
  }

  /** Reads a part's header block (without the blank line ending it), at most `max` bytes. */
  async headers(max: number): Promise<Uint8Array> {
    let buf = await this.#need(2);
    if (buf[0] === CR && buf[1] === LF) {
      this.#buf = buf.subarray(2);
      return EMPTY;
    }
    for (let from = 0;;) {
      let end = -1;
      for (let i = buf.indexOf(CR, from); i !== -1; i = buf.indexOf(CR, i + 1)) {
        if (i + 3 >= buf.length) break;
        if (buf[i + 1] === LF && buf[i + 2] === CR && buf[i + 3] === LF) {
          end = i;
          break;
        }
      }
      if (end > max || (end === -1 && buf.length - 3 > max)) {
        throw new MultipartError(`part header block larger than ${max} bytes`);
      }
      if (end !== -1) {
        this.#buf = buf.subarray(end + 4);
        return buf.slice(0, end);
      }
      from = Math.max(0, buf.length - 3);
      buf = await this.#need(buf.length + 1);
    }
  }
}
