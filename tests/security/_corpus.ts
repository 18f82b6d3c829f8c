/**
 * The hostile path corpus. Each case is the string Bay receives after the
 * transport decoded it (`value`), optionally with the exact bytes to put in a
 * query string (`raw`), and what must happen:
 *
 * - `refuse`: 400 `invalid_path` with this `reason`, on every endpoint;
 * - `inside`: lexically fine (a literal, if odd, file name inside the
 *   workspace): any 2xx/4xx answer is acceptable as long as nothing outside
 *   the workspace is read or written.
 *
 * @module
 */

/** What a path must lead to. */
export type Expect = { refuse: string } | { inside: true };

/** One hostile path. */
export interface PathCase {
  label: string;
  value: string;
  /** Query-string encoding (default `encodeURIComponent(value)`). */
  raw?: string;
  expect: Expect;
}

const refuse = (reason: string): Expect => ({ refuse: reason });
const inside: Expect = { inside: true };
const c = (label: string, value: string, expect: Expect, raw?: string): PathCase => ({
  label,
  value,
  expect,
  raw,
});

/**
 * Paths Bay must refuse lexically. `climb` is a `../` run deep enough to reach
 * `/` from the workspace, `target` an absolute host path to aim at (a canary),
 * `neighbour` the cargo directory name of another sandbox.
 */
export function refusedCases(climb: string, target: string, neighbour: string): PathCase[] {
  return [
    c("dotdot", "..", refuse("path_traversal")),
    c("dotdot slash", "../", refuse("path_traversal")),
    c("parent file", "../x", refuse("path_traversal")),
    c("neighbour cargo", `../${neighbour}/canary.txt`, refuse("path_traversal")),
    c("climb to canary", `${climb}${target.slice(1)}/secret.txt`, refuse("path_traversal")),
    c("climb to /etc/passwd", `${climb}etc/passwd`, refuse("path_traversal")),
    c("inner escape", "a/../../x", refuse("path_traversal")),
    c("deep inner escape", "a/b/c/../../../../x", refuse("path_traversal")),
    c("dot then escape", "./../x", refuse("path_traversal")),
    c("doubled slashes", ".//..//x", refuse("path_traversal")),
    c("dots mixed", "a/./.././../x", refuse("path_traversal")),
    c("back into workspace name", "../workspace/x", refuse("path_traversal")),
    c("many dotdots", "../".repeat(1000) + "x", refuse("path_traversal")),
    c("%2e%2e decoded", "../x", refuse("path_traversal"), "%2e%2e%2fx"),
    c("%2E%2E upper", "../x", refuse("path_traversal"), "%2E%2E%2Fx"),
    c("mixed .%2e", "../x", refuse("path_traversal"), ".%2e/x"),
    c("mixed %2e.", "../x", refuse("path_traversal"), "%2e./x"),
    c("..%2f", "../x", refuse("path_traversal"), "..%2fx"),
    c("absolute etc", "/etc/passwd", refuse("absolute_path")),
    c("absolute canary", `${target}/secret.txt`, refuse("absolute_path")),
    c("double slash root", "//etc/passwd", refuse("absolute_path")),
    c("absolute workspace", "/workspace/x", refuse("absolute_path")),
    c("root slash", "/", refuse("absolute_path")),
    c("%2f absolute", "/etc/passwd", refuse("absolute_path"), "%2fetc%2fpasswd"),
    c("backslash absolute", "\\etc\\passwd", refuse("absolute_path")),
    c("unc", "\\\\host\\share", refuse("absolute_path")),
    c("normalises to backslash", "a/../\\x", refuse("absolute_path")),
    c("nul", "a\u0000b", refuse("null_byte")),
    c("nul only", "\u0000", refuse("null_byte")),
    c("nul then escape", "x\u0000/../..", refuse("null_byte")),
    c("%00", "a\u0000b", refuse("null_byte"), "a%00b"),
    c("%00 suffix", "x.txt\u0000.png", refuse("null_byte"), "x.txt%00.png"),
    c("empty", "", refuse("empty_path")),
    c("space", " ", refuse("empty_path")),
    c("tab newline", "\t\n", refuse("empty_path")),
    c("dot space", "./ ", refuse("empty_path")),
    c("4097 bytes", "a/".repeat(2048) + "b", refuse("too_long")),
    c("256-byte component", "a".repeat(256), refuse("too_long")),
    c("256-byte utf-8 component", "é".repeat(128), refuse("too_long")),
    c("long component then escape", "a".repeat(300) + "/../../x", refuse("too_long")),
  ];
}

/** Odd but lexically valid names: they must stay inside the workspace. */
export const insideCases: PathCase[] = [
  c("literal %2e%2e", "%2e%2e/x", inside, "%252e%252e/x"),
  c("double-encoded", "%2e%2e%2fx", inside, "%252e%252e%252fx"),
  c("literal %00", "%00", inside, "%2500"),
  c("overlong utf-8 dots", "%c0%ae%c0%ae/x", inside, "%25c0%25ae%25c0%25ae/x"),
  c("raw overlong bytes", "%c0%ae%c0%ae/y", inside, "%c0%ae%c0%ae/y"),
  c("backslash dotdot", "..\\x", inside),
  c("backslash climb", "a\\..\\..\\etc\\passwd", inside),
  c("one-dot leaders", "\u2024\u2024/x", inside),
  c("fullwidth dots", "\uff0e\uff0e/x", inside),
  c("division slash", "..\u2215x", inside),
  c("fraction slash", "..\u2044etc\u2044passwd", inside),
  c("fullwidth solidus", "..\uff0fx", inside),
  c("three dots", ".../x", inside),
  c("four dots", "..../x", inside),
  c("dotdot space", ".. /x", inside),
  c("space dotdot", " ../x", inside),
  c("tilde", "~/x", inside),
  c("file url", "file:///etc/passwd", inside),
  c("inner dotdot", "a/../b.txt", inside),
  c("trailing slash", "dir/", inside),
  c("dot file", ".hidden", inside),
  c("newline name", "a\nb", inside),
  c("rtl override", "\u202etxt.exe", inside),
  c("255-byte component", "b".repeat(255), inside),
  c("zero-width joiner dots", ".\u200d./x", inside),
];
