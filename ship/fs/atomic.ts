/**
 * Shared building blocks of the file operations: error mapping, directory
 * creation with ownership, and atomic replacement of a file through a temp
 * file in the same directory plus `rename(2)`.
 *
 * @module
 */
import { posix } from "node:path";
import { ShipError } from "../errors.ts";

/** uid/gid that every file and directory the ship creates is chowned to. */
export interface Owner {
  uid: number;
  gid: number;
}

/** Name prefix of the ship's temp files; they are dot-files and never listed. */
export const TEMP_PREFIX = ".shipyard-tmp-";

/** Mode of newly created files and directories (before ownership is applied). */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

function errno(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Whether `e` is "no space left" (ENOSPC) or a disk quota error (EDQUOT). */
export function isNoSpace(e: unknown): boolean {
  const code = errno(e);
  if (code === "ENOSPC" || code === "EDQUOT") return true;
  const msg = e instanceof Error ? e.message : "";
  return /os error (28|122)\)/.test(msg);
}

/** Whether `e` is "file name too long" (ENAMETOOLONG). */
export function isNameTooLong(e: unknown): boolean {
  return errno(e) === "ENAMETOOLONG" ||
    /os error 36\)/.test(e instanceof Error ? e.message : "");
}

/**
 * Translate a filesystem error into the contract's codes: missing →
 * `file_not_found` (also when a component is a file), no space or quota →
 * `quota_exceeded`, a directory where a file is expected → `validation_error`, a
 * name too long for the filesystem → `invalid_path` (`too_long`). Anything
 * else, including a `ShipError`, is returned unchanged (the channel reports unknown errors as `ship_error`).
 */
export function mapFsError(e: unknown, rel: string): unknown {
  if (e instanceof ShipError) return e;
  if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) {
    // ENOTDIR: a component of the path is a file, so the path does not exist either.
    return new ShipError("file_not_found", `file not found: ${rel}`, { path: rel });
  }
  if (isNoSpace(e)) return new ShipError("quota_exceeded", "no space left in the cargo");
  if (isNameTooLong(e)) {
    // Lexically fine (≤ 4096 bytes) but too long once joined under the workspace root.
    return new ShipError("invalid_path", "path: path is too long for the filesystem", {
      field: "path",
      reason: "too_long",
    });
  }
  if (e instanceof Deno.errors.IsADirectory) {
    return new ShipError("validation_error", `${rel} is a directory`);
  }
  return e;
}

/** `stat` that answers null for a missing path instead of throwing. */
export async function statOrNull(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return null;
    throw e;
  }
}

/**
 * Create directory `dir` (a path below `realRoot` without symlinks in its
 * existing prefix) and its missing ancestors, chowning each one created.
 */
export async function ensureDir(realRoot: string, dir: string, owner?: Owner): Promise<void> {
  const rel = dir === realRoot ? "" : posix.relative(realRoot, dir);
  let cur = realRoot;
  for (const part of rel.split("/").filter((p) => p !== "")) {
    cur = posix.join(cur, part);
    let info: Deno.FileInfo | null = null;
    try {
      info = await Deno.lstat(cur);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    if (info === null) {
      try {
        await Deno.mkdir(cur, { mode: DIR_MODE });
        if (owner) await Deno.chown(cur, owner.uid, owner.gid);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e; // lost a race: fine
      }
    } else if (!info.isDirectory) {
      throw new ShipError(
        "validation_error",
        `${posix.relative(realRoot, cur)} is not a directory`,
      );
    }
  }
}

/** Write all of `data` to `file` (a single `write` may be partial). */
export async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.byteLength) off += await file.write(data.subarray(off));
}

function randomSuffix(): string {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Options of {@link replaceAtomically}. */
export interface ReplaceOptions {
  /** Chown the new file to this owner. */
  owner?: Owner;
  /**
   * Mode of the new file; defaults to the permission bits of the file it
   * replaces (setuid/setgid/sticky dropped: the content is user-supplied), else 0644.
   */
  mode?: number;
}

/**
 * Replace `target` with a file whose content `fill` writes: the content goes
 * to a fresh temp file in the same directory (created with O_EXCL, so a
 * planted symlink is never followed), is fsynced, then renamed over `target`.
 * A crash or error leaves either the old file or the new one, never half a
 * file; on error the temp file is removed and the error rethrown.
 *
 * @returns whatever `fill` returns
 */
export async function replaceAtomically<T>(
  target: string,
  fill: (file: Deno.FsFile) => Promise<T>,
  opts: ReplaceOptions = {},
): Promise<T> {
  const existing = await statOrNull(target);
  const mode = opts.mode ??
    (existing?.isFile && existing.mode !== null ? existing.mode & 0o777 : FILE_MODE);
  const temp = posix.join(posix.dirname(target), `${TEMP_PREFIX}${randomSuffix()}`);
  const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
  let closed = false;
  try {
    if (opts.owner) await Deno.chown(temp, opts.owner.uid, opts.owner.gid);
    await Deno.chmod(temp, mode);
    const result = await fill(file);
    await file.syncData();
    file.close();
    closed = true;
    await Deno.rename(temp, target);
    return result;
  } catch (e) {
    if (!closed) file.close();
    await Deno.remove(temp).catch(() => {});
    throw e;
  }
}
