import assert from "node:assert/strict";
import { testBay } from "../../testing.ts";

Deno.test("cargos: create, get, list (external only by default), delete", async () => {
  const t = await testBay();
  try {
    const r = await t.request("POST", "/v1/cargos", { body: { size_limit_mb: 256 } });
    assert.equal(r.status, 201);
    const c = await r.json();
    assert.match(c.id, /^ws-[0-9a-f]{12}$/);
    assert.equal(c.managed, false);
    assert.equal(c.managed_by_sandbox_id, null);
    assert.equal(c.size_limit_mb, 256);
    assert.equal(c.backend, "fake");
    const dflt = await (await t.request("POST", "/v1/cargos", { body: {} })).json();
    assert.equal(dflt.size_limit_mb, 1024);
    await t.request("POST", "/v1/sandboxes", { body: {} }); // makes a managed cargo
    const ext = await (await t.request("GET", "/v1/cargos")).json();
    assert.deepEqual(ext.items.map((x: { id: string }) => x.id).sort(), [c.id, dflt.id].sort());
    const managed = await (await t.request("GET", "/v1/cargos?managed=true")).json();
    assert.equal(managed.items.length, 1);
    assert.equal(managed.items[0].managed, true);
    assert.equal((await t.request("GET", `/v1/cargos/${c.id}`)).status, 200);
    assert.equal((await t.request("DELETE", `/v1/cargos/${c.id}`)).status, 204);
    assert.equal((await t.request("GET", `/v1/cargos/${c.id}`)).status, 404);
    assert.ok(!t.driver.cargos.has(c.id));
  } finally {
    await t.close();
  }
});

Deno.test("cargos: 409 while attached or while the managing sandbox lives", async () => {
  const t = await testBay();
  try {
    const c = await (await t.request("POST", "/v1/cargos", { body: {} })).json();
    const a = await (await t.request("POST", "/v1/sandboxes", { body: { cargo_id: c.id } })).json();
    const b = await (await t.request("POST", "/v1/sandboxes", { body: { cargo_id: c.id } })).json();
    assert.equal(a.cargo_id, c.id, "an external cargo can be attached to several sandboxes");
    const busy = await t.request("DELETE", `/v1/cargos/${c.id}`);
    assert.equal(busy.status, 409);
    const body = await busy.json();
    assert.equal(body.error.code, "conflict");
    assert.deepEqual(body.error.details.active_sandbox_ids, [a.id, b.id].sort());
    await t.request("DELETE", `/v1/sandboxes/${a.id}`);
    await t.request("DELETE", `/v1/sandboxes/${b.id}`);
    assert.ok(t.driver.cargos.has(c.id), "external cargo kept when its sandboxes go");
    assert.equal((await t.request("DELETE", `/v1/cargos/${c.id}`)).status, 204);

    const sb = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    const m = await t.request("DELETE", `/v1/cargos/${sb.cargo_id}`);
    assert.equal(m.status, 409);
    assert.equal((await m.json()).error.details.managed_by_sandbox_id, sb.id);
    const attach = await t.request("POST", "/v1/sandboxes", { body: { cargo_id: sb.cargo_id } });
    assert.equal(attach.status, 409, "a managed cargo cannot be attached elsewhere");
  } finally {
    await t.close();
  }
});

Deno.test("cargos: size_limit_mb out of range is 422 and writes nothing", async () => {
  const t = await testBay();
  try {
    for (const v of [0, 65537, 1.5, "10", -1]) {
      const r = await t.request("POST", "/v1/cargos", { body: { size_limit_mb: v } });
      assert.equal(r.status, 422, String(v));
      const e = await r.json();
      assert.equal(e.error.code, "validation_error");
      assert.ok(
        e.error.details.issues.some((i: { path: string }) => i.path.includes("size_limit_mb")),
      );
    }
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cargos`);
    assert.equal(n, 0);
    assert.equal(t.driver.cargos.size, 0);
  } finally {
    await t.close();
  }
});
