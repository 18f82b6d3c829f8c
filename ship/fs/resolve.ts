/**
 * Resolve a workspace-relative path to a real path that provably stays inside
 * the workspace root, following symlinks.
 *
 * Two steps: the lexical check of `ship/paths.ts` (the same code Bay runs), then
 * symlink resolution. An existing path is resolved with `Deno.realPath`; a path
 * whose tail does not exist yet (a file about to be written) is resolved
 * component by component with `lstat`/`readLink`, so a dangling symlink is
 * followed to where it *would* lead rather than being written through blindly.
 * The result must equal the real root or lie below it, else `invalid_path` with
 * reason `path_traversal`.
 *
 * Symlinks and delete: {@link resolveEntryInWorkspace} resolves every component
 * except the last, which is kept as a directory entry. Deleting `link` therefore
 * unlinks the link itself, even when it points outside the root; the target is
 * never touched, so that is safe and lets users clean up links they made.
 * Deleting *through* a link (`link/file` where `link` leaves the root) is
 * refused like every other operation.
 *
 * Hard links: a hard link to a file outside the workspace would pass these
 * checks. User code cannot create one in production: the workspace is its own
 * mount (cargo volume) and `link(2)` fails with EXDEV across mounts, and
 * protected_hardlinks forbids linking files the user does not own.
 *
 * Races: between this check and the operation, user code running concurrently
 * could swap a checked directory for a symlink (TOCTOU). Deno has no `openat` /
 * `O_NOFOLLOW` API to close that window; the ops minimise it (temp files are
 * created with O_EXCL, renames do not follow the final link).
 *
 * @module
 */
import { posix } from "node:path";
import { ShipError } from "../errors.ts";
import { checkRelativePath, describePathReason, type PathReason } from "../paths.ts";
import { isNameTooLong } from "./atomic.ts";

/** Most symlinks followed while resolving one path (Linux MAXSYMLINKS). */
const MAX_LINKS = 40;

/** A resolved workspace path. */
export interface ResolvedPath {
  /** Real path of the workspace root. */
  realRoot: string;
  /** The lexically normalised relative path (`.` for the root). */
  normalized: string;
  /** Absolute path to operate on. */
  path: string;
}

/** The `invalid_path` error for `field`, with details `{field, reason}`. */
export function invalidPath(
  field: string,
  reason: PathReason | "root_path",
  msg?: string,
): ShipError {
  const text = msg ??
    (reason === "root_path"
      ? "the workspace root itself cannot be used here"
      : describePathReason(reason));
  return new ShipError("invalid_path", `${field}: ${text}`, { field, reason });
}

/** Whether absolute path `p` is `root` or lies below it. */
export function isInside(root: string, p: string): boolean {
  if (root === "/") return p.startsWith("/");
  return p === root || p.startsWith(`${root}/`);
}

/** The relative path of `p` below `root` (`.` for the root itself). */
export function relativeTo(root: string, p: string): string {
  return p === root ? "." : posix.relative(root, p);
}

function isMissing(e: unknown): boolean {
  return e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory;
}

function loopError(): ShipError {
  return new ShipError("validation_error", "too many levels of symbolic links");
}

/** Follow `rest` below real directory `start` like the kernel, tolerating a missing tail. */
async function walk(start: string, rest: string[], field: string): Promise<string> {
  let cur = start;
  const pending = rest.filter((c) => c !== "" && c !== ".");
  let links = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === "" || c === ".") continue;
    if (c === "..") {
      cur = posix.dirname(cur);
      continue;
    }
    const next = posix.join(cur, c);
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(next);
    } catch (e) {
      if (!isMissing(e)) throw e;
      // The kernel fails `missing/..` with ENOENT; appending it lexically could land on
      // an unresolved symlink (`dangling -> missing/../link-to-etc`), so refuse it.
      if (pending.includes("..")) throw invalidPath(field, "path_traversal");
      return posix.join(next, ...pending);
    }
    if (!info.isSymlink) {
      cur = next;
      continue;
    }
    if (++links > MAX_LINKS) throw loopError();
    const target = await Deno.readLink(next);
    if (target.startsWith("/")) cur = "/";
    pending.unshift(...target.split("/"));
  }
  return cur;
}

/** Real path of an absolute path below `realRoot`, following every symlink. */
async function realFollow(realRoot: string, normalized: string, field: string): Promise<string> {
  const joined = normalized === "." ? realRoot : posix.join(realRoot, normalized);
  try {
    return await Deno.realPath(joined);
  } catch (e) {
    if (e instanceof Deno.errors.FilesystemLoop) throw loopError();
    if (isNameTooLong(e)) throw invalidPath(field, "too_long");
    if (!isMissing(e)) throw e;
  }
  try {
    return await walk(realRoot, normalized === "." ? [] : normalized.split("/"), field);
  } catch (e) {
    // Lexically fine, but longer than PATH_MAX once joined under the root.
    if (isNameTooLong(e)) throw invalidPath(field, "too_long");
    throw e;
  }
}

function check(rel: string, field: string): string {
  const r = checkRelativePath(rel);
  if (!r.ok) throw invalidPath(field, r.reason);
  return r.normalized;
}

/**
 * Resolve `rel` under `root`, following symlinks, including the last component.
 *
 * @param root the workspace root (e.g. `/workspace`); resolved with `realPath` first
 * @param rel the user-supplied relative path
 * @param field the request field named in errors (`path`, `cwd`, ...)
 * @returns the details of the resolution; `path` is the real path
 * @throws ShipError `invalid_path` (lexical reasons or `path_traversal`), or
 *   `validation_error` for a symlink loop
 */
export async function resolveDetailed(
  root: string,
  rel: string,
  field: string,
): Promise<ResolvedPath> {
  const normalized = check(rel, field);
  const realRoot = await Deno.realPath(root);
  const path = await realFollow(realRoot, normalized, field);
  if (!isInside(realRoot, path)) throw invalidPath(field, "path_traversal");
  return { realRoot, normalized, path };
}

/**
 * Resolve `rel` under `root` to its real path (see {@link resolveDetailed}).
 * For a path that does not exist yet, the deepest existing ancestor is
 * resolved and the missing tail appended.
 */
export async function resolveInWorkspace(
  root: string,
  rel: string,
  field: string,
): Promise<string> {
  return (await resolveDetailed(root, rel, field)).path;
}

/**
 * Resolve `rel` as a directory entry: every component but the last is
 * followed, the last is kept as is, so a symlink there names the link itself.
 * Used for delete. `path` equals `realRoot` only for `.`.
 */
export async function resolveEntryInWorkspace(
  root: string,
  rel: string,
  field: string,
): Promise<ResolvedPath> {
  const normalized = check(rel, field);
  const realRoot = await Deno.realPath(root);
  if (normalized === ".") return { realRoot, normalized, path: realRoot };
  const parentRel = posix.dirname(normalized);
  const parent = await realFollow(realRoot, parentRel, field);
  if (!isInside(realRoot, parent)) throw invalidPath(field, "path_traversal");
  return { realRoot, normalized, path: posix.join(parent, posix.basename(normalized)) };
}
