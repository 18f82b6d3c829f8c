import assert from "node:assert/strict";
import { testBay } from "../testing.ts";

Deno.test("metrics: Prometheus text with HTTP, session, exec, store and pool metrics", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    await t.request("GET", `/v1/sandboxes/${sb.id}`);
    await t.request("GET", "/v1/sandboxes/sandbox-000000000000");
    const ex = await t.request("POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
      body: { command: "echo metric" },
    });
    assert.equal(ex.status, 200);
    await t.request("POST", "/v1/admin/gc/run", { body: { tasks: ["orphan_cargo"] } });
    const r = await t.request("GET", "/metrics", { key: null });
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-type") ?? "", /text\/plain/);
    const text = await r.text();
    for (
      const name of [
        "bay_http_requests_total",
        "bay_http_request_duration_seconds_bucket",
        "bay_session_start_duration_seconds_count",
        "bay_exec_duration_seconds_count",
        "bay_ships_connected",
        "bay_channel_bytes",
        "bay_sessions",
        "bay_store_query_duration_seconds_count",
        "bay_gc_cleaned_total",
        "bay_warm_pool_size",
      ]
    ) assert.ok(text.includes(name), `missing ${name}`);
    assert.match(
      text,
      /bay_http_requests_total\{method="GET",route="\/v1\/sandboxes\/:id",status="404"\} 1/,
    );
    assert.match(text, /bay_exec_duration_seconds_count\{type="shell",success="true"\} 1/);
    assert.match(text, /bay_ships_connected 1/);
    assert.match(text, /bay_sessions\{state="ready"\} 1/);
    assert.match(text, /bay_session_starts\{state="running"\} 0/);
    assert.match(text, /bay_session_starts\{state="queued"\} 0/);
    assert.match(
      text,
      /bay_session_start_duration_seconds_count\{driver="fake",outcome="ready"\} 1/,
    );
  } finally {
    await t.close();
  }
});
