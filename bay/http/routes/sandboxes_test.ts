import assert from "node:assert/strict";
import { testBay } from "../../testing.ts";
import { createKey } from "../../core/auth.ts";

Deno.test("sandboxes: create, get, list, stop, delete", async () => {
  const t = await testBay();
  try {
    const res = await t.request("POST", "/v1/sandboxes", { body: { ttl: 600 } });
    assert.equal(res.status, 201);
    const sb = await res.json();
    assert.match(sb.id, /^sandbox-[0-9a-f]{12}$/);
    assert.match(sb.cargo_id, /^ws-[0-9a-f]{12}$/);
    assert.equal(sb.status, "idle");
    assert.equal(sb.profile, "python-default");
    assert.deepEqual(sb.capabilities, ["python", "shell", "filesystem"]);
    assert.match(sb.created_at, /Z$/);
    assert.ok(Date.parse(sb.expires_at) > Date.now() + 590_000);
    assert.equal(sb.containers, null);
    assert.ok(t.driver.cargos.has(sb.cargo_id), "managed cargo created in the driver");

    const got = await (await t.request("GET", `/v1/sandboxes/${sb.id}`)).json();
    assert.equal(got.id, sb.id);
    const list = await (await t.request("GET", "/v1/sandboxes")).json();
    assert.deepEqual(list.items.map((x: { id: string }) => x.id), [sb.id]);
    assert.equal(list.next_cursor, null);

    const stop = await t.request("POST", `/v1/sandboxes/${sb.id}/stop`);
    assert.deepEqual(await stop.json(), { status: "stopped" });

    assert.equal((await t.request("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
    assert.equal((await t.request("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204, "idempotent");
    assert.equal((await t.request("GET", `/v1/sandboxes/${sb.id}`)).status, 404);
    assert.ok(!t.driver.cargos.has(sb.cargo_id), "managed cargo deleted with the sandbox");
    const listed = await (await t.request("GET", "/v1/cargos?managed=true")).json();
    assert.deepEqual(listed.items, []);
  } finally {
    await t.close();
  }
});

Deno.test("sandboxes: cursor pagination visits every sandbox once, ascending", async () => {
  const t = await testBay();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await (await t.request("POST", "/v1/sandboxes", { body: {} })).json()).id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
      const page = await (await t.request("GET", `/v1/sandboxes${q}`)).json();
      assert.ok(page.items.length <= 3);
      seen.push(...page.items.map((x: { id: string }) => x.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].sort());
  } finally {
    await t.close();
  }
});

Deno.test("sandboxes: extend_ttl rules", async () => {
  const t = await testBay();
  try {
    const finite = await (await t.request("POST", "/v1/sandboxes", { body: { ttl: 100 } })).json();
    const before = Date.parse(finite.expires_at);
    const ext = await t.request("POST", `/v1/sandboxes/${finite.id}/extend_ttl`, {
      body: { extend_by: 50 },
    });
    assert.equal(ext.status, 200);
    const after = Date.parse((await ext.json()).expires_at);
    assert.ok(after - before >= 49_000 && after - before <= 51_000, `${after - before}`);

    const bad = await t.request("POST", `/v1/sandboxes/${finite.id}/extend_ttl`, {
      body: { extend_by: 0 },
    });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "validation_error");

    const inf = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    assert.equal(inf.expires_at, null);
    const r = await t.request("POST", `/v1/sandboxes/${inf.id}/extend_ttl`, {
      body: { extend_by: 10 },
    });
    assert.equal(r.status, 409);
    assert.equal((await r.json()).error.code, "sandbox_ttl_infinite");

    await t.db.query(
      `UPDATE sandboxes SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [
        finite.id,
      ],
    );
    const exp = await t.request("POST", `/v1/sandboxes/${finite.id}/extend_ttl`, {
      body: { extend_by: 10 },
    });
    assert.equal(exp.status, 409);
    const body = await exp.json();
    assert.equal(body.error.code, "sandbox_expired");
    assert.equal(body.error.details.sandbox_id, finite.id);
    const shown = await (await t.request("GET", `/v1/sandboxes/${finite.id}`)).json();
    assert.equal(shown.status, "expired");
    const ka = await t.request("POST", `/v1/sandboxes/${finite.id}/keepalive`);
    assert.equal(ka.status, 409);
  } finally {
    await t.close();
  }
});

Deno.test("sandboxes: keepalive moves idle_expires_at and starts no compute", async () => {
  const t = await testBay();
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    const r = await t.request("POST", `/v1/sandboxes/${sb.id}/keepalive`);
    assert.deepEqual(await r.json(), { status: "ok" });
    const got = await (await t.request("GET", `/v1/sandboxes/${sb.id}`)).json();
    assert.ok(Date.parse(got.idle_expires_at) > Date.now() + 29 * 60_000);
    assert.equal(t.driver.runtimes.size, 0);
  } finally {
    await t.close();
  }
});

Deno.test("sandboxes: unknown profile is 400, unknown or foreign cargo 404", async () => {
  const t = await testBay();
  try {
    const r = await t.request("POST", "/v1/sandboxes", { body: { profile: "gpu-xl" } });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.code, "validation_error");
    const c = await t.request("POST", "/v1/sandboxes", { body: { cargo_id: "ws-000000000000" } });
    assert.equal(c.status, 404);
    const otherKey = "other-owner-key-0123456789";
    await createKey(t.db, otherKey, "bob");
    const bobCargo = await (await t.request("POST", "/v1/cargos", { body: {}, key: otherKey }))
      .json();
    const f = await t.request("POST", "/v1/sandboxes", { body: { cargo_id: bobCargo.id } });
    assert.equal(f.status, 404);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandboxes`);
    assert.equal(n, 0, "nothing written on rejection");
  } finally {
    await t.close();
  }
});

Deno.test("sandboxes: owners are isolated (404 for everything of another owner)", async () => {
  const t = await testBay();
  try {
    const bob = "bob-key-0123456789abcdef";
    await createKey(t.db, bob, "bob");
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: { ttl: 100 } })).json();
    for (
      const [m, p, body] of [
        ["GET", `/v1/sandboxes/${sb.id}`],
        ["POST", `/v1/sandboxes/${sb.id}/extend_ttl`, { extend_by: 10 }],
        ["POST", `/v1/sandboxes/${sb.id}/keepalive`],
        ["POST", `/v1/sandboxes/${sb.id}/stop`],
        ["DELETE", `/v1/sandboxes/${sb.id}`],
        ["POST", `/v1/sandboxes/${sb.id}/python/exec`, { code: "1" }],
        ["POST", `/v1/sandboxes/${sb.id}/shell/exec`, { command: "true" }],
        ["GET", `/v1/sandboxes/${sb.id}/filesystem/files?path=a`],
        ["GET", `/v1/cargos/${sb.cargo_id}`],
        ["DELETE", `/v1/cargos/${sb.cargo_id}`],
      ] as [string, string, unknown?][]
    ) {
      const r = await t.request(m, p, { body, key: bob });
      assert.equal(r.status, 404, `${m} ${p}`);
      assert.equal((await r.json()).error.code, "not_found");
    }
    const list = await (await t.request("GET", "/v1/sandboxes", { key: bob })).json();
    assert.deepEqual(list.items, []);
    const still = await t.request("GET", `/v1/sandboxes/${sb.id}`);
    assert.equal(still.status, 200, "owner's sandbox untouched");
    assert.equal(t.driver.runtimes.size, 0, "no compute started for the intruder");
  } finally {
    await t.close();
  }
});

Deno.test("sandboxes: extend_ttl works while a session is live", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: { ttl: 100 } })).json();
    const ex = await t.request("POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
      body: { command: "true" },
    });
    assert.equal(ex.status, 200);
    const r = await t.request("POST", `/v1/sandboxes/${sb.id}/extend_ttl`, {
      body: { extend_by: 30 },
    });
    assert.equal(r.status, 200, await r.clone().text());
    const body = await r.json();
    assert.equal(body.status, "ready");
    assert.ok(Date.parse(body.expires_at) > Date.parse(sb.expires_at) + 29_000);
  } finally {
    await t.close();
  }
});
