/**
 * The sandbox file API; paths are relative to `/workspace`.
 *
 * @module
 */
import { collect, toBase64 } from "./_bytes.ts";
import type { CallOptions, Transport } from "./_http.ts";
import { uploadBody, type UploadData } from "./_multipart.ts";
import { abortableBody } from "./_signal.ts";
import type { DirEntry, UploadResult } from "./types_io.ts";

/**
 * Options of {@link Files.list}.
 *
 * @example
 * ```ts
 * const o: ListOptions = { showHidden: true };
 * ```
 */
export interface ListOptions extends CallOptions {
  /** Include dot-files. */
  showHidden?: boolean;
}

/**
 * Options of {@link Files.edit}.
 *
 * @example
 * ```ts
 * const o: EditOptions = { replaceAll: true };
 * ```
 */
export interface EditOptions extends CallOptions {
  /** Replace every occurrence (otherwise `oldString` must occur exactly once). */
  replaceAll?: boolean;
}

/**
 * `sandbox.files`: read, write, list, delete, edit, and streamed upload and
 * download of any size.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "@shipyard/sdk";
 * async function demo(sb: Sandbox) {
 *   await sb.files.write("notes/a.txt", "hello");
 *   console.log(await sb.files.read("notes/a.txt"));
 *   await sb.files.edit("notes/a.txt", "hello", "bye");
 *   for (const e of await sb.files.list("notes")) console.log(e.name, e.size);
 *   await sb.files.upload("big.bin", new Blob([new Uint8Array(1 << 20)]));
 *   const stream = await sb.files.download("big.bin");
 *   await stream.cancel();
 *   await sb.files.delete("notes");
 * }
 * ```
 */
export class Files {
  readonly #t: Transport;
  readonly #id: string;

  constructor(transport: Transport, sandboxId: string) {
    this.#t = transport;
    this.#id = sandboxId;
  }

  /**
   * A UTF-8 text file's content. Missing → `FileNotFoundError`; binary or
   * too large → `ValidationError` (use {@link Files.readBytes} or
   * {@link Files.download}).
   */
  async read(path: string, opts: CallOptions = {}): Promise<string> {
    const r = await this.#t.json<{ content: string }>(
      { route: "readFile", params: { id: this.#id }, query: { path } },
      opts,
    );
    return r.content;
  }

  /** A file's bytes (downloaded and collected in memory). */
  async readBytes(path: string, opts: CallOptions = {}): Promise<Uint8Array> {
    const { response, deadline } = await this.#t.send(
      { route: "download", params: { id: this.#id }, query: { path } },
      opts,
    );
    try {
      if (!response.body) return new Uint8Array(0);
      const len = Number(response.headers.get("Content-Length"));
      const body = abortableBody(response.body, deadline.signal);
      return await collect(body, Number.isFinite(len) ? len : null);
    } catch (e) {
      throw deadline.signal.aborted ? deadline.signal.reason : e;
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Write `content` (text as UTF-8, bytes as-is) to `path`, creating parent
   * directories and overwriting. Sent in one JSON request (bounded by Bay's
   * body limit): use {@link Files.upload} for large data.
   */
  async write(path: string, content: string | Uint8Array, opts: CallOptions = {}): Promise<void> {
    const text = typeof content === "string";
    await this.#t.json({
      route: "writeFile",
      params: { id: this.#id },
      json: {
        path,
        content: text ? content : toBase64(content),
        encoding: text ? "utf-8" : "base64",
      },
    }, opts);
  }

  /** The entries of directory `path` (default `.`): directories first, then by name. */
  async list(path = ".", opts: ListOptions = {}): Promise<DirEntry[]> {
    const r = await this.#t.json<{ entries: DirEntry[] }>({
      route: "listDir",
      params: { id: this.#id },
      query: { path, show_hidden: opts.showHidden ? "true" : undefined },
    }, opts);
    return r.entries;
  }

  /** Delete a file, or a directory recursively. Missing → `FileNotFoundError`. */
  async delete(path: string, opts: CallOptions = {}): Promise<void> {
    await this.#t.json({ route: "deleteFile", params: { id: this.#id }, query: { path } }, opts);
  }

  /**
   * Replace `oldString` with `newString` in a text file; returns the number of
   * replacements. `ValidationError` when `oldString` is absent, ambiguous
   * without `replaceAll`, or equal to `newString`.
   */
  async edit(
    path: string,
    oldString: string,
    newString: string,
    opts: EditOptions = {},
  ): Promise<number> {
    const r = await this.#t.json<{ replacements: number }>({
      route: "editFile",
      params: { id: this.#id },
      json: {
        path,
        old_string: oldString,
        new_string: newString,
        replace_all: opts.replaceAll ?? false,
      },
    }, opts);
    return r.replacements;
  }

  /**
   * Upload `data` to `path` as a streamed multipart body: a ReadableStream is
   * read only as fast as the connection sends it, so memory stays bounded
   * whatever the size. Not retried (a stream cannot be replayed). No timeout
   * unless `timeoutMs` is given.
   */
  upload(path: string, data: UploadData, opts: CallOptions = {}): Promise<UploadResult> {
    const { body, contentType } = uploadBody(path, data);
    return this.#t.json<UploadResult>({
      route: "upload",
      params: { id: this.#id },
      body,
      headers: { "Content-Type": contentType },
    }, { signal: opts.signal, timeoutMs: opts.timeoutMs ?? 0 });
  }

  /**
   * The bytes of `path` as a stream, read from Bay as the caller consumes it.
   * `timeoutMs` bounds the wait for the answer's start; the signal can abort
   * the stream at any time. Cancel the stream if you stop early.
   */
  async download(path: string, opts: CallOptions = {}): Promise<ReadableStream<Uint8Array>> {
    const { response, deadline } = await this.#t.send(
      { route: "download", params: { id: this.#id }, query: { path } },
      opts,
    );
    deadline.clearTimer();
    const body = response.body ?? new Blob([]).stream();
    return abortableBody(body, deadline.signal, () => deadline.dispose());
  }
}
