import assert from "node:assert/strict";
import { join } from "node:path";
import { json, text, withMcp } from "./_test_mcp.ts";

const PNG_1PX =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

Deno.test("file tools: write, read, edit, list, delete; inline upload and download", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const w = json(
      await call("write_file", { sandbox_id: id, path: "dir/a.txt", content: "hi there" }),
    );
    assert.deepEqual(w, { status: "ok", path: "dir/a.txt", size: 8 });
    assert.equal(text(await call("read_file", { sandbox_id: id, path: "dir/a.txt" })), "hi there");

    const e = json(
      await call("edit_file", {
        sandbox_id: id,
        path: "dir/a.txt",
        old_string: "there",
        new_string: "MCP",
      }),
    );
    assert.equal(e.replacements, 1);
    assert.equal(text(await call("read_file", { sandbox_id: id, path: "dir/a.txt" })), "hi MCP");

    const binary = new Uint8Array([0, 159, 146, 150, 255, 1]);
    const up = json(
      await call("upload_file", {
        sandbox_id: id,
        content_base64: binary.toBase64(),
        sandbox_path: "dir/blob.bin",
      }),
    );
    assert.equal(up.size, 6);
    await call("write_file", {
      sandbox_id: id,
      path: "dot.png",
      content: PNG_1PX,
      encoding: "base64",
    });

    const listing = text(await call("list_files", { sandbox_id: id, path: "dir" }));
    assert.match(listing, /^dir: 2 entries\n/);
    assert.match(listing, /f a\.txt \(6 bytes\)/);
    assert.match(listing, /f blob\.bin \(6 bytes\)/);
    assert.match(text(await call("list_files", { sandbox_id: id })), /d dir\/\nf dot\.png/);

    const dlText = await call("download_file", { sandbox_id: id, sandbox_path: "dir/a.txt" });
    assert.equal(text(dlText), "hi MCP");
    const dlBin = await call("download_file", { sandbox_id: id, sandbox_path: "dir/blob.bin" });
    const res = dlBin.content.find((c) => c.type === "resource");
    assert.ok(res && res.type === "resource" && "blob" in res.resource);
    assert.deepEqual(Uint8Array.fromBase64(res.resource.blob as string), binary);
    const dlPng = await call("download_file", { sandbox_id: id, sandbox_path: "dot.png" });
    const img = dlPng.content.find((c) => c.type === "image");
    assert.ok(img && img.type === "image");
    assert.equal(img.mimeType, "image/png");
    assert.equal(img.data, PNG_1PX);

    assert.equal(json(await call("delete_file", { sandbox_id: id, path: "dir" })).status, "ok");
    const gone = await call("read_file", { sandbox_id: id, path: "dir/a.txt" });
    assert.equal(gone.isError, true);
    assert.match(text(gone), /file_not_found/);
  });
});

Deno.test("upload/download by local_path: refused unless local files are enabled", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const up = await call("upload_file", { sandbox_id: id, local_path: "/etc/hostname" });
    assert.equal(up.isError, true);
    assert.match(text(up), /error \[local_files_disabled\]/);
    const down = await call("download_file", {
      sandbox_id: id,
      sandbox_path: "x",
      local_path: "/tmp/x",
    });
    assert.match(text(down), /error \[local_files_disabled\]/);
    const both = await call("upload_file", {
      sandbox_id: id,
      local_path: "a",
      content_base64: "YQ==",
    });
    assert.match(text(both), /error \[validation_error\]: give exactly one/);
  });
});

Deno.test("upload/download by local_path with local files enabled; size limits", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-files-" });
  try {
    await withMcp({ localFiles: true, limits: { maxTransferBytes: 4096 } }, async ({ call }) => {
      const { id } = json(await call("create_sandbox", {}));
      const data = crypto.getRandomValues(new Uint8Array(3000));
      await Deno.writeFile(join(dir, "in.bin"), data);
      const up = json(
        await call("upload_file", { sandbox_id: id, local_path: join(dir, "in.bin") }),
      );
      assert.equal(up.path, "in.bin");
      assert.equal(up.size, 3000);

      const out = join(dir, "nested", "out.bin");
      const down = json(
        await call("download_file", {
          sandbox_id: id,
          sandbox_path: "in.bin",
          local_path: out,
        }),
      );
      assert.equal(down.size, 3000);
      assert.deepEqual(await Deno.readFile(out), data);

      await Deno.writeFile(join(dir, "big.bin"), new Uint8Array(5000));
      const big = await call("upload_file", { sandbox_id: id, local_path: join(dir, "big.bin") });
      assert.match(text(big), /error \[payload_too_large\]/);
      const missing = await call("upload_file", { sandbox_id: id, local_path: join(dir, "no") });
      assert.match(text(missing), /error \[local_file_not_found\]/);

      await call("execute_shell", { sandbox_id: id, command: "head -c 5000 /dev/zero > z.bin" });
      const tooBig = await call("download_file", {
        sandbox_id: id,
        sandbox_path: "z.bin",
        local_path: join(dir, "z.bin"),
      });
      assert.match(text(tooBig), /error \[payload_too_large\]/);
      await assert.rejects(Deno.stat(join(dir, "z.bin")), Deno.errors.NotFound);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
