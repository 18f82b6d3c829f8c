/**
 * Byte-level scanning and header parsing for `multipart.ts`. Private: import
 * `multipart.ts` instead.
 *
 * @module
 */

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
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const truncated = () => new MultipartError("unexpected end of body: no closing boundary");

/**
 * Finds `delim` (which starts with CR and holds no other CR) in `buf`. Returns
 * `[index, true]` for a full match, `[index, false]` when `buf[index..]` is a
 * proper prefix of `delim` (undecided until more bytes arrive), and
 * `[buf.length, false]` when no byte of `buf` can start a match.
 */
export function search(buf: Uint8Array, delim: Uint8Array): [number, boolean] {
  const n = buf.length;
  const m = delim.length;
  for (let i = buf.indexOf(CR); i !== -1; i = buf.indexOf(CR, i + 1)) {
    const lim = Math.min(m, n - i);
    let j = 1;
    while (j < lim && buf[i + j] === delim[j]) j++;
    if (j === m) return [i, true];
    if (j === n - i) return [i, false];
  }
  return [n, false];
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
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #delim: Uint8Array;
  // A virtual CRLF, so a first boundary at the very start of the body is found.
  #buf: Uint8Array = Uint8Array.of(CR, LF);
  // Unread remainder of the latest chunk (see `#fill`).
  #rest: Uint8Array = EMPTY;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, boundary: string) {
    this.#reader = reader;
    this.#delim = new TextEncoder().encode(`\r\n--${boundary}`);
  }

  /**
   * Appends more input to the unconsumed bytes; false at end of input. With
   * `step`, a held-back tail is joined with just enough of the next chunk to
   * decide it (the rest waits in `#rest`), so a big chunk is not copied.
   */
  async #fill(step = false): Promise<boolean> {
    let value = this.#rest;
    this.#rest = EMPTY;
    while (value.length === 0) {
      const r = await this.#reader.read();
      if (r.done) return false;
      if (!(r.value instanceof Uint8Array)) throw new TypeError("body chunks must be Uint8Array");
      value = r.value;
    }
    const m = this.#delim.length;
    if (this.#buf.length === 0) this.#buf = value;
    else if (!step || value.length <= 2 * m) this.#buf = concat(this.#buf, value);
    else {
      this.#buf = concat(this.#buf, value.subarray(0, m));
      this.#rest = value.subarray(m);
    }
    return true;
  }

  /**
   * The next run of bytes before the delimiter `CRLF--boundary`, or null once
   * the delimiter has been reached and consumed. Throws at end of input.
   */
  async body(): Promise<Uint8Array | null> {
    for (;;) {
      const buf = this.#buf;
      const [at, full] = search(buf, this.#delim);
      if (full && at === 0) {
        this.#buf = buf.subarray(this.#delim.length);
        return null;
      }
      if (at > 0) {
        this.#buf = at === buf.length ? EMPTY : buf.slice(at);
        return buf.subarray(0, at);
      }
      if (!(await this.#fill(true))) throw truncated();
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

/** The primary value (lower-cased) and parameters of a header such as Content-Type. */
export interface HeaderValue {
  value: string;
  params: Map<string, string>;
}

/**
 * Parses `value; key=token; key="quoted"`. With `escapes`, a backslash in a
 * quoted string escapes the next character (RFC 9110); without, backslashes are
 * literal (WHATWG form encoding). Returns null when malformed.
 */
export function parseHeaderValue(s: string, escapes: boolean): HeaderValue | null {
  const n = s.length;
  let i = s.indexOf(";");
  if (i === -1) i = n;
  const value = s.slice(0, i).trim().toLowerCase();
  const params = new Map<string, string>();
  const skipWs = () => {
    while (i < n && (s[i] === " " || s[i] === "\t")) i++;
  };
  while (i < n) {
    i++; // the ';'
    skipWs();
    if (i >= n) break;
    const eq = s.indexOf("=", i);
    if (eq === -1) return null;
    const key = s.slice(i, eq).trim().toLowerCase();
    if (!TOKEN.test(key) || params.has(key)) return null;
    i = eq + 1;
    skipWs();
    let val = "";
    if (s[i] === '"') {
      for (i++;; i++) {
        if (i >= n) return null;
        if (s[i] === '"') break;
        if (escapes && s[i] === "\\" && i + 1 < n) i++;
        val += s[i];
      }
      i++;
      if (!escapes) {
        val = val.replace(/%(0A|0D|22)/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      }
    } else {
      const start = i;
      while (i < n && s[i] !== ";") i++;
      val = s.slice(start, i).trim();
      if (val === "") return null;
    }
    skipWs();
    if (i < n && s[i] !== ";") return null;
    params.set(key, val);
  }
  return { value, params };
}

/** Decodes an RFC 5987 `charset'lang'pct-encoded` value; null for an unsupported charset. */
function decodeExtValue(v: string): string | null {
  const m = /^([^']*)'[^']*'(.*)$/.exec(v);
  if (m === null) throw new MultipartError("malformed filename* parameter");
  const charset = m[1].toLowerCase();
  if (charset !== "utf-8" && charset !== "iso-8859-1") return null;
  const bytes: number[] = [];
  const s = m[2];
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "%") {
      const c = s.charCodeAt(i);
      if (c > 0x7e) throw new MultipartError("malformed filename* parameter");
      bytes.push(c);
    } else if (/^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new MultipartError("malformed filename* parameter");
  }
  try {
    return new TextDecoder(charset, { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    throw new MultipartError("filename* is not valid UTF-8");
  }
}

/** Name, filename and content type of a part. */
export interface PartInfo {
  name: string;
  filename: string | null;
  contentType: string | null;
}

/** Parses a raw part header block; throws `MultipartError` when malformed. */
export function parsePartHeaders(block: Uint8Array): PartInfo {
  const lines: string[] = [];
  for (const line of new TextDecoder().decode(block).split("\r\n")) {
    if ((line[0] === " " || line[0] === "\t") && lines.length > 0) {
      lines[lines.length - 1] += " " + line.trim(); // obsolete line folding
    } else if (line !== "") lines.push(line);
  }
  let disposition: string | undefined;
  let contentType: string | null = null;
  for (const line of lines) {
    const colon = line.indexOf(":");
    const key = colon === -1 ? "" : line.slice(0, colon).toLowerCase();
    if (!TOKEN.test(key)) throw new MultipartError("malformed part header line");
    const value = line.slice(colon + 1).trim();
    if (key === "content-disposition") {
      if (disposition !== undefined) throw new MultipartError("duplicate Content-Disposition");
      disposition = value;
    } else if (key === "content-type") {
      if (contentType !== null) throw new MultipartError("duplicate part Content-Type");
      contentType = value;
    }
  }
  if (disposition === undefined) throw new MultipartError("part has no Content-Disposition");
  const cd = parseHeaderValue(disposition, false) ?? parseHeaderValue(disposition, true);
  if (cd === null || cd.value !== "form-data") {
    throw new MultipartError("malformed Content-Disposition (expected form-data)");
  }
  const name = cd.params.get("name");
  if (name === undefined) throw new MultipartError("Content-Disposition has no name");
  const ext = cd.params.get("filename*");
  const filename = (ext === undefined ? null : decodeExtValue(ext)) ??
    cd.params.get("filename") ?? null;
  return { name, filename, contentType: contentType || null };
}
