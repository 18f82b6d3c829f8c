import assert from "node:assert/strict";
import { bayTest, withBay } from "./_test_bay.ts";
import { FileNotFoundError, InvalidPathError, ValidationError } from "./mod.ts";

bayTest("files: text and bytes, list, edit, delete, upload and download", async () => {
  await withBay({}, async ({ client }) => {
    const sb = await client().createSandbox();
    await sb.files.write("docs/a.txt", "héllo\nworld\n");
    assert.equal(await sb.files.read("docs/a.txt"), "héllo\nworld\n");
    assert.equal(await sb.files.read("docs/../docs/a.txt"), "héllo\nworld\n");

    const bytes = new Uint8Array(256).map((_, i) => i);
    await sb.files.write("bin/all.bin", bytes);
    assert.deepEqual(await sb.files.readBytes("bin/all.bin"), bytes);
    await assert.rejects(() => sb.files.read("bin/all.bin"), ValidationError, "binary → download");

    await sb.files.write(".hidden", "h");
    const top = await sb.files.list();
    assert.deepEqual(top.map((e) => e.name), ["bin", "docs"], "dirs first, dot-files hidden");
    assert.ok(top[0].is_dir);
    assert.ok((await sb.files.list(".", { showHidden: true })).some((e) => e.name === ".hidden"));
    const docs = await sb.files.list("docs");
    assert.equal(docs[0].name, "a.txt");
    assert.equal(docs[0].size, new TextEncoder().encode("héllo\nworld\n").length);
    assert.ok(docs[0].is_file);

    assert.equal(await sb.files.edit("docs/a.txt", "world", "there"), 1);
    assert.equal(await sb.files.read("docs/a.txt"), "héllo\nthere\n");
    await sb.files.write("docs/b.txt", "x x x");
    await assert.rejects(() => sb.files.edit("docs/b.txt", "x", "y"), ValidationError);
    assert.equal(await sb.files.edit("docs/b.txt", "x", "y", { replaceAll: true }), 3);

    const fromBytes = await sb.files.upload("up/one.bin", bytes);
    assert.deepEqual(fromBytes, { status: "ok", path: "up/one.bin", size: 256 });
    const fromBlob = await sb.files.upload("up/two.txt", new Blob(["blob ", "parts"]));
    assert.equal(fromBlob.size, 10);
    const stream = new Blob([bytes, bytes]).stream();
    assert.equal((await sb.files.upload("up/three.bin", stream)).size, 512);
    assert.equal(await sb.files.read("up/two.txt"), "blob parts");
    const dl = await sb.files.download("up/three.bin");
    const back = new Uint8Array(await new Response(dl).arrayBuffer());
    assert.deepEqual(back, new Uint8Array([...bytes, ...bytes]));

    await sb.files.delete("up");
    await assert.rejects(() => sb.files.read("up/two.txt"), FileNotFoundError);
    await assert.rejects(() => sb.files.delete("up"), FileNotFoundError);
    await assert.rejects(() => sb.files.download("nope.bin"), FileNotFoundError);
    const bad = await sb.files.read("/etc/passwd").catch((e) => e);
    assert.ok(bad instanceof InvalidPathError);
    assert.equal(bad.details.reason, "absolute_path");
    assert.equal(bad.details.field, "path");
    await assert.rejects(() => sb.files.write("../x", "x"), InvalidPathError);
  });
});
