import assert from "node:assert/strict";
import { resolveEntryInWorkspace, resolveInWorkspace } from "./resolve.ts";
import { WorkspaceFs } from "./ops.ts";
import { assertOutsideIntact, rejectsWith, streamOf, withWorkspace } from "./testing.ts";

Deno.test("resolve: lexical refusals carry field and reason", async () => {
  await withWorkspace(async ({ root }) => {
    const corpus: [string, string][] = [
      ["", "empty_path"],
      ["a\u0000b", "null_byte"],
      ["/etc/passwd", "absolute_path"],
      ["..", "path_traversal"],
      ["../x", "path_traversal"],
      ["a/../../x", "path_traversal"],
      ["n".repeat(300), "too_long"],
    ];
    for (const [rel, reason] of corpus) {
      const e = await rejectsWith(resolveInWorkspace(root, rel, "cwd"), "invalid_path", reason);
      assert.equal(e.details?.field, "cwd");
    }
  });
});

Deno.test("resolve: plain, missing and literal paths stay under the root", async () => {
  await withWorkspace(async ({ root }) => {
    await Deno.mkdir(`${root}/a`);
    assert.equal(await resolveInWorkspace(root, ".", "path"), root);
    assert.equal(await resolveInWorkspace(root, "a/../b.txt", "path"), `${root}/b.txt`);
    assert.equal(
      await resolveInWorkspace(root, "a/new/deeper.txt", "path"),
      `${root}/a/new/deeper.txt`,
    );
    assert.equal(await resolveInWorkspace(root, "%2e%2e/x", "path"), `${root}/%2e%2e/x`);
    assert.equal(await resolveInWorkspace(root, ".env", "path"), `${root}/.env`);
  });
});

Deno.test("resolve: symlinks inside the root are followed", async () => {
  await withWorkspace(async ({ root }) => {
    await Deno.mkdir(`${root}/real`);
    await Deno.symlink("real", `${root}/alias`);
    await Deno.symlink("alias", `${root}/alias2`); // chain
    await Deno.symlink("real/missing.txt", `${root}/dangling-in`);
    assert.equal(await resolveInWorkspace(root, "alias2/f.txt", "path"), `${root}/real/f.txt`);
    assert.equal(await resolveInWorkspace(root, "dangling-in", "path"), `${root}/real/missing.txt`);
  });
});

Deno.test("resolve: symlink escapes are refused", async () => {
  await withWorkspace(async ({ root, outside }) => {
    await Deno.symlink("/etc", `${root}/etc`);
    await Deno.symlink("..", `${root}/up`);
    await Deno.symlink(outside, `${root}/out`);
    await Deno.symlink("out", `${root}/chain1`); // dir symlink chain leading out
    await Deno.symlink("chain1/sub", `${root}/chain2`);
    await Deno.symlink(`${outside}/nope/new.txt`, `${root}/dangling-out`);
    await Deno.mkdir(`${root}/x`);
    await Deno.symlink("missing/../../../outside", `${root}/x/tricky`);
    // Lexically `x/missing/../../out` is `out`, an unresolved link to outside.
    await Deno.symlink("missing/../../out", `${root}/x/evil`);
    await Deno.symlink("loop-b", `${root}/loop-a`);
    await Deno.symlink("loop-a", `${root}/loop-b`);
    for (
      const rel of [
        "etc/passwd",
        "etc",
        "up",
        "up/outside/secret.txt",
        "out/secret.txt",
        "chain2/deep.txt",
        "chain2/brand-new.txt",
        "dangling-out",
        "x/tricky/secret.txt",
        "x/evil/new.txt",
      ]
    ) {
      await rejectsWith(resolveInWorkspace(root, rel, "path"), "invalid_path", "path_traversal");
    }
    await rejectsWith(resolveInWorkspace(root, "loop-a/f", "path"), "validation_error");
  });
});

Deno.test("resolve: entry resolution keeps the last component", async () => {
  await withWorkspace(async ({ root, outside }) => {
    await Deno.symlink(outside, `${root}/out`);
    const r = await resolveEntryInWorkspace(root, "out", "path");
    assert.equal(r.path, `${root}/out`);
    await rejectsWith(resolveEntryInWorkspace(root, "out/secret.txt", "path"), "invalid_path");
    assert.equal((await resolveEntryInWorkspace(root, "a/..", "path")).normalized, ".");
  });
});

Deno.test("ops: every operation refuses symlink escapes and leaves outside intact", async () => {
  await withWorkspace(async ({ root, outside }) => {
    const fs = new WorkspaceFs(root);
    await Deno.symlink(outside, `${root}/out`);
    await Deno.symlink("..", `${root}/up`);
    await Deno.symlink("out", `${root}/chain`);
    await Deno.symlink(`${outside}/secret.txt`, `${root}/secret-link`);
    const via = ["out/secret.txt", "up/outside/secret.txt", "chain/sub/deep.txt", "secret-link"];
    const bad = (p: Promise<unknown>) => rejectsWith(p, "invalid_path", "path_traversal");
    for (const rel of via) {
      await bad(fs.readText(rel, 1024));
      await bad(fs.writeFile(rel, "pwned", "utf-8"));
      await bad(fs.edit(rel, "secret", "pwned", false));
      await bad(fs.upload(rel, streamOf(new Uint8Array([1, 2, 3])), 1024));
      await bad(fs.openDownload(rel));
    }
    for (const rel of ["out", "up", "chain", "chain/sub"]) await bad(fs.list(rel, true));
    for (const rel of ["out/secret.txt", "chain/sub", "up/outside"]) await bad(fs.remove(rel));
    await bad(fs.writeFile("out/new/file.txt", "x", "utf-8"));
    await assertOutsideIntact(outside);

    // Deleting the link itself removes the link, never its target.
    await fs.remove("out");
    await fs.remove("secret-link");
    await assert.rejects(Deno.lstat(`${root}/out`), Deno.errors.NotFound);
    await assertOutsideIntact(outside);
  });
});

Deno.test("ops: a symlink inside the root pointing inside works", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await fs.writeFile("real/f.txt", "hello", "utf-8");
    await Deno.symlink("real", `${root}/alias`);
    assert.equal((await fs.readText("alias/f.txt", 100)).content, "hello");
    await fs.writeFile("alias/f.txt", "bye", "utf-8");
    assert.equal(await Deno.readTextFile(`${root}/real/f.txt`), "bye");
    assert.ok((await Deno.lstat(`${root}/alias`)).isSymlink);
  });
});
