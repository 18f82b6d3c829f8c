/**
 * Streaming upload and download of workspace files. Neither direction holds
 * more than two chunks in memory.
 *
 * @module
 */
import { byobReader, readFull } from "../bytes.ts";
import { CHUNK_BYTES } from "../protocol.ts";
import { ShipError } from "../errors.ts";
import { mapFsError, writeAll } from "./atomic.ts";
import { resolveDetailed } from "./resolve.ts";
import type { WorkspaceFs } from "./ops.ts";

const FIELD = "path";

/** Bytes gathered before each write of an upload that arrives as a byte stream. */
export const UPLOAD_BUFFER_BYTES = 1024 * 1024;

/**
 * Reads of `body` as runs of bytes: from a byte stream (an HTTP body), read
 * straight into one of two reused buffers of {@link UPLOAD_BUFFER_BYTES} and
 * handed out once it is full (or the stream ends), so a big upload costs a few
 * large writes instead of one per network chunk; from any other stream, its
 * chunks as they come. A run stays valid until the second read after it, so
 * one run can be written while the next is read.
 */
class Runs {
  readonly #byob: ReadableStreamBYOBReader | null;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array> | null;
  #spare: ArrayBuffer | null = null;
  #lent: ArrayBuffer | null = null;

  constructor(body: ReadableStream<Uint8Array>) {
    this.#byob = byobReader(body);
    this.#reader = this.#byob ? null : body.getReader();
  }

  /** The next run, or null at the end. */
  async next(): Promise<Uint8Array | null> {
    if (this.#reader) {
      const { done, value } = await this.#reader.read();
      return done ? null : value;
    }
    const buf = this.#spare ?? new ArrayBuffer(UPLOAD_BUFFER_BYTES);
    this.#spare = this.#lent;
    this.#lent = null;
    const run = await readFull(this.#byob!, new Uint8Array(buf));
    if (run) this.#lent = run.buffer as ArrayBuffer;
    return run;
  }

  cancel(reason: unknown): Promise<void> {
    return (this.#byob ?? this.#reader!).cancel(reason);
  }

  releaseLock(): void {
    (this.#byob ?? this.#reader!).releaseLock();
  }
}

/**
 * Stream `body` into the file `rel` of `fs`. The bytes go to a temp file in
 * the target directory that is renamed over the target only once the stream
 * ended cleanly, so on error, abort (the stream errors) or overflow the temp
 * file is removed and an existing file is left intact. Reads the next chunk
 * while writing the previous one: at most two chunks (or two
 * {@link UPLOAD_BUFFER_BYTES} buffers, for a byte stream such as an HTTP body)
 * are held.
 *
 * @returns the normalised relative path and the number of bytes written
 * @throws ShipError `payload_too_large` past `maxBytes` (the body is cancelled),
 *   `validation_error` when `rel` is a directory, `quota_exceeded` when the disk
 *   is full, `invalid_path`; a stream error is rethrown as is
 */
export async function upload(
  fs: WorkspaceFs,
  rel: string,
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<{ path: string; size: number }> {
  const runs = new Runs(body);
  try {
    const { realRoot, normalized, path } = await resolveDetailed(fs.root, rel, FIELD);
    const size = await fs.replaceFile(rel, realRoot, path, async (file) => {
      let total = 0;
      // The previous run is written while the next one is read.
      let writing: Promise<void> = Promise.resolve();
      try {
        for (;;) {
          const run = await runs.next();
          if (run === null) break;
          total += run.byteLength;
          if (total > maxBytes) {
            throw new ShipError("payload_too_large", `upload exceeds ${maxBytes} bytes`, {
              max_bytes: maxBytes,
            });
          }
          await writing;
          writing = writeAll(file, run);
          writing.catch(() => {}); // handled when awaited, never an unhandled rejection
        }
        await writing;
        return total;
      } finally {
        await writing.catch(() => {}); // settled before the file is closed
      }
    });
    return { path: normalized, size };
  } catch (e) {
    await runs.cancel(e).catch(() => {});
    throw mapFsError(e, rel);
  } finally {
    runs.releaseLock();
  }
}

/**
 * Open the file `rel` of `fs` for download. The stream yields chunks of
 * {@link CHUNK_BYTES} (the last one shorter) and exactly `size` bytes; it errors
 * with `conflict` if the file shrinks meanwhile and stops at `size` if it grows.
 * The file is closed when the stream ends, errors or is cancelled.
 *
 * @throws ShipError `file_not_found`, `validation_error` for a directory or a
 *   non-regular file, `invalid_path`
 */
export async function openDownload(
  fs: WorkspaceFs,
  rel: string,
): Promise<{ size: number; stream: ReadableStream<Uint8Array> }> {
  const { path } = await resolveDetailed(fs.root, rel, FIELD);
  let file: Deno.FsFile;
  let size: number;
  try {
    // stat before open: opening a FIFO would block until a writer appears.
    const pre = await Deno.stat(path);
    if (pre.isDirectory) throw new ShipError("validation_error", `${rel} is a directory`);
    if (!pre.isFile) throw new ShipError("validation_error", `${rel} is not a regular file`);
    file = await Deno.open(path, { read: true });
    const info = await file.stat();
    if (!info.isFile) {
      file.close();
      throw new ShipError("validation_error", `${rel} is not a regular file`);
    }
    size = info.size;
  } catch (e) {
    throw mapFsError(e, rel);
  }
  let sent = 0;
  let open = true;
  const close = () => {
    if (open) file.close();
    open = false;
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      try {
        const want = Math.min(CHUNK_BYTES, size - sent);
        if (want === 0) {
          close();
          ctrl.close();
          return;
        }
        const buf = new Uint8Array(want);
        let off = 0;
        while (off < want) {
          const n = await file.read(buf.subarray(off));
          if (n === null) break;
          off += n;
        }
        if (off < want) throw new ShipError("conflict", `${rel} shrank during the download`);
        sent += off;
        ctrl.enqueue(buf);
        if (sent === size) {
          close();
          ctrl.close();
        }
      } catch (e) {
        close();
        ctrl.error(mapFsError(e, rel));
      }
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
  return { size, stream };
}
