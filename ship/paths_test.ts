import assert from "node:assert/strict";
import { posix } from "node:path";
import fc from "fast-check";
import { checkRelativePath, describePathReason, type PathReason } from "./paths.ts";

function reasonOf(path: string): PathReason | "ok" {
  const r = checkRelativePath(path);
  return r.ok ? "ok" : r.reason;
}

function normalized(path: string): string {
  const r = checkRelativePath(path);
  assert.ok(r.ok, `expected ${JSON.stringify(path)} to be accepted`);
  return r.normalized;
}

Deno.test("paths: traversal corpus is refused with the right reason", () => {
  const corpus: [string, PathReason][] = [
    ["", "empty_path"],
    ["   ", "empty_path"],
    ["\t\n", "empty_path"],
    ["./ ", "empty_path"],
    ["a\u0000b", "null_byte"],
    ["\u0000", "null_byte"],
    ["/etc/passwd", "absolute_path"],
    ["/", "absolute_path"],
    ["\\windows\\system32", "absolute_path"],
    ["a/../\\x", "absolute_path"],
    ["..", "path_traversal"],
    ["../x", "path_traversal"],
    ["./..", "path_traversal"],
    ["a/../../x", "path_traversal"],
    ["a/b/../../..", "path_traversal"],
    ["a/./../../etc/passwd", "path_traversal"],
    ["../workspace/x", "path_traversal"],
    ["x".repeat(256), "too_long"],
    ["é".repeat(128), "too_long"], // 256 bytes, 128 UTF-16 units
    [`a/${"b".repeat(300)}/c`, "too_long"],
    [Array.from({ length: 2100 }, () => "ab").join("/"), "too_long"],
  ];
  for (const [path, reason] of corpus) {
    assert.equal(reasonOf(path), reason, JSON.stringify(path).slice(0, 60));
  }
});

Deno.test("paths: accepted paths normalise lexically", () => {
  const cases: [string, string][] = [
    [".", "."],
    ["./", "."],
    ["a/..", "."],
    ["a/../b.txt", "b.txt"],
    ["a/b/../c/./d.txt", "a/c/d.txt"],
    ["a//b///c", "a/b/c"],
    ["dir/", "dir"],
    [".hidden", ".hidden"],
    ["..foo", "..foo"],
    ["foo..", "foo.."],
    ["...", "..."],
    ["%2e%2e/x", "%2e%2e/x"],
    ["a\\..\\..\\x", "a\\..\\..\\x"],
    [" spaced name ", " spaced name "],
    ["x".repeat(255), "x".repeat(255)],
    ["日本語/ファイル.txt", "日本語/ファイル.txt"],
  ];
  for (const [input, out] of cases) assert.equal(normalized(input), out, input);
});

Deno.test("paths: every reason has a message", () => {
  for (
    const r of ["empty_path", "null_byte", "absolute_path", "path_traversal", "too_long"] as const
  ) {
    assert.ok(describePathReason(r).length > 0);
  }
});

const segment = fc.oneof(
  fc.constantFrom("..", ".", "", "a", "b", ".env", "..x", "%2e%2e", "\\..", " "),
  fc.string({ minLength: 1, maxLength: 12 }),
);
const pathArb = fc.array(segment, { maxLength: 12 }).map((s) => s.join("/"));

Deno.test("paths: property — accepted output is confined and canonical", () => {
  fc.assert(
    fc.property(fc.oneof(pathArb, fc.string({ maxLength: 64 })), (input) => {
      const r = checkRelativePath(input);
      if (!r.ok) return;
      const out = r.normalized;
      assert.ok(!out.startsWith("/"));
      assert.ok(!out.includes("\0"));
      assert.ok(out.length > 0);
      const parts = out.split("/");
      if (out !== ".") {
        for (const p of parts) assert.ok(p !== "" && p !== "." && p !== "..", out);
      }
      assert.notEqual(parts[0], "..");
      for (const root of ["/workspace", "/", "/srv/ws"]) {
        const joined = posix.resolve(root, out);
        assert.ok(joined === root || joined.startsWith(root === "/" ? "/" : `${root}/`), joined);
      }
      // Idempotent: normalising again changes nothing.
      assert.deepEqual(checkRelativePath(out), { ok: true, normalized: out });
    }),
    { numRuns: 2000 },
  );
});

Deno.test("paths: property — agrees with a depth model of `..`", () => {
  fc.assert(
    fc.property(fc.array(segment, { minLength: 1, maxLength: 12 }), (segs) => {
      const input = segs.join("/");
      if (input.trim() === "" || input.includes("\0") || input.startsWith("/")) return;
      const reason = reasonOf(input);
      if (reason === "absolute_path" || reason === "empty_path") return;
      let depth = 0;
      let escaped = false;
      for (const s of input.split("/")) {
        if (s === "..") depth--;
        else if (s !== "" && s !== ".") depth++;
        if (depth < 0) escaped = true;
      }
      const r = checkRelativePath(input);
      assert.equal(r.ok ? "ok" : r.reason, escaped ? "path_traversal" : "ok", input);
      if (r.ok) assert.equal(posix.resolve("/w", r.normalized), posix.resolve("/w", input));
    }),
    { numRuns: 2000 },
  );
});

Deno.test("paths: property — NUL and leading slash are always refused", () => {
  fc.assert(
    fc.property(pathArb, pathArb, (a, b) => {
      assert.equal(checkRelativePath(`${a}\0${b}`).ok, false);
      assert.equal(reasonOf(`/${a}`), "absolute_path");
    }),
  );
});
