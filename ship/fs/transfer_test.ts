import assert from "node:assert/strict";
import { CHUNK_BYTES } from "../protocol.ts";
import { UPLOAD_BUFFER_BYTES } from "./transfer.ts";
import { WorkspaceFs } from "./ops.ts";
import { namesIn, patternStream, rejectsWith, streamOf, withWorkspace } from "./testing.ts";

const MiB = 1024 * 1024;

Deno.test("transfer: upload then download round trips in CHUNK_BYTES chunks", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    const data = new Uint8Array(CHUNK_BYTES * 2 + 123).map((_, i) => (i * 31) % 256);
    const parts = [data.subarray(0, 1000), data.subarray(1000, 300_000), data.subarray(300_000)];
    const res = await fs.upload("./up/../dl/file.bin", streamOf(...parts), data.byteLength);
    assert.deepEqual(res, { path: "dl/file.bin", size: data.byteLength });
    const { size, stream } = await fs.openDownload("dl/file.bin");
    assert.equal(size, data.byteLength);
    const chunks: Uint8Array[] = [];
    for await (const c of stream) chunks.push(c);
    assert.deepEqual(chunks.map((c) => c.byteLength), [CHUNK_BYTES, CHUNK_BYTES, 123]);
    const joined = new Uint8Array(size);
    chunks.reduce((off, c) => (joined.set(c, off), off + c.byteLength), 0);
    assert.deepEqual(joined, data);

    await fs.upload("empty.bin", streamOf(), 10);
    const empty = await fs.openDownload("empty.bin");
    assert.equal(empty.size, 0);
    assert.equal((await Array.fromAsync(empty.stream)).length, 0);
  });
});

Deno.test("transfer: download errors and cancel", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await rejectsWith(fs.openDownload("missing.bin"), "file_not_found");
    await Deno.mkdir(`${root}/d`);
    await rejectsWith(fs.openDownload("d"), "validation_error");
    await rejectsWith(fs.openDownload("."), "validation_error");
    await fs.upload("big.bin", patternStream(4, CHUNK_BYTES), 10 * MiB);
    const fds = () => Array.from(Deno.readDirSync("/proc/self/fd")).length;
    const before = fds();
    const { stream } = await fs.openDownload("big.bin");
    const reader = stream.getReader();
    assert.equal((await reader.read()).value?.byteLength, CHUNK_BYTES);
    await reader.cancel();
    assert.equal(fds(), before); // the file was closed
  });
});

Deno.test("transfer: upload over the limit fails and keeps the old file", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await Deno.writeTextFile(`${root}/data.bin`, "old");
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        ctrl.enqueue(new Uint8Array(1000));
      },
      cancel() {
        cancelled = true;
      },
    });
    const e = await rejectsWith(fs.upload("data.bin", body, 2500), "payload_too_large");
    assert.equal(e.details?.max_bytes, 2500);
    assert.ok(cancelled, "the body is cancelled");
    assert.equal(await Deno.readTextFile(`${root}/data.bin`), "old");
    assert.deepEqual(await namesIn(root), ["data.bin"]);
    // exactly at the limit is fine
    assert.equal((await fs.upload("data.bin", patternStream(5, 500), 2500)).size, 2500);
  });
});

Deno.test("transfer: an aborted upload leaves the old file intact and no temp file", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await Deno.mkdir(`${root}/sub`);
    await Deno.writeTextFile(`${root}/sub/data.bin`, "old");
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (n++ < 3) ctrl.enqueue(new Uint8Array(CHUNK_BYTES));
        else ctrl.error(new Error("client went away"));
      },
    }, { highWaterMark: 0 });
    await assert.rejects(fs.upload("sub/data.bin", body, 100 * MiB), /client went away/);
    assert.equal(await Deno.readTextFile(`${root}/sub/data.bin`), "old");
    assert.deepEqual(await namesIn(`${root}/sub`), ["data.bin"]);
    await rejectsWith(fs.upload("sub", streamOf(new Uint8Array(1)), 10), "validation_error");
  });
});

Deno.test("transfer: a 50 MiB upload streams with bounded memory", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    const chunks = 200; // 200 × 256 KiB = 50 MiB
    const base = Deno.memoryUsage().rss;
    let peak = base;
    const inner = patternStream(chunks, CHUNK_BYTES).getReader();
    const src = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        peak = Math.max(peak, Deno.memoryUsage().rss);
        const { done, value } = await inner.read();
        if (done) ctrl.close();
        else ctrl.enqueue(value);
      },
    }, { highWaterMark: 0 });
    const res = await fs.upload("big/50m.bin", src, 64 * MiB);
    assert.equal(res.size, chunks * CHUNK_BYTES);
    assert.equal((await Deno.stat(`${root}/big/50m.bin`)).size, chunks * CHUNK_BYTES);
    assert.ok(peak - base < 20 * MiB, `RSS grew by ${((peak - base) / MiB).toFixed(1)} MiB`);
    // and it streams back out (download chunks are fresh buffers handed to the consumer,
    // so their memory is reclaimed by GC, not bounded by this function: not measured here)
    const { stream } = await fs.openDownload("big/50m.bin");
    let total = 0;
    for await (const c of stream) total += c.byteLength;
    assert.equal(total, chunks * CHUNK_BYTES);
  });
});

async function withTinyDisk(fn: (root: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ship-enospc-" });
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir],
    stderr: "null",
  }).output();
  try {
    if (!mount.success) {
      console.warn("skipping: cannot mount a tmpfs here");
      return;
    }
    await fn(await Deno.realPath(dir));
  } finally {
    if (mount.success) await new Deno.Command("umount", { args: [dir] }).output();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "transfer: disk full → quota_exceeded, old file intact, no temp file (root only)",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    await withTinyDisk(async (root) => {
      const fs = new WorkspaceFs(root);
      await fs.writeFile("keep.txt", "precious", "utf-8");
      const big = "x".repeat(2 * MiB);
      await rejectsWith(fs.writeFile("keep.txt", big, "utf-8"), "quota_exceeded");
      await rejectsWith(
        fs.upload("keep.txt", patternStream(8, CHUNK_BYTES), 8 * MiB),
        "quota_exceeded",
      );
      await rejectsWith(
        fs.upload("new.bin", patternStream(8, CHUNK_BYTES), 8 * MiB),
        "quota_exceeded",
      );
      assert.equal(await Deno.readTextFile(`${root}/keep.txt`), "precious");
      assert.deepEqual(await namesIn(root), ["keep.txt"]);
    });
  },
});

/** A byte stream (as HTTP bodies are) of `data`, enqueued in chunks cycling through `sizes`. */
function byteStream(data: Uint8Array, sizes: number[], fail?: Error): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(ctrl) {
      if (at >= data.length) {
        if (fail) return ctrl.error(fail);
        ctrl.close();
        ctrl.byobRequest?.respond(0);
        return;
      }
      const n = sizes[i++ % sizes.length];
      ctrl.enqueue(data.slice(at, at + n));
      at += n;
    },
  });
}

const pattern = (n: number) => new Uint8Array(n).map((_, i) => (i * 7 + (i >> 12)) % 256);

Deno.test("transfer: a byte-stream upload is gathered into large writes, byte-exact", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    const data = pattern(2 * UPLOAD_BUFFER_BYTES + 12_345);
    for (const sizes of [[1, 65536, 7], [UPLOAD_BUFFER_BYTES + 3], [data.length]]) {
      const res = await fs.upload("b.bin", byteStream(data, sizes), data.length);
      assert.deepEqual(res, { path: "b.bin", size: data.length });
      assert.deepEqual(await Deno.readFile(`${root}/b.bin`), data);
    }
    assert.equal((await fs.upload("e.bin", byteStream(new Uint8Array(0), [1]), 0)).size, 0);
    assert.equal((await Deno.stat(`${root}/e.bin`)).size, 0);
  });
});

Deno.test("transfer: a byte-stream upload over the limit or cut short keeps the old file", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    await Deno.writeTextFile(`${root}/d.bin`, "old");
    const data = pattern(UPLOAD_BUFFER_BYTES + 100);
    const max = UPLOAD_BUFFER_BYTES + 99;
    const e = await rejectsWith(
      fs.upload("d.bin", byteStream(data, [4096]), max),
      "payload_too_large",
    );
    assert.equal(e.details?.max_bytes, max);
    const cut = byteStream(data, [65536], new Error("client went away"));
    await assert.rejects(fs.upload("d.bin", cut, 10 * MiB), /client went away/);
    assert.equal(await Deno.readTextFile(`${root}/d.bin`), "old");
    assert.deepEqual(await namesIn(root), ["d.bin"]);
    assert.equal(
      (await fs.upload("d.bin", byteStream(data, [4096]), data.length)).size,
      data.length,
    );
  });
});

Deno.test("transfer: an upload from a fetch response body (the HTTP side channel)", async () => {
  await withWorkspace(async ({ root }) => {
    const fs = new WorkspaceFs(root);
    const data = pattern(3 * UPLOAD_BUFFER_BYTES + 5);
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response(byteStream(data, [65536])),
    );
    try {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
      assert.equal((await fs.upload("f.bin", res.body!, data.length)).size, data.length);
      assert.deepEqual(await Deno.readFile(`${root}/f.bin`), data);
      const over = await fetch(`http://127.0.0.1:${server.addr.port}/`);
      await rejectsWith(fs.upload("g.bin", over.body!, data.length - 1), "payload_too_large");
      assert.deepEqual(await namesIn(root), ["f.bin"]);
    } finally {
      await server.shutdown();
    }
  });
});
