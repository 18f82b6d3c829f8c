/**
 * Two real Bay processes on one PostgreSQL, sharing the cargo storage: any
 * replica serves any request; requests for a session whose ship is connected
 * to the other replica are forwarded there (so kernel state is shared), and
 * concurrent first calls on both replicas start one session, not two.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDatabaseUrl } from "../../bay/testing.ts";
import { type E2EBay, freePort, startBay } from "./_bay.ts";

Deno.test("replicas: forwarding, shared state, one session under racing first calls", async () => {
  const db = await tempDatabaseUrl();
  const root = await Deno.makeTempDir({ prefix: "bay-replicas-" });
  const bays: E2EBay[] = [];
  try {
    for (const name of ["bay-a", "bay-b"]) {
      const port = freePort();
      bays.push(
        await startBay({
          root: join(root, name),
          port,
          env: {
            BAY_DATABASE_URL: db.url,
            BAY_INSTANCE_ID: name,
            BAY_ADVERTISE_URL: `http://127.0.0.1:${port}`,
            // Both replicas keep cargos in one place, as a shared volume would.
            BAY_DATA_DIR: join(root, "shared"),
            BAY_GC_ENABLED: "false",
          },
        }),
      );
    }
    const [a, b] = bays;

    // Created and started on A; used through B.
    const sb = await a.createSandbox();
    await a.py(sb.id, "x = 20");
    const viaB = await b.py(sb.id, "x += 1; x");
    assert.equal(viaB.output, "21", "B forwarded to A: same kernel");
    assert.equal((await a.py(sb.id, "x")).output, "21");
    const w = await b.api("PUT", `/v1/sandboxes/${sb.id}/filesystem/files`, {
      path: "from-b.txt",
      content: "hello from b",
    });
    assert.equal(w.status, 200);
    assert.equal((await a.sh(sb.id, "cat from-b.txt")).output, "hello from b");
    const bytes = new Uint8Array(3 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65536) {
      crypto.getRandomValues(bytes.subarray(i, i + 65536));
    }
    const form = new FormData();
    form.append("path", "blob.bin");
    form.append("file", new Blob([bytes]));
    const up = await b.fetch(`/v1/sandboxes/${sb.id}/filesystem/upload`, {
      method: "POST",
      body: form,
    });
    assert.equal(up.status, 200, await up.text());
    const down = await a.fetch(`/v1/sandboxes/${sb.id}/filesystem/download?path=blob.bin`);
    assert.deepEqual(new Uint8Array(await down.arrayBuffer()), bytes, "streamed through B intact");
    const stream = await b.fetch(`/v1/sandboxes/${sb.id}/shell/exec`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
      body: JSON.stringify({ command: "echo one; echo two" }),
    });
    const lines = (await stream.text()).trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.at(-1).type, "result");
    assert.equal(lines.at(-1).output, "one\ntwo\n", "NDJSON streams through the forward");

    // A fresh sandbox hit on both replicas at once: one session serves both.
    const fresh = await b.createSandbox();
    const [r1, r2] = await Promise.all([
      a.api("POST", `/v1/sandboxes/${fresh.id}/python/exec`, { code: "import os; os.getpid()" }),
      b.api("POST", `/v1/sandboxes/${fresh.id}/python/exec`, { code: "import os; os.getpid()" }),
    ]);
    const ok = [r1, r2].filter((r) => r.status === 200);
    assert.ok(ok.length >= 1, `${r1.status} ${r1.text} / ${r2.status} ${r2.text}`);
    for (const r of [r1, r2]) {
      if (r.status !== 200) {
        assert.equal(r.status, 503, r.text);
        assert.equal(r.body.error.code, "session_not_ready");
      }
    }
    const pidA = (await a.py(fresh.id, "os.getpid()")).output;
    const pidB = (await b.py(fresh.id, "os.getpid()")).output;
    assert.equal(pidA, pidB, "both replicas reach the same kernel");
    const [{ n }] = await (async () => {
      const r = await a.api("GET", `/v1/sandboxes/${fresh.id}`);
      return [{ n: r.body.containers?.length ?? 0 }];
    })();
    assert.equal(n, 1);

    // Delete through the replica that does not hold the session.
    assert.equal((await b.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
    assert.equal((await a.api("GET", `/v1/sandboxes/${sb.id}`)).status, 404);
  } finally {
    for (const bay of bays) await bay.stop();
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await db.drop();
  }
});
