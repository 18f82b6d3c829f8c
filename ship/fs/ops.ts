/**
 * The ship's file operations over one workspace root (API.md §4): read, write,
 * list, delete, edit, upload and download. Every path goes through
 * `resolve.ts` first, so nothing is read or written outside the root, not even
 * through a symlink.
 *
 * @module
 */
import { posix } from "node:path";
import type { DirEntry } from "../protocol.ts";
import { ShipError } from "../errors.ts";
import {
  ensureDir,
  mapFsError,
  type Owner,
  replaceAtomically,
  statOrNull,
  TEMP_PREFIX,
  writeAll,
} from "./atomic.ts";
import {
  invalidPath,
  isInside,
  relativeTo,
  resolveDetailed,
  resolveEntryInWorkspace,
} from "./resolve.ts";
import { openDownload, upload } from "./transfer.ts";

export type { Owner } from "./atomic.ts";

/** Options of {@link WorkspaceFs}. */
export interface WorkspaceFsOptions {
  /** The root as user code sees it, used for `path` in listings. Default `/workspace`. */
  visibleRoot?: string;
  /** Chown every file and directory the ship creates to this uid/gid. */
  owner?: Owner;
  /** Largest file `edit` accepts, in bytes. Default 10 MiB. */
  maxEditBytes?: number;
}

/** Encoding of `writeFile` content. */
export type WriteEncoding = "utf-8" | "base64";

const FIELD = "path";
const LIST_CONCURRENCY = 32;

function tooBigOrBinary(rel: string, why: string): ShipError {
  return new ShipError(
    "validation_error",
    `${rel} ${why}; use the download endpoint`,
    { path: rel },
  );
}

/** Decode strict base64 (whitespace allowed, no url alphabet, no stray characters). */
function decodeBase64(content: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(content, { lastChunkHandling: "loose" });
  } catch {
    throw new ShipError("validation_error", "content is not valid base64", { field: "content" });
  }
}

/** Code-unit order (no locale: deterministic and cheap). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Read at most `limit + 1` bytes of an open file; null when it holds more than
 * `limit`. The buffer starts at the size `stat` reported and grows only if the
 * file grew meanwhile, so a huge `limit` never allocates more than the file.
 */
async function readBounded(
  file: Deno.FsFile,
  limit: number,
  sizeHint: number,
): Promise<Uint8Array | null> {
  let buf = new Uint8Array(Math.min(limit, sizeHint) + 1);
  let off = 0;
  for (;;) {
    if (off === buf.byteLength) {
      if (off > limit) return null;
      const bigger = new Uint8Array(Math.min(limit + 1, buf.byteLength * 2));
      bigger.set(buf);
      buf = bigger;
    }
    const n = await file.read(buf.subarray(off));
    if (n === null) return off > limit ? null : buf.subarray(0, off);
    off += n;
  }
}

/** File operations confined to one workspace root. */
export class WorkspaceFs {
  /** Workspace root on the ship's filesystem. */
  readonly root: string;
  /** The root as user code sees it. */
  readonly visibleRoot: string;
  /** Owner of created files, if any. */
  readonly owner?: Owner;
  /** Largest file `edit` accepts. */
  readonly maxEditBytes: number;

  /** @param root the workspace root, e.g. `/workspace` */
  constructor(root: string, opts: WorkspaceFsOptions = {}) {
    this.root = root;
    this.visibleRoot = opts.visibleRoot ?? "/workspace";
    this.owner = opts.owner;
    this.maxEditBytes = opts.maxEditBytes ?? 10 * 1024 * 1024;
  }

  /**
   * Read a UTF-8 text file. Missing → `file_not_found`; a directory, a binary
   * file (NUL byte or invalid UTF-8) or one over `maxBytes` → `validation_error`
   * telling the caller to download it. A byte-order mark is kept.
   */
  async readText(rel: string, maxBytes: number): Promise<{ content: string }> {
    const { path } = await resolveDetailed(this.root, rel, FIELD);
    try {
      const info = await Deno.stat(path);
      if (info.isDirectory) throw tooBigOrBinary(rel, "is a directory, not a file");
      if (!info.isFile) throw tooBigOrBinary(rel, "is not a regular file");
      if (info.size > maxBytes) {
        throw tooBigOrBinary(rel, `is over the ${maxBytes}-byte text limit`);
      }
      using file = await Deno.open(path, { read: true });
      const bytes = await readBounded(file, maxBytes, info.size);
      if (bytes === null) throw tooBigOrBinary(rel, `is over the ${maxBytes}-byte text limit`);
      if (bytes.includes(0)) throw tooBigOrBinary(rel, "is binary");
      try {
        return {
          content: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes),
        };
      } catch {
        throw tooBigOrBinary(rel, "is binary (not valid UTF-8)");
      }
    } catch (e) {
      throw mapFsError(e, rel);
    }
  }

  /**
   * Write a file atomically, creating parent directories and overwriting an
   * existing file (its mode is kept). Bad base64 → `validation_error`; a
   * directory in the way → `validation_error`; disk full → `quota_exceeded`.
   */
  async writeFile(rel: string, content: string, encoding: WriteEncoding): Promise<void> {
    const bytes = encoding === "base64" ? decodeBase64(content) : new TextEncoder().encode(content);
    const { realRoot, path } = await resolveDetailed(this.root, rel, FIELD);
    await this.replaceFile(rel, realRoot, path, (file) => writeAll(file, bytes));
  }

  /**
   * List a directory: directories first, then by lowercase name. Dot-files
   * only with `showHidden`. A symlink is described by its target when that
   * lies inside the root; a link leading outside (or dangling) is reported as
   * neither file nor directory, with `size` null, and is never followed.
   */
  async list(rel: string, showHidden: boolean): Promise<{ entries: DirEntry[] }> {
    const { realRoot, path } = await resolveDetailed(this.root, rel, FIELD);
    try {
      const info = await Deno.stat(path);
      if (!info.isDirectory) throw new ShipError("validation_error", `${rel} is not a directory`);
      const names: string[] = [];
      for await (const e of Deno.readDir(path)) {
        if (e.name.startsWith(TEMP_PREFIX)) continue;
        if (!showHidden && e.name.startsWith(".")) continue;
        names.push(e.name);
      }
      const visibleDir = posix.join(this.visibleRoot, relativeTo(realRoot, path));
      const entries: DirEntry[] = [];
      for (let i = 0; i < names.length; i += LIST_CONCURRENCY) {
        const batch = names.slice(i, i + LIST_CONCURRENCY);
        const done = await Promise.all(
          batch.map((n) => this.#entry(realRoot, posix.join(path, n), n, visibleDir)),
        );
        for (const d of done) if (d) entries.push(d);
      }
      entries.sort((a, b) =>
        a.is_dir !== b.is_dir
          ? (a.is_dir ? -1 : 1)
          : compare(a.name.toLowerCase(), b.name.toLowerCase()) || compare(a.name, b.name)
      );
      return { entries };
    } catch (e) {
      throw mapFsError(e, rel);
    }
  }

  /**
   * Delete a file or, recursively, a directory. Missing → `file_not_found`;
   * the root itself → `invalid_path` (reason `root_path`). A symlink is
   * removed itself, its target is untouched; recursive removal never follows
   * links inside the tree.
   */
  async remove(rel: string): Promise<void> {
    const { normalized, path } = await resolveEntryInWorkspace(this.root, rel, FIELD);
    if (normalized === ".") throw invalidPath(FIELD, "root_path");
    try {
      await Deno.lstat(path);
      await Deno.remove(path, { recursive: true });
    } catch (e) {
      throw mapFsError(e, rel);
    }
  }

  /**
   * Replace `oldString` with `newString` in a text file, atomically.
   * `validation_error` when `oldString` is empty, absent, equal to
   * `newString`, or found more than once without `replaceAll`.
   */
  async edit(
    rel: string,
    oldString: string,
    newString: string,
    replaceAll: boolean,
  ): Promise<{ replacements: number }> {
    if (oldString === "") throw new ShipError("validation_error", "old_string must not be empty");
    if (oldString === newString) {
      throw new ShipError("validation_error", "old_string and new_string are identical");
    }
    const { content } = await this.readText(rel, this.maxEditBytes);
    const parts = content.split(oldString);
    const count = parts.length - 1;
    if (count === 0) throw new ShipError("validation_error", `old_string not found in ${rel}`);
    if (count > 1 && !replaceAll) {
      throw new ShipError(
        "validation_error",
        `old_string occurs ${count} times in ${rel}; make it unique or set replace_all`,
        { occurrences: count },
      );
    }
    const bytes = new TextEncoder().encode(parts.join(newString));
    const { realRoot, path } = await resolveDetailed(this.root, rel, FIELD);
    await this.replaceFile(rel, realRoot, path, (file) => writeAll(file, bytes));
    return { replacements: count };
  }

  /**
   * Stream `body` into a file (atomically, see {@link upload}). Returns the
   * normalised relative path and the size written.
   */
  upload(
    rel: string,
    body: ReadableStream<Uint8Array>,
    maxBytes: number,
  ): Promise<{ path: string; size: number }> {
    return upload(this, rel, body, maxBytes);
  }

  /** Open a file for streaming download (see {@link openDownload}). */
  openDownload(rel: string): Promise<{ size: number; stream: ReadableStream<Uint8Array> }> {
    return openDownload(this, rel);
  }

  /**
   * Replace the file at real path `path` (inside `realRoot`) atomically,
   * creating its parents with the configured owner. Internal to the fs module.
   */
  async replaceFile<T>(
    rel: string,
    realRoot: string,
    path: string,
    fill: (file: Deno.FsFile) => Promise<T>,
  ): Promise<T> {
    if (path === realRoot) throw new ShipError("validation_error", `${rel} is a directory`);
    try {
      const existing = await statOrNull(path);
      if (existing?.isDirectory) throw new ShipError("validation_error", `${rel} is a directory`);
      await ensureDir(realRoot, posix.dirname(path), this.owner);
      return await replaceAtomically(path, fill, { owner: this.owner });
    } catch (e) {
      throw mapFsError(e, rel);
    }
  }

  async #entry(
    realRoot: string,
    full: string,
    name: string,
    visibleDir: string,
  ): Promise<DirEntry | null> {
    let info = await Deno.lstat(full).catch(() => null);
    if (info === null) return null; // vanished since readDir
    const mtime = info.mtime;
    if (info.isSymlink) {
      const real = await Deno.realPath(full).catch(() => null);
      info = real !== null && isInside(realRoot, real) ? await statOrNull(real) : null;
    }
    const isFile = info?.isFile ?? false;
    const isDir = info?.isDirectory ?? false;
    return {
      name,
      path: posix.join(visibleDir, name),
      is_file: isFile,
      is_dir: isDir,
      size: isFile ? info!.size : null,
      modified_time: ((info?.mtime ?? mtime)?.getTime() ?? 0) / 1000,
    };
  }
}
