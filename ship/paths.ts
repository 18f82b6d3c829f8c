/**
 * Lexical checks of workspace-relative paths (API.md §4 "Path rules").
 *
 * Pure: no Deno APIs, no I/O, so Bay validates request paths with exactly the
 * code the ship uses before it resolves symlinks (see `ship/fs/resolve.ts`).
 *
 * Rules, in the order they are checked:
 *  1. empty or whitespace-only (before or after normalisation) → `empty_path`
 *  2. contains a NUL byte → `null_byte`
 *  3. starts with `/` or `\`, or normalises to something starting with `\`
 *     → `absolute_path`
 *  4. longer than {@link MAX_PATH_BYTES} UTF-8 bytes, or one `/`-separated
 *     component longer than {@link MAX_COMPONENT_BYTES} → `too_long`
 *     (an addition: API.md §0 lists only the other four reasons)
 *  5. a `..` that climbs above the root after normalisation → `path_traversal`
 *
 * Normalisation splits on `/`, drops empty and `.` components and lets an inner
 * `..` cancel the component before it: `a/../b.txt` → `b.txt`, `./` → `.`,
 * `a/b/` → `a/b`. A backslash in any other position is an ordinary filename
 * character on Linux (`a\..\x` is one file name, not a traversal), and so are
 * percent signs: `%2e%2e/x` names a directory literally called `%2e%2e`.
 *
 * @module
 */

/** Why a path was refused. `too_long` is an addition to the contract's four reasons. */
export type PathReason =
  | "empty_path"
  | "null_byte"
  | "absolute_path"
  | "path_traversal"
  | "too_long";

/** Result of {@link checkRelativePath}. */
export type PathCheck =
  | { ok: true; normalized: string }
  | { ok: false; reason: PathReason };

/** Longest accepted path, in UTF-8 bytes (Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** Longest accepted single component, in UTF-8 bytes (Linux NAME_MAX). */
export const MAX_COMPONENT_BYTES = 255;

/** UTF-8 length of `s` without allocating (lone surrogates count as 3 bytes, like U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/**
 * Check and normalise a path relative to the workspace root.
 *
 * On success `normalized` is `.` for the root itself, otherwise a `/`-joined
 * list of components none of which is empty, `.` or `..`; it never starts with
 * `/` and never contains NUL, so joining it under any root stays under that root.
 */
export function checkRelativePath(path: string): PathCheck {
  if (path.trim() === "") return { ok: false, reason: "empty_path" };
  if (path.includes("\0")) return { ok: false, reason: "null_byte" };
  if (path.startsWith("/") || path.startsWith("\\")) return { ok: false, reason: "absolute_path" };
  if (path.length > MAX_PATH_BYTES || utf8Length(path) > MAX_PATH_BYTES) {
    return { ok: false, reason: "too_long" };
  }
  const stack: string[] = [];
  for (const part of path.split("/")) {
    if (part.length > MAX_COMPONENT_BYTES || utf8Length(part) > MAX_COMPONENT_BYTES) {
      return { ok: false, reason: "too_long" };
    }
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (stack.length === 0) return { ok: false, reason: "path_traversal" };
      stack.pop();
      continue;
    }
    stack.push(part);
  }
  // `a/../\\x` would normalise to a backslash-leading path that a second check refuses.
  if (stack.length > 0 && stack[0].startsWith("\\")) return { ok: false, reason: "absolute_path" };
  const normalized = stack.length === 0 ? "." : stack.join("/");
  // `./ ` would normalise to a whitespace-only path that a second check refuses.
  if (normalized.trim() === "") return { ok: false, reason: "empty_path" };
  return { ok: true, normalized };
}

/** A short human-readable message for a refused path. */
export function describePathReason(reason: PathReason): string {
  switch (reason) {
    case "empty_path":
      return "path is empty";
    case "null_byte":
      return "path contains a NUL byte";
    case "absolute_path":
      return "path must be relative to the workspace";
    case "path_traversal":
      return "path escapes the workspace";
    case "too_long":
      return `path is longer than ${MAX_PATH_BYTES} bytes or has a component longer than ${MAX_COMPONENT_BYTES} bytes`;
  }
}
