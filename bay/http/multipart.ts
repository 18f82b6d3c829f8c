/**
 * Streaming `multipart/form-data` parser for uploads. File bytes pass through
 * as they arrive: the parser holds at most about one incoming chunk (for a byte
 * stream such as an HTTP body, one buffer of `READ_BYTES`, 256 KiB) plus the
 * boundary length (and one part header block while reading it), so uploads of
 * any size never sit in memory.
 *
 * ```ts
 * for await (const part of parseMultipart(req.body!, req.headers.get("content-type") ?? "")) {
 *   if (part.filename === null) fields[part.name] = await readField(part, 64 * 1024);
 *   else await part.body.pipeTo(file.writable); // errors if the upload is cut short
 * }
 * ```
 *
 * @module
 */
import { byobReader } from "@shipyard/ship/bytes";
import { parseHeaderValue, parsePartHeaders } from "./_multipart_headers.ts";
import { MultipartError, Scanner } from "./_multipart_scan.ts";

export { MultipartError };

/** One part of a `multipart/form-data` body. */
export interface MultipartPart {
  /** The `name` of the form field. */
  name: string;
  /** The `filename` (or decoded `filename*`) when the part is a file, else null. Untrusted. */
  filename: string | null;
  /** The part's `Content-Type` header, when present. */
  contentType: string | null;
  /**
   * The part's bytes, streamed from the request body. Consume or cancel it
   * before asking the iterator for the next part. It errors (never closes
   * normally) when the body ends before the part's closing boundary.
   */
  body: ReadableStream<Uint8Array>;
}

/** Limits for {@link parseMultipart}. */
export interface MultipartOptions {
  /** Largest non-file field (a part without a filename), in bytes. Default 64 KiB. */
  maxFieldBytes?: number;
  /** Most parts accepted. Default 16. */
  maxParts?: number;
  /** Largest header block of one part, in bytes. Default 16 KiB. */
  maxHeaderBytes?: number;
}

/** The boundary of a `multipart/form-data` Content-Type; throws `MultipartError`. */
function boundaryOf(contentType: string): string {
  const parsed = parseHeaderValue(contentType, true);
  if (parsed === null || parsed.value !== "multipart/form-data") {
    throw new MultipartError("Content-Type is not multipart/form-data");
  }
  const boundary = parsed.params.get("boundary");
  if (boundary === undefined || boundary === "") {
    throw new MultipartError("Content-Type has no boundary");
  }
  if (boundary.length > 70 || !/^[\x20-\x7e]*[\x21-\x7e]$/.test(boundary)) {
    throw new MultipartError("invalid boundary (1-70 printable ASCII characters)");
  }
  return boundary;
}

function limit(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`invalid ${what}: ${value}`);
  return value;
}

/**
 * Parse a `multipart/form-data` request body, yielding its parts in order.
 * Preamble and epilogue are ignored.
 *
 * Each part's `body` must be consumed or cancelled before the next part is
 * requested; if it was not, the iterator discards the rest of it (and a later
 * read of that body errors). Leaving the loop early cancels `body` once the
 * current part has been read or cancelled.
 *
 * Throws `MultipartError` right away when `contentType` is not
 * `multipart/form-data` with a valid boundary. Malformed input (bad part
 * headers, a header block over `maxHeaderBytes`, more than `maxParts` parts, a
 * field over `maxFieldBytes`, a missing closing boundary) makes the iterator
 * throw `MultipartError`, and errors the body of the part being read.
 */
export function parseMultipart(
  body: ReadableStream<Uint8Array>,
  contentType: string,
  opts: MultipartOptions = {},
): AsyncIterableIterator<MultipartPart> {
  const boundary = boundaryOf(contentType);
  return parts(body, boundary, {
    maxFieldBytes: limit(opts.maxFieldBytes, 64 * 1024, "maxFieldBytes"),
    maxParts: limit(opts.maxParts, 16, "maxParts"),
    maxHeaderBytes: limit(opts.maxHeaderBytes, 16 * 1024, "maxHeaderBytes"),
  });
}

async function* parts(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  opts: Required<MultipartOptions>,
): AsyncGenerator<MultipartPart, void, undefined> {
  const reader = byobReader(body) ?? body.getReader();
  const cancelSource = () => reader.cancel().catch(() => {});
  const scanner = new Scanner(reader, boundary);
  let current: PartBody | undefined;
  try {
    try {
      while ((await scanner.body()) !== null) { /* preamble */ }
    } catch (e) {
      throw e instanceof MultipartError ? new MultipartError("no boundary found in body") : e;
    }
    let more = await scanner.afterDelimiter(opts.maxHeaderBytes);
    for (let count = 1; more; count++) {
      if (count > opts.maxParts) throw new MultipartError(`more than ${opts.maxParts} parts`);
      const info = parsePartHeaders(await scanner.headers(opts.maxHeaderBytes));
      const max = info.filename === null ? opts.maxFieldBytes : Infinity;
      current = new PartBody(scanner, info.name, max, opts.maxHeaderBytes);
      yield { ...info, body: current.stream };
      more = await current.finish();
      current = undefined;
    }
  } finally {
    // The caller may still be reading the current part after leaving the loop.
    if (current?.open) current.settled.then(cancelSource);
    else cancelSource();
  }
}

/** The body stream of one part, plus the bookkeeping that lets the iterator move on. */
class PartBody {
  readonly stream: ReadableStream<Uint8Array>;
  readonly #scanner: Scanner;
  readonly #name: string;
  readonly #max: number;
  readonly #maxPadding: number;
  readonly #settled = Promise.withResolvers<void>();
  #ctrl!: ReadableStreamDefaultController<Uint8Array>;
  #open = true; // the stream has not been closed, errored or cancelled
  #more: boolean | undefined; // set once the whole boundary line after the part is read
  #error: unknown = undefined;
  #bytes = 0;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(scanner: Scanner, name: string, max: number, maxPadding: number) {
    this.#scanner = scanner;
    this.#name = name;
    this.#max = max;
    this.#maxPadding = maxPadding;
    this.stream = new ReadableStream<Uint8Array>({
      start: (ctrl) => {
        this.#ctrl = ctrl;
      },
      pull: (ctrl) => this.#pull(ctrl),
      cancel: () => this.#settle(),
    }, { highWaterMark: 0 });
  }

  /** True until the stream is closed, errored or cancelled. */
  get open(): boolean {
    return this.#open;
  }

  /** Resolves once the stream is closed, errored or cancelled. */
  get settled(): Promise<void> {
    return this.#settled.promise;
  }

  #settle(): void {
    this.#open = false;
    this.#settled.resolve();
  }

  #fail(e: unknown): void {
    this.#error ??= e;
    if (this.#open) this.#ctrl.error(e);
    this.#settle();
  }

  /** Runs scanner work one call at a time: a pull and the iterator's drain may overlap. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  async #read(): Promise<Uint8Array | null> {
    if (this.#error !== undefined) throw this.#error;
    if (this.#more !== undefined) return null;
    const chunk = await this.#scanner.body();
    if (chunk === null) {
      // Close normally only once the boundary line is known to be complete.
      this.#more = await this.#scanner.afterDelimiter(this.#maxPadding);
      return null;
    }
    this.#bytes += chunk.length;
    if (this.#bytes > this.#max) {
      throw new MultipartError(`field ${JSON.stringify(this.#name)} exceeds ${this.#max} bytes`);
    }
    return chunk;
  }

  async #pull(ctrl: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      const chunk = await this.#serial(() => this.#read());
      if (!this.#open) return;
      if (chunk !== null) ctrl.enqueue(chunk);
      else {
        ctrl.close();
        this.#settle();
      }
    } catch (e) {
      this.#fail(e);
    }
  }

  /**
   * Called when the iterator moves on: discards whatever the caller left
   * unread and rethrows a parse error met while reading the part. Resolves
   * to whether another part follows.
   */
  finish(): Promise<boolean> {
    return this.#serial(async () => {
      try {
        while ((await this.#read()) !== null) { /* discard */ }
      } catch (e) {
        this.#fail(e);
        throw e;
      }
      if (this.#open) {
        this.#fail(new MultipartError(`part ${JSON.stringify(this.#name)} was skipped unread`));
      }
      return this.#more!;
    });
  }
}

/**
 * Read a small text field as UTF-8, refusing more than `maxBytes` bytes (the
 * part's body is then cancelled). Throws `MultipartError` when too large or
 * not valid UTF-8.
 */
export async function readField(part: MultipartPart, maxBytes: number): Promise<string> {
  const reader = part.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > maxBytes) {
        await reader.cancel();
        throw new MultipartError(`field ${JSON.stringify(part.name)} exceeds ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new MultipartError(`field ${JSON.stringify(part.name)} is not valid UTF-8`);
  }
}
