import assert from "node:assert/strict";
import { join } from "node:path";
import { Hono } from "hono";
import { createLogger } from "../../core/log.ts";
import { testBay } from "../../testing.ts";
import type { BayEnv } from "../context.ts";
import { onError } from "../errors.ts";
import { requestId } from "../middleware.ts";
import { dashboardCsp, dashboardRoutes } from "./dashboard.ts";

const INDEX = "<!doctype html><title>dash</title><script type=module src=/dashboard/assets/a.js>";

/** The routes over `dist`, behind the same error envelope as Bay's app. */
function appOver(dist: string) {
  const app = new Hono<BayEnv>();
  app.onError(onError(createLogger("error", () => {})));
  app.use("*", requestId());
  app.route("/", dashboardRoutes(dist));
  return app;
}

async function withDist(fn: (dist: string) => Promise<void>) {
  const dist = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dist, "assets"));
    await Deno.writeTextFile(join(dist, "index.html"), INDEX);
    await Deno.writeTextFile(join(dist, "assets", "a-1234.js"), "console.log(1)");
    await Deno.writeTextFile(join(dist, "favicon.svg"), "<svg/>");
    await fn(dist);
  } finally {
    await Deno.remove(dist, { recursive: true });
  }
}

function assertStrictCsp(res: Response, host = "localhost") {
  const csp = res.headers.get("Content-Security-Policy") ?? "";
  assert.equal(csp, dashboardCsp(host));
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(csp, /connect-src 'self' ws:\/\/localhost wss:\/\/localhost(;|$)/);
  assert.doesNotMatch(csp, /unsafe|\*/);
  assert.equal(res.headers.get("X-Content-Type-Options"), "nosniff");
}

Deno.test("dashboard: index, assets, client-route fallback, all under the CSP", async () => {
  await withDist(async (dist) => {
    const app = appOver(dist);
    const get = (p: string) => app.request(p, { headers: { Host: "localhost" } });

    const root = await get("/dashboard/");
    assert.equal(root.status, 200);
    assert.equal(root.headers.get("Content-Type"), "text/html; charset=utf-8");
    assert.equal(root.headers.get("Cache-Control"), "no-cache");
    assert.equal(await root.text(), INDEX);
    assertStrictCsp(root);

    const js = await get("/dashboard/assets/a-1234.js");
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("Content-Type"), "text/javascript; charset=utf-8");
    assert.match(js.headers.get("Cache-Control") ?? "", /immutable/);
    assert.equal(await js.text(), "console.log(1)");
    assertStrictCsp(js);

    const svg = await get("/dashboard/favicon.svg");
    assert.equal(svg.headers.get("Content-Type"), "image/svg+xml");
    await svg.body?.cancel();

    for (const route of ["/dashboard/sandboxes/sandbox-0123456789ab/files", "/dashboard/login"]) {
      const r = await get(route);
      assert.equal(r.status, 200, route);
      assert.equal(await r.text(), INDEX);
      assertStrictCsp(r);
    }

    const redirect = await get("/dashboard?x=1");
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers.get("Location"), "/dashboard/?x=1");
    assertStrictCsp(redirect);
  });
});

Deno.test("dashboard: missing assets, dot-segments and dot-files are 404 envelopes", async () => {
  await withDist(async (dist) => {
    await Deno.writeTextFile(join(dist, ".secret"), "no");
    const app = appOver(dist);
    for (
      const p of [
        "/dashboard/assets/missing.js",
        "/dashboard/nope.css",
        "/dashboard/.secret",
        "/dashboard/assets/..%2f..%2findex.html",
        "/dashboard/a%00b",
      ]
    ) {
      const r = await app.request(p, { headers: { Host: "localhost" } });
      assert.equal(r.status, 404, p);
      const body = await r.json();
      assert.equal(body.error.code, "not_found", p);
      assert.ok(body.error.request_id, p);
      assertStrictCsp(r);
    }
    // URL parsing resolves encoded dot-segments first: this leaves /dashboard/ entirely.
    const out = await app.request("/dashboard/%2e%2e/deno.json", {
      headers: { Host: "localhost" },
    });
    assert.equal(out.status, 404);
    assert.equal(out.headers.get("Content-Security-Policy"), null);
    await out.body?.cancel();
    // A directory is not a file: /dashboard/assets is a client route, not a listing.
    const dir = await app.request("/dashboard/assets", { headers: { Host: "localhost" } });
    assert.equal(dir.status, 200);
    assert.equal(await dir.text(), INDEX);
  });
});

Deno.test("dashboard: without a build, /dashboard/ says to run dashboard/build.sh", async () => {
  const app = appOver(`/nonexistent/dashboard-dist-${crypto.randomUUID()}`);
  for (const p of ["/dashboard/", "/dashboard/sandboxes", "/dashboard/assets/x.js"]) {
    const r = await app.request(p, { headers: { Host: "localhost" } });
    assert.equal(r.status, 404, p);
    const body = await r.json();
    assert.equal(body.error.code, "not_found");
    assert.match(body.error.message, /dashboard\/build\.sh/, p);
    assertStrictCsp(r);
  }
});

Deno.test("dashboard: the policy never echoes a hostile Host header", () => {
  assert.doesNotMatch(dashboardCsp("evil.example; script-src *"), /evil|\*/);
  assert.match(
    dashboardCsp("127.0.0.1:8114"),
    /ws:\/\/127\.0\.0\.1:8114 wss:\/\/127\.0\.0\.1:8114/,
  );
  assert.match(dashboardCsp("[::1]:8114"), /ws:\/\/\[::1\]:8114/);
  assert.match(dashboardCsp(undefined), /connect-src 'self';/);
});

Deno.test("dashboard: Bay's app serves /dashboard/ without a key, with the CSP", async () => {
  const t = await testBay();
  try {
    const r = await t.request("GET", "/dashboard/", { key: null });
    // 200 with a build in dashboard/dist, 404 telling to build it without one.
    assert.ok(r.status === 200 || r.status === 404, String(r.status));
    if (r.status === 404) assert.match((await r.json()).error.message, /dashboard\/build\.sh/);
    else await r.body?.cancel();
    assert.match(r.headers.get("Content-Security-Policy") ?? "", /^default-src 'self'/);
    // The API itself keeps no dashboard headers.
    const api = await t.request("GET", "/health", { key: null });
    assert.equal(api.headers.get("Content-Security-Policy"), null);
    await api.body?.cancel();
  } finally {
    await t.close();
  }
});
