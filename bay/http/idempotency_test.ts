import assert from "node:assert/strict";
import { testBay } from "../testing.ts";

Deno.test("idempotency: replay returns the stored response and creates nothing", async () => {
  const t = await testBay();
  try {
    const h = { "Idempotency-Key": "create-1" };
    const a = await t.request("POST", "/v1/sandboxes", { body: { ttl: 60 }, headers: h });
    const b = await t.request("POST", "/v1/sandboxes", { body: { ttl: 60 }, headers: h });
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.deepEqual(await b.json(), await a.json());
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandboxes`);
    assert.equal(n, 1);
    // Same body with keys in another order is the same request.
    const c = await t.request("POST", "/v1/cargos", {
      body: { size_limit_mb: 5 },
      headers: { "Idempotency-Key": "cargo-1" },
    });
    const d = await t.request("POST", "/v1/cargos", {
      body: '{ "size_limit_mb" : 5 }',
      headers: { "Idempotency-Key": "cargo-1" },
    });
    assert.deepEqual(await d.json(), await c.json());
  } finally {
    await t.close();
  }
});

Deno.test("idempotency: another body or endpoint with the same key is 409", async () => {
  const t = await testBay();
  try {
    const h = { "Idempotency-Key": "k-2" };
    await t.request("POST", "/v1/sandboxes", { body: { ttl: 60 }, headers: h });
    const other = await t.request("POST", "/v1/sandboxes", { body: { ttl: 61 }, headers: h });
    assert.equal(other.status, 409);
    const e = await other.json();
    assert.equal(e.error.code, "conflict");
    assert.equal(e.error.details.key, "k-2");
    assert.ok(e.error.details.hint);
    const endpoint = await t.request("POST", "/v1/cargos", { body: {}, headers: h });
    assert.equal(endpoint.status, 409);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cargos`);
    assert.equal(n, 1, "only the first request's managed cargo exists");
  } finally {
    await t.close();
  }
});

Deno.test("idempotency: a malformed key is 409 and changes nothing", async () => {
  const t = await testBay();
  try {
    for (const key of ["has space", "x".repeat(129), "ünïcode", "a/b"]) {
      const r = await t.request("POST", "/v1/sandboxes", {
        body: {},
        headers: { "Idempotency-Key": key },
      });
      assert.equal(r.status, 409, key);
      assert.equal((await r.json()).error.code, "conflict");
    }
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandboxes`);
    assert.equal(n, 0);
  } finally {
    await t.close();
  }
});

Deno.test("idempotency: concurrent first uses of one key make one resource", async () => {
  const t = await testBay();
  try {
    const h = { "Idempotency-Key": "race-1" };
    const rs = await Promise.all(
      Array.from({ length: 8 }, () => t.request("POST", "/v1/sandboxes", { body: {}, headers: h })),
    );
    const bodies = await Promise.all(rs.map((r) => r.json()));
    assert.ok(rs.every((r) => r.status === 201), rs.map((r) => r.status).join());
    assert.equal(new Set(bodies.map((b) => b.id)).size, 1);
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandboxes`);
    assert.equal(n, 1);
  } finally {
    await t.close();
  }
});

Deno.test("idempotency: keys are scoped per owner; failures are not stored", async () => {
  const t = await testBay();
  try {
    const bad = await t.request("POST", "/v1/sandboxes", {
      body: { profile: "nope" },
      headers: { "Idempotency-Key": "k-3" },
    });
    assert.equal(bad.status, 400);
    const good = await t.request("POST", "/v1/sandboxes", {
      body: { profile: "nope" },
      headers: { "Idempotency-Key": "k-3" },
    });
    assert.equal(good.status, 400, "a failed request can be retried with the same key");
    const ok = await t.request("POST", "/v1/sandboxes", {
      body: {},
      headers: { "Idempotency-Key": "k-4" },
    });
    assert.equal(ok.status, 201, "a fresh key works");
    const bob = "bob-key-0123456789abcdef";
    const { createKey } = await import("../core/auth.ts");
    await createKey(t.db, bob, "bob");
    const bobs = await t.request("POST", "/v1/sandboxes", {
      body: {},
      headers: { "Idempotency-Key": "k-4" },
      key: bob,
    });
    assert.equal(bobs.status, 201, "another owner's identical key is independent");
    assert.notEqual((await bobs.json()).id, (await ok.json()).id);
  } finally {
    await t.close();
  }
});
