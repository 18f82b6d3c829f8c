/**
 * Property-based hostile input: random bodies, queries, ids and headers at
 * every route must never produce a 5xx, and a rejected request must leave
 * every table unchanged.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { testBay } from "../testing.ts";

const TABLES = ["sandboxes", "cargos", "sessions", "executions", "idempotency_keys", "api_keys"];

const ROUTES: [string, string][] = [
  ["POST", "/v1/sandboxes"],
  ["GET", "/v1/sandboxes"],
  ["GET", "/v1/sandboxes/{id}"],
  ["DELETE", "/v1/sandboxes/{id}"],
  ["POST", "/v1/sandboxes/{id}/extend_ttl"],
  ["POST", "/v1/sandboxes/{id}/keepalive"],
  ["POST", "/v1/sandboxes/{id}/stop"],
  ["POST", "/v1/sandboxes/{id}/python/exec"],
  ["POST", "/v1/sandboxes/{id}/python/interrupt"],
  ["POST", "/v1/sandboxes/{id}/python/restart"],
  ["POST", "/v1/sandboxes/{id}/shell/exec"],
  ["GET", "/v1/sandboxes/{id}/filesystem/files"],
  ["PUT", "/v1/sandboxes/{id}/filesystem/files"],
  ["DELETE", "/v1/sandboxes/{id}/filesystem/files"],
  ["GET", "/v1/sandboxes/{id}/filesystem/directories"],
  ["POST", "/v1/sandboxes/{id}/filesystem/upload"],
  ["GET", "/v1/sandboxes/{id}/filesystem/download"],
  ["POST", "/v1/sandboxes/{id}/filesystem/edit"],
  ["POST", "/v1/cargos"],
  ["GET", "/v1/cargos"],
  ["GET", "/v1/cargos/{id}"],
  ["DELETE", "/v1/cargos/{id}"],
  ["GET", "/v1/profiles"],
  ["GET", "/v1/sandboxes/{id}/history"],
  ["GET", "/v1/sandboxes/{id}/history/last"],
  ["GET", "/v1/sandboxes/{id}/history/exec-000000000000"],
  ["PATCH", "/v1/sandboxes/{id}/history/exec-000000000000"],
  ["POST", "/v1/skills/payloads"],
  ["GET", "/v1/skills/payloads/{id}"],
  ["GET", "/v1/skills/payloads/blob:{id}"],
  ["POST", "/v1/skills/candidates"],
  ["GET", "/v1/skills/candidates"],
  ["GET", "/v1/skills/candidates/{id}"],
  ["DELETE", "/v1/skills/candidates/{id}"],
  ["POST", "/v1/skills/candidates/{id}/evaluate"],
  ["POST", "/v1/skills/candidates/{id}/promote"],
  ["GET", "/v1/skills/releases"],
  ["DELETE", "/v1/skills/releases/{id}"],
  ["POST", "/v1/skills/releases/{id}/rollback"],
  ["GET", "/v1/skills/releases/{id}/health"],
];

async function counts(q: (s: string) => Promise<{ n: number }[]>): Promise<number[]> {
  const out: number[] = [];
  for (const t of TABLES) out.push((await q(`SELECT count(*)::int AS n FROM ${t}`))[0].n);
  return out;
}

Deno.test("fuzz: random requests never 5xx and rejections change nothing", async () => {
  const t = await testBay();
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: { ttl: 3600 } })).json();
    const q = (s: string) => t.db.query<{ n: number }>(s);
    const weird = fc.string({ unit: "binary", maxLength: 40 });
    const id = fc.oneof(
      fc.constant("sandbox-000000000000"),
      fc.constant("ws-000000000000"),
      weird.map((s) => encodeURIComponent(s) || "x"),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      fc.json({ maxDepth: 3 }),
      weird,
      fc.record({
        profile: fc.oneof(fc.string(), fc.integer(), fc.constant("python-default")),
        ttl: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
        code: fc.oneof(fc.string(), fc.integer()),
        command: fc.oneof(fc.string(), fc.array(fc.string())),
        timeout: fc.oneof(fc.integer({ min: -10, max: 1000 }), fc.string()),
        path: fc.oneof(weird, fc.constant("../../etc/passwd"), fc.constant("a\u0000b")),
        extend_by: fc.oneof(fc.integer(), fc.double(), fc.string()),
        size_limit_mb: fc.oneof(fc.integer(), fc.double(), fc.string()),
        cargo_id: fc.oneof(fc.string(), fc.constant(sb.cargo_id)),
      }, { requiredKeys: [] }).map((o) => JSON.stringify(o)),
    );
    const query = fc.dictionary(
      fc.constantFrom("limit", "cursor", "status", "managed", "path", "detail", "show_hidden"),
      fc.oneof(weird, fc.integer().map(String)),
      { maxKeys: 3 },
    );
    const headers = fc.record({
      "Content-Type": fc.constantFrom(
        "application/json",
        "text/plain",
        "multipart/form-data",
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
      ),
      "Idempotency-Key": fc.oneof(fc.constant("fuzz-key"), fc.string({ maxLength: 10 })),
      "X-Request-Id": fc.string({ maxLength: 20 }),
      Accept: fc.constantFrom("application/json", "application/x-ndjson", "*/*"),
    }, { requiredKeys: [] });

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        id,
        body,
        query,
        headers,
        async ([method, tpl], rid, b, qs, hs) => {
          const path = tpl.replace("{id}", rid) +
            (Object.keys(qs).length ? `?${new URLSearchParams(qs)}` : "");
          const safeHeaders = Object.fromEntries(
            Object.entries(hs).filter(([, v]) => /^[\x20-\x7e]*$/.test(v as string)),
          ) as Record<string, string>;
          const before = await counts(q);
          const res = await t.request(method, path, {
            body: method === "GET" ? undefined : b,
            headers: safeHeaders,
          });
          const text = await res.text();
          assert.ok(res.status < 500, `${method} ${path} -> ${res.status} ${text.slice(0, 300)}`);
          if (res.status >= 400) {
            const env = JSON.parse(text);
            assert.equal(typeof env.error.code, "string");
            assert.deepEqual(await counts(q), before, `${method} ${path} changed state`);
          }
        },
      ),
      { numRuns: 400 },
    );
    const still = await t.request("GET", `/v1/sandboxes/${sb.id}`);
    assert.equal(still.status, 200);
  } finally {
    await t.close();
  }
});
