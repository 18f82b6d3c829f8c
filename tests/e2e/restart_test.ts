/**
 * Bay restarts: after `kill -9` of Bay, a new Bay on the same data directory
 * reattaches the running sandboxes (their ships reconnect with backoff), so
 * kernel state and files survive; nothing acknowledged is lost.
 */
import assert from "node:assert/strict";
import { freePort, startBay } from "./_bay.ts";

Deno.test("restart: kill -9 of Bay, restart on the same data dir, ships reattach", async () => {
  const root = await Deno.makeTempDir({ prefix: "bay-restart-" });
  const port = freePort();
  try {
    const a = await startBay({ root, port });
    let sbId: string;
    let sessionBefore: string;
    try {
      const sb = await a.createSandbox();
      sbId = sb.id;
      await a.py(sbId, "x = 41");
      await a.sh(sbId, "echo kept > f.txt");
      const exec = await a.sh(sbId, "echo recorded");
      const got = await a.api("GET", `/v1/sandboxes/${sbId}`);
      assert.equal(got.body.status, "ready");
      sessionBefore = exec.execution_id;
    } finally {
      await a.crash();
    }
    const b = await startBay({ root, port });
    try {
      const r = await b.py(sbId, "x + 1");
      assert.equal(r.success, true, JSON.stringify(r));
      assert.equal(r.output, "42", "the kernel survived: the ship was reattached, not replaced");
      assert.equal((await b.sh(sbId, "cat f.txt")).output, "kept\n");
      const h = await b.api("GET", `/v1/sandboxes/${sbId}/history/${sessionBefore}`);
      assert.equal(h.status, 200, "history written before the crash is kept");
      const got = await b.api("GET", `/v1/sandboxes/${sbId}`);
      assert.equal(got.body.containers[0].healthy, true);
      assert.equal((await b.api("DELETE", `/v1/sandboxes/${sbId}`)).status, 204);
    } finally {
      const leaked = await b.stop();
      assert.deepEqual(leaked, [], "no sandbox outlives the restarted Bay's shutdown");
    }
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
});
