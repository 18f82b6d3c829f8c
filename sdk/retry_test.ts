import assert from "node:assert/strict";
import { retryDelayMs } from "./_retry.ts";
import {
  BayClient,
  ConnectionError,
  InternalError,
  QuotaExceededError,
  SessionNotReadyError,
  ShipError,
  ValidationError,
} from "./mod.ts";

interface Call {
  method: string;
  url: string;
  headers: Headers;
  body: string | null;
}

const SANDBOX = {
  id: "sandbox-0123456789ab",
  status: "idle",
  profile: "python-default",
  cargo_id: "ws-0123456789ab",
  capabilities: ["python"],
  created_at: "2026-01-01T00:00:00.000Z",
  expires_at: null,
  idle_expires_at: null,
  containers: null,
};

function envelope(code: string, status: number, details?: Record<string, unknown>) {
  return Response.json({ error: { code, message: code, request_id: "rid", details } }, { status });
}

/** A fetch that answers from `script` in order (the last entry repeats) and records calls. */
function scripted(script: (() => Response | Promise<Response>)[]) {
  const calls: Call[] = [];
  const fetch = async (url: string, init: RequestInit) => {
    calls.push({
      method: init.method ?? "GET",
      url,
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? init.body : null,
    });
    return await script[Math.min(calls.length - 1, script.length - 1)]();
  };
  const client = new BayClient({
    endpoint: "http://bay.test",
    apiKey: "k",
    fetch,
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 5,
  });
  return { calls, client };
}

const unavailable = () => envelope("internal_error", 503);

Deno.test("retry: a GET failing twice with 503 is retried and succeeds", async () => {
  const { calls, client } = scripted([unavailable, unavailable, () => Response.json(SANDBOX)]);
  const sb = await client.getSandbox(SANDBOX.id);
  assert.equal(sb.id, SANDBOX.id);
  assert.equal(calls.length, 3);
  assert.ok(calls.every((c) => c.method === "GET"));
});

Deno.test("retry: exec POSTs are never retried", async () => {
  const { calls, client } = scripted([
    () => Response.json(SANDBOX),
    unavailable,
    () => Response.json({ success: true }),
  ]);
  const sb = await client.getSandbox(SANDBOX.id);
  await assert.rejects(() => sb.python.exec("print(1)"), InternalError);
  assert.deepEqual(calls.map((c) => c.method), ["GET", "POST"], "one exec attempt");
  calls.length = 1;
  await assert.rejects(() => sb.shell.exec("ls", { onStdout: () => {} }), InternalError);
  assert.equal(calls.length, 2, "a streaming exec is not retried either");
  calls.length = 1;
  const down = scripted([
    () => Response.json(SANDBOX),
    () => Promise.reject(new TypeError("reset")),
  ]);
  const sb2 = await down.client.getSandbox(SANDBOX.id);
  await assert.rejects(() => sb2.shell.exec("ls"), ConnectionError);
  assert.equal(down.calls.length, 2, "not even after a transport error");
});

Deno.test("retry: create POSTs are retried with the SAME Idempotency-Key", async () => {
  const { calls, client } = scripted([
    unavailable,
    () => Promise.reject(new TypeError("connection reset")),
    () => Response.json(SANDBOX, { status: 201 }),
  ]);
  const sb = await client.createSandbox({ ttlSeconds: 60 });
  assert.equal(sb.id, SANDBOX.id);
  assert.equal(calls.length, 3);
  const keys = calls.map((c) => c.headers.get("Idempotency-Key"));
  assert.match(keys[0]!, /^[A-Za-z0-9_-]{1,128}$/);
  assert.ok(keys.every((k) => k === keys[0]), `same key on every attempt: ${keys}`);
  assert.ok(calls.every((c) => c.body === calls[0].body));

  const next = scripted([unavailable, () => Response.json(SANDBOX, { status: 201 })]);
  await next.client.createSandbox();
  await next.client.createSandbox();
  const k = next.calls.map((c) => c.headers.get("Idempotency-Key"));
  assert.equal(k[0], k[1]);
  assert.notEqual(k[1], k[2], "a new create gets a new key");

  const ext = scripted([
    () => Response.json(SANDBOX),
    unavailable,
    () => Response.json(SANDBOX),
  ]);
  await (await ext.client.getSandbox(SANDBOX.id)).extendTtl(60, { idempotencyKey: "mine-1" });
  assert.deepEqual(ext.calls.slice(1).map((c) => c.headers.get("Idempotency-Key")), [
    "mine-1",
    "mine-1",
  ]);
  const cargo = scripted([unavailable, () => Response.json({ id: "ws-1" }, { status: 201 })]);
  await cargo.client.cargos.create();
  assert.equal(cargo.calls.length, 2);
  assert.equal(
    cargo.calls[0].headers.get("Idempotency-Key"),
    cargo.calls[1].headers.get("Idempotency-Key"),
  );
});

Deno.test("retry: only safe methods; only transport errors, 429 and 5xx; bounded", async () => {
  const post = scripted([() => Response.json(SANDBOX), unavailable]);
  const sb = await post.client.getSandbox(SANDBOX.id);
  await assert.rejects(() => sb.keepalive(), InternalError);
  await assert.rejects(() => sb.processes.start("sleep 1"), InternalError);
  await assert.rejects(() => sb.history.annotate("exec-1", { notes: "x" }), InternalError);
  assert.equal(post.calls.length, 4, "POST without key and PATCH: one attempt each");

  const put = scripted([() => Response.json(SANDBOX), unavailable, () => Response.json({})]);
  await (await put.client.getSandbox(SANDBOX.id)).files.write("a.txt", "x");
  assert.deepEqual(put.calls.map((c) => c.method), ["GET", "PUT", "PUT"]);
  const del = scripted([unavailable, () => new Response(null, { status: 204 })]);
  await del.client.deleteSandbox(SANDBOX.id);
  assert.deepEqual(del.calls.map((c) => c.method), ["DELETE", "DELETE"]);

  const many = scripted([() => envelope("ship_error", 502)]);
  await assert.rejects(() => many.client.listSandboxes(), ShipError);
  assert.equal(many.calls.length, 4, "1 attempt + 3 retries");

  const quota = scripted([
    () => envelope("quota_exceeded", 429),
    () => Response.json({ items: [] }),
  ]);
  assert.deepEqual(await quota.client.profiles(), []);
  assert.equal(quota.calls.length, 2);

  const bad = scripted([() => envelope("validation_error", 422), () => Response.json({})]);
  await assert.rejects(() => bad.client.listSandboxes(), ValidationError);
  assert.equal(bad.calls.length, 1, "4xx is not retried");

  const down = scripted([() => Promise.reject(new TypeError("refused"))]);
  const e = await down.client.health().catch((x) => x);
  assert.ok(e instanceof ConnectionError);
  assert.equal(down.calls.length, 4);

  const none = new BayClient({
    endpoint: "http://bay.test",
    fetch: () => Promise.resolve(envelope("quota_exceeded", 429)),
    maxRetries: 0,
  });
  await assert.rejects(() => none.health(), QuotaExceededError);
});

Deno.test("retry: 503 session_not_ready waits details.retry_after_ms", async () => {
  const calls: Call[] = [];
  const slowClient = new BayClient({
    endpoint: "http://bay.test",
    retryBaseDelayMs: 1,
    retryMaxDelayMs: 10_000,
    fetch: (u, i) => {
      calls.push({
        method: i.method ?? "GET",
        url: u,
        headers: new Headers(i.headers),
        body: null,
      });
      return Promise.resolve(
        calls.length === 1
          ? envelope("session_not_ready", 503, { sandbox_id: "s", retry_after_ms: 400 })
          : Response.json({ status: "ok", version: "x" }),
      );
    },
  });
  const t0 = Date.now();
  await slowClient.health();
  const waited = Date.now() - t0;
  assert.ok(waited >= 390, `waited ${waited} ms`);
  assert.equal(calls.length, 2);

  const err = new SessionNotReadyError("x", { details: { retry_after_ms: 1234 } });
  const policy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
  assert.equal(retryDelayMs(policy, 0, err), 1000, "hints are capped by maxDelayMs");
  assert.equal(retryDelayMs({ ...policy, maxDelayMs: 5000 }, 0, err), 1234);
  const conn = new ConnectionError("x");
  assert.equal(retryDelayMs(policy, 0, conn, null, () => 0), 50);
  assert.equal(retryDelayMs(policy, 0, conn, null, () => 1), 100);
  assert.equal(retryDelayMs(policy, 3, conn, null, () => 1), 800);
  assert.equal(retryDelayMs(policy, 10, conn, null, () => 1), 1000, "bounded");
  assert.equal(retryDelayMs(policy, 0, conn, "0.5"), 500, "Retry-After seconds");
});

Deno.test("retry: the call's timeoutMs bounds retries", async () => {
  const client = new BayClient({
    endpoint: "http://bay.test",
    retryBaseDelayMs: 200,
    retryMaxDelayMs: 200,
    maxRetries: 10,
    fetch: () => Promise.resolve(envelope("internal_error", 500)),
  });
  const t0 = Date.now();
  await assert.rejects(() => client.health({ timeoutMs: 500 }), InternalError);
  assert.ok(Date.now() - t0 < 1500, "gave up at the deadline, not after 10 retries");
});
