import assert from "node:assert/strict";
import { createKey } from "../../core/auth.ts";
import { testBay } from "../../testing.ts";

Deno.test("gc: status, admin only, only named tasks run", async () => {
  const t = await testBay();
  try {
    const st = await (await t.request("GET", "/v1/admin/gc/status")).json();
    assert.equal(st.enabled, false);
    assert.equal(st.is_running, false);
    assert.deepEqual(Object.keys(st.tasks).sort(), [
      "expired_sandbox",
      "idle_session",
      "orphan_cargo",
      "orphan_runtime",
    ]);
    const user = "user-key-0123456789abcdef";
    await createKey(t.db, user, "alice");
    const denied = await t.request("POST", "/v1/admin/gc/run", { body: {}, key: user });
    assert.equal(denied.status, 403);
    assert.equal((await denied.json()).error.code, "forbidden");
    const one = await (await t.request("POST", "/v1/admin/gc/run", {
      body: { tasks: ["orphan_cargo"] },
    })).json();
    assert.deepEqual(one.results.map((r: { task_name: string }) => r.task_name), ["orphan_cargo"]);
    const bad = await t.request("POST", "/v1/admin/gc/run", { body: { tasks: ["everything"] } });
    assert.equal(bad.status, 422);
  } finally {
    await t.close();
  }
});

Deno.test("gc: expired sandboxes are deleted with their managed cargo", async () => {
  const t = await testBay();
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: { ttl: 60 } })).json();
    const keep = await (await t.request("POST", "/v1/sandboxes", { body: { ttl: 60 } })).json();
    await t.db.query(`UPDATE sandboxes SET expires_at = now() - interval '1 s' WHERE id = $1`, [
      sb.id,
    ]);
    const r = await (await t.request("POST", "/v1/admin/gc/run", {
      body: { tasks: ["expired_sandbox"] },
    })).json();
    assert.equal(r.total_cleaned, 1);
    assert.equal(r.total_errors, 0);
    assert.equal((await t.request("GET", `/v1/sandboxes/${sb.id}`)).status, 404);
    assert.equal((await t.request("GET", `/v1/sandboxes/${keep.id}`)).status, 200);
    assert.ok(!t.driver.cargos.has(sb.cargo_id));
    assert.ok(t.driver.cargos.has(keep.cargo_id));
  } finally {
    await t.close();
  }
});

Deno.test("gc: orphan runtimes and cargos go, known ones stay", async () => {
  const t = await testBay();
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    t.driver.cargos.add("ws-aaaaaaaaaaaa");
    t.driver.runtimes.set("fake-orphan", {
      runtimeId: "fake-orphan",
      sessionId: "sess-000000000000",
      sandboxId: null,
      cargoId: null,
      state: "running",
    });
    const r = await (await t.request("POST", "/v1/admin/gc/run", { body: {} })).json();
    const by = Object.fromEntries(
      r.results.map((x: { task_name: string; cleaned_count: number }) => [x.task_name, x]),
    );
    assert.equal(by.orphan_cargo.cleaned_count, 1);
    assert.equal(by.orphan_runtime.cleaned_count, 1);
    assert.ok(!t.driver.cargos.has("ws-aaaaaaaaaaaa"));
    assert.ok(t.driver.cargos.has(sb.cargo_id), "a live sandbox's cargo is kept");
    assert.ok(!t.driver.runtimes.has("fake-orphan"));
  } finally {
    await t.close();
  }
});

Deno.test("gc: idle sessions are reclaimed, files stay, the next call starts a new one", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    const w = await t.request("PUT", `/v1/sandboxes/${sb.id}/filesystem/files`, {
      body: { path: "keep.txt", content: "still here" },
    });
    assert.equal(w.status, 200);
    const before = await (await t.request("GET", `/v1/sandboxes/${sb.id}`)).json();
    assert.equal(before.status, "ready");
    await t.db.query(
      `UPDATE sandboxes SET idle_expires_at = now() - interval '1 s' WHERE id = $1`,
      [
        sb.id,
      ],
    );
    const r = await (await t.request("POST", "/v1/admin/gc/run", {
      body: { tasks: ["idle_session"] },
    })).json();
    assert.equal(r.total_cleaned, 1);
    const after = await (await t.request("GET", `/v1/sandboxes/${sb.id}`)).json();
    assert.equal(after.status, "idle");
    assert.equal(t.driver.runtimes.size, 0);
    const read =
      await (await t.request("GET", `/v1/sandboxes/${sb.id}/filesystem/files?path=keep.txt`))
        .json();
    assert.equal(read.content, "still here");
    assert.equal(t.driver.runtimes.size, 1, "a new session was started on demand");
  } finally {
    await t.close();
  }
});
