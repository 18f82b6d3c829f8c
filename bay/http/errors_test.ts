import assert from "node:assert/strict";
import { testBay } from "../testing.ts";

Deno.test("errors: envelope with request id, echoed header, no stack", async () => {
  const t = await testBay();
  try {
    const r = await t.request("GET", "/v1/sandboxes/sandbox-000000000000", {
      headers: { "X-Request-Id": "req-abc.123" },
    });
    assert.equal(r.status, 404);
    assert.equal(r.headers.get("X-Request-Id"), "req-abc.123");
    const body = await r.json();
    assert.deepEqual(Object.keys(body), ["error"]);
    assert.equal(body.error.code, "not_found");
    assert.equal(body.error.request_id, "req-abc.123");
    assert.equal(typeof body.error.message, "string");
    assert.equal(body.error.details, undefined, "details omitted when empty");
    const gen = await t.request("GET", "/v1/sandboxes");
    assert.match(gen.headers.get("X-Request-Id") ?? "", /^[0-9a-f-]{36}$/);
  } finally {
    await t.close();
  }
});

Deno.test("errors: 401 without or with a wrong key; profiles and health need none", async () => {
  const t = await testBay();
  try {
    for (const key of [null, "wrong-key-0123456789", ""]) {
      const r = await t.request("GET", "/v1/sandboxes", { key });
      assert.equal(r.status, 401, String(key));
      assert.equal((await r.json()).error.code, "unauthorized");
    }
    const basic = await t.request("GET", "/v1/sandboxes", {
      key: null,
      headers: { Authorization: "Basic Zm9vOmJhcg==" },
    });
    assert.equal(basic.status, 401);
    assert.equal((await t.request("GET", "/health", { key: null })).status, 200);
    const p = await (await t.request("GET", "/v1/profiles", { key: null })).json();
    assert.equal(p.items[0].id, "python-default");
    assert.equal(p.items[0].description, null);
    assert.equal(p.items[0].containers, null);
    assert.deepEqual(p.items[0].resources, { cpus: 1, memory: "1024m" });
    const d = await (await t.request("GET", "/v1/profiles?detail=true", { key: null })).json();
    assert.equal(typeof d.items[0].description, "string");
    assert.ok(Array.isArray(d.items[0].containers));
    const anon = await t.request("GET", "/v1/sandboxes", {
      key: null,
      headers: { "X-Owner": "x" },
    });
    assert.equal(anon.status, 401, "anonymous mode is off by default");
  } finally {
    await t.close();
  }
});

Deno.test("errors: malformed JSON, wrong types, bad enums are 422 with issues", async () => {
  const t = await testBay();
  try {
    const cases: [string, string, unknown][] = [
      ["POST", "/v1/sandboxes", "{not json"],
      ["POST", "/v1/sandboxes", { ttl: "soon" }],
      ["POST", "/v1/sandboxes", { unknown_field: 1 }],
      ["POST", "/v1/sandboxes", { profile: 7 }],
      ["GET", "/v1/sandboxes?limit=0", undefined],
      ["GET", "/v1/sandboxes?limit=201", undefined],
      ["GET", "/v1/sandboxes?status=bogus", undefined],
      ["GET", "/v1/cargos?managed=maybe", undefined],
      ["POST", "/v1/sandboxes/sandbox-000000000000/extend_ttl", { extend_by: "x" }],
    ];
    for (const [m, p, body] of cases) {
      const r = await t.request(m, p, { body });
      assert.equal(r.status, 422, `${m} ${p} ${JSON.stringify(body)}`);
      const e = await r.json();
      assert.equal(e.error.code, "validation_error");
      assert.ok(Array.isArray(e.error.details.issues) && e.error.details.issues.length > 0);
      assert.ok(
        e.error.details.issues.every((i: { path: unknown; message: unknown }) =>
          typeof i.path === "string" && typeof i.message === "string"
        ),
      );
    }
    const [{ n }] = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sandboxes`);
    assert.equal(n, 0);
  } finally {
    await t.close();
  }
});

Deno.test("errors: oversized body is 413; unknown route is 404", async () => {
  const t = await testBay({ env: { BAY_MAX_BODY_BYTES: "2048" } });
  try {
    const r = await t.request("POST", "/v1/sandboxes", {
      body: JSON.stringify({ profile: "x".repeat(5000) }),
    });
    assert.equal(r.status, 413);
    assert.equal((await r.json()).error.code, "payload_too_large");
    const nf = await t.request("GET", "/v1/nope");
    assert.equal(nf.status, 404);
    assert.equal((await nf.json()).error.code, "not_found");
  } finally {
    await t.close();
  }
});

Deno.test("openapi: document lists the served routes; docs page is self-hosted", async () => {
  const t = await testBay();
  try {
    const doc = await (await t.request("GET", "/openapi.json", { key: null })).json();
    assert.equal(doc.openapi, "3.1.0");
    for (
      const p of [
        "/v1/sandboxes",
        "/v1/sandboxes/{id}",
        "/v1/sandboxes/{id}/extend_ttl",
        "/v1/sandboxes/{id}/python/exec",
        "/v1/sandboxes/{id}/shell/exec",
        "/v1/sandboxes/{id}/filesystem/files",
        "/v1/sandboxes/{id}/filesystem/upload",
        "/v1/sandboxes/{id}/filesystem/download",
        "/v1/cargos",
        "/v1/cargos/{id}",
        "/v1/profiles",
        "/health",
      ]
    ) assert.ok(doc.paths[p], `missing ${p} in ${Object.keys(doc.paths).join(", ")}`);
    assert.ok(doc.components.schemas.Sandbox);
    const html = await (await t.request("GET", "/docs", { key: null })).text();
    assert.match(html, /swagger-ui-bundle\.js/);
    assert.doesNotMatch(html, /https?:\/\/(unpkg|cdn)/);
    const js = await t.request("GET", "/docs/assets/swagger-ui-bundle.js", { key: null });
    assert.equal(js.status, 200);
    assert.ok((await js.arrayBuffer()).byteLength > 100_000);
  } finally {
    await t.close();
  }
});
