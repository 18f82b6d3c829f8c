import assert from "node:assert/strict";
import { WorkspaceFs } from "./ops.ts";
import { encodeBase64, namesIn, rejectsWith, withWorkspace } from "./testing.ts";

Deno.test("ops: text round trip, parents created, overwrite, BOM kept", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    const text = "\uFEFFhéllo\n日本語 🚀\r\n";
    await fs.writeFile("a/b/c.txt", text, "utf-8");
    assert.equal((await fs.readText("a/b/c.txt", 1024)).content, text);
    assert.deepEqual(
      await Deno.readFile(`${root}/a/b/c.txt`),
      new TextEncoder().encode(text),
    );
    await fs.writeFile("a/b/c.txt", "short", "utf-8");
    assert.equal((await fs.readText("./a/x/../b/c.txt", 1024)).content, "short");
    await fs.writeFile("empty.txt", "", "utf-8");
    assert.equal((await fs.readText("empty.txt", 1)).content, "");
  });
});

Deno.test("ops: base64 round trip is byte for byte, binary refuses text read", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    await fs.writeFile("bin/all.bin", encodeBase64(bytes), "base64");
    assert.deepEqual(await Deno.readFile(`${root}/bin/all.bin`), bytes);
    const e = await rejectsWith(fs.readText("bin/all.bin", 1 << 20), "validation_error");
    assert.match(e.message, /download/);
    // invalid UTF-8 without NUL
    await fs.writeFile("latin1.txt", encodeBase64(new Uint8Array([0x68, 0xe9, 0x6c])), "base64");
    await rejectsWith(fs.readText("latin1.txt", 100), "validation_error");
    // whitespace in base64 is fine, garbage is not
    await fs.writeFile("ws.txt", "aGVs\nbG8=", "base64");
    assert.equal((await fs.readText("ws.txt", 100)).content, "hello");
    for (const bad of ["!!!!", "aGVsbG8=x", "aGV-bG8_"]) {
      await rejectsWith(fs.writeFile("bad.bin", bad, "base64"), "validation_error");
    }
    await assert.rejects(Deno.lstat(`${root}/bad.bin`), Deno.errors.NotFound);
  });
});

Deno.test("ops: read errors — missing, directory, too large", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await rejectsWith(fs.readText("nope.txt", 10), "file_not_found");
    await rejectsWith(fs.readText("nodir/nope.txt", 10), "file_not_found");
    await fs.writeFile("f.txt", "0123456789", "utf-8");
    await rejectsWith(fs.readText("f.txt/x", 10), "file_not_found");
    assert.equal((await fs.readText("f.txt", 10)).content, "0123456789");
    // a huge limit does not allocate a huge buffer
    assert.equal((await fs.readText("f.txt", 2 ** 40)).content, "0123456789");
    const e = await rejectsWith(fs.readText("f.txt", 9), "validation_error");
    assert.match(e.message, /download/);
    await Deno.mkdir(`${root}/d`);
    await rejectsWith(fs.readText("d", 10), "validation_error");
    await rejectsWith(fs.readText(".", 10), "validation_error");
    await rejectsWith(fs.writeFile("d", "x", "utf-8"), "validation_error");
    await rejectsWith(fs.writeFile(".", "x", "utf-8"), "validation_error");
    await rejectsWith(fs.writeFile("f.txt/inner.txt", "x", "utf-8"), "validation_error");
    const fifo = new Deno.Command("mkfifo", { args: [`${root}/pipe`] });
    if ((await fifo.output()).success) {
      await rejectsWith(fs.readText("pipe", 10), "validation_error");
    }
  });
});

Deno.test("ops: write keeps the mode of the file it replaces and leaves no temp file", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await fs.writeFile("run.sh", "#!/bin/sh\necho 1\n", "utf-8");
    await Deno.chmod(`${root}/run.sh`, 0o4755); // setuid is dropped on rewrite
    await fs.writeFile("run.sh", "#!/bin/sh\necho 2\n", "utf-8");
    assert.equal((await Deno.stat(`${root}/run.sh`)).mode! & 0o7777, 0o755);
    assert.equal(await Deno.stat(`${root}/new.txt`).catch(() => null), null);
    await fs.writeFile("new.txt", "x", "utf-8");
    assert.equal((await Deno.stat(`${root}/new.txt`)).mode! & 0o777, 0o644);
    assert.deepEqual(await namesIn(root), ["new.txt", "run.sh"]);
  });
});

Deno.test("ops: list orders dirs first then lowercase name, hides dot-files", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root, { visibleRoot: "/workspace" });
    await fs.writeFile("b.txt", "bb", "utf-8");
    await fs.writeFile("A.txt", "a", "utf-8");
    await fs.writeFile("c/inner.txt", "x", "utf-8");
    await fs.writeFile("Zdir/x", "x", "utf-8");
    await fs.writeFile(".env", "SECRET=1", "utf-8");
    await Deno.mkdir(`${root}/.git`);
    await Deno.symlink("b.txt", `${root}/link-in`);
    await Deno.symlink("/etc/passwd", `${root}/link-out`);
    await Deno.symlink("missing", `${root}/link-dangling`);
    const { entries } = await fs.list(".", false);
    assert.deepEqual(entries.map((e) => e.name), [
      "c",
      "Zdir",
      "A.txt",
      "b.txt",
      "link-dangling",
      "link-in",
      "link-out",
    ]);
    const byName = Object.fromEntries(entries.map((e) => [e.name, e]));
    assert.deepEqual(
      { ...byName["b.txt"], modified_time: 0 },
      {
        name: "b.txt",
        path: "/workspace/b.txt",
        is_file: true,
        is_dir: false,
        size: 2,
        modified_time: 0,
      },
    );
    assert.ok(Math.abs(byName["b.txt"].modified_time - Date.now() / 1000) < 60);
    assert.equal(byName.c.size, null);
    assert.equal(byName.c.is_dir, true);
    assert.equal(byName["link-in"].size, 2); // described by its target inside the root
    assert.deepEqual(
      [byName["link-out"].is_file, byName["link-out"].is_dir, byName["link-out"].size],
      [false, false, null],
    );
    assert.equal(byName["link-dangling"].size, null);
    const hidden = await fs.list(".", true);
    assert.deepEqual(hidden.entries.slice(0, 3).map((e) => e.name), [".git", "c", "Zdir"]);
    assert.ok(hidden.entries.some((e) => e.name === ".env"));
    const sub = await fs.list("c", false);
    assert.deepEqual(sub.entries.map((e) => e.path), ["/workspace/c/inner.txt"]);
    await rejectsWith(fs.list("b.txt", false), "validation_error");
    await rejectsWith(fs.list("missing", false), "file_not_found");
  });
});

Deno.test("ops: remove files, trees and links; missing and root refused", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await fs.writeFile("t/a/b/c.txt", "x", "utf-8");
    await fs.writeFile("f.txt", "x", "utf-8");
    await fs.remove("f.txt");
    await fs.remove("t");
    assert.deepEqual(await namesIn(root), []);
    await rejectsWith(fs.remove("f.txt"), "file_not_found");
    await rejectsWith(fs.remove("nodir/f.txt"), "file_not_found");
    await rejectsWith(fs.remove("."), "invalid_path", "root_path");
    await rejectsWith(fs.remove("a/.."), "invalid_path", "root_path");
    await Deno.symlink("nowhere", `${root}/dangling`);
    await fs.remove("dangling");
    assert.deepEqual(await namesIn(root), []);
  });
});

Deno.test("ops: edit — unique, replace_all, absent, ambiguous, identical, empty", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await fs.writeFile("e.py", "x = 1\ny = 1\nprint('$&')\n", "utf-8");
    assert.deepEqual(await fs.edit("e.py", "x = 1", "x = 2", false), { replacements: 1 });
    assert.deepEqual(await fs.edit("e.py", "'$&'", "'$1'", false), { replacements: 1 });
    assert.equal((await fs.readText("e.py", 100)).content, "x = 2\ny = 1\nprint('$1')\n");
    const amb = await rejectsWith(fs.edit("e.py", "= ", "== ", false), "validation_error");
    assert.match(amb.message, /2 times/);
    assert.deepEqual(await fs.edit("e.py", "= ", "== ", true), { replacements: 2 });
    await rejectsWith(fs.edit("e.py", "absent", "x", false), "validation_error");
    await rejectsWith(fs.edit("e.py", "y", "y", false), "validation_error");
    await rejectsWith(fs.edit("e.py", "", "y", false), "validation_error");
    await rejectsWith(fs.edit("missing.py", "a", "b", false), "file_not_found");
    assert.equal((await fs.readText("e.py", 100)).content, "x == 2\ny == 1\nprint('$1')\n");
  });
});

Deno.test({
  name: "ops: created files and directories are chowned to the owner (root only)",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    await withWorkspace(async ({ root }) => {
      const fs = new WorkspaceFs(root, { owner: { uid: 1000, gid: 1000 } });
      await fs.writeFile("p/q/r.txt", "x", "utf-8");
      await fs.upload("p/up.bin", new Blob(["abc"]).stream(), 10);
      await fs.edit("p/q/r.txt", "x", "y", false);
      for (const rel of ["p", "p/q", "p/q/r.txt", "p/up.bin"]) {
        const info = await Deno.stat(`${root}/${rel}`);
        assert.deepEqual([info.uid, info.gid], [1000, 1000], rel);
      }
      assert.equal((await Deno.stat(root)).uid, 0); // pre-existing root untouched
    });
  },
});
