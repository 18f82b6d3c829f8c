/** Pure unit tests (no Bay, no permissions). */
import assert from "node:assert/strict";
import { collect, toBase64 } from "./_bytes.ts";
import { readEnv } from "./_env.ts";
import { ERROR_CLASSES, errorFromEnvelope } from "./_error_map.ts";
import { uploadBody } from "./_multipart.ts";
import { readNdjson } from "./_ndjson.ts";
import { fillPath } from "./_routes.ts";
import { abortable, deadline } from "./_signal.ts";
import { FULL_ACCESS } from "./_test_bay.ts";
import {
  BayClient,
  BayError,
  ClientTimeoutError,
  ConnectionError,
  FileNotFoundError,
  NotFoundError,
  SessionNotReadyError,
  ShipError,
} from "./mod.ts";

const SANDBOX = {
  id: "sandbox-0123456789ab",
  status: "ready",
  profile: "python-default",
  cargo_id: "ws-0123456789ab",
  capabilities: ["python", "shell"],
  created_at: "2026-01-01T00:00:00.000Z",
  expires_at: null,
  idle_expires_at: null,
  containers: null,
};

function ndjsonClient(lines: unknown[], opts: { cut?: boolean } = {}) {
  let cancelled = false;
  const fetch = (url: string) => {
    if (!url.includes("/exec")) return Promise.resolve(Response.json(SANDBOX));
    const body = new ReadableStream<Uint8Array>({
      start(ctrl) {
        for (const l of lines) ctrl.enqueue(new TextEncoder().encode(JSON.stringify(l) + "\n"));
        if (opts.cut) ctrl.error(new TypeError("reset"));
        else ctrl.close();
      },
      cancel() {
        cancelled = true;
      },
    });
    return Promise.resolve(
      new Response(body, {
        headers: { "X-Request-Id": "rid-9", "Content-Type": "application/x-ndjson" },
      }),
    );
  };
  return {
    client: new BayClient({ endpoint: "http://bay.test", fetch }),
    cancelled: () => cancelled,
  };
}

Deno.test("errors: every code maps to its class with status, request id and details", () => {
  for (const [code, cls] of Object.entries(ERROR_CLASSES)) {
    const e = errorFromEnvelope(418, {
      error: { code, message: "m", request_id: "r", details: { a: 1 } },
    });
    assert.ok(e instanceof cls, code);
    assert.ok(e instanceof BayError);
    assert.equal(e.code, code);
    assert.equal(e.status, 418);
    assert.equal(e.requestId, "r");
    assert.deepEqual(e.details, { a: 1 });
    assert.equal(e.name, cls.name);
  }
  const odd = errorFromEnvelope(409, { error: { code: "brand_new", message: "x" } }, "hdr");
  assert.equal(odd.constructor, BayError);
  assert.equal(odd.code, "brand_new");
  assert.equal(odd.requestId, "hdr");
  assert.ok(errorFromEnvelope(404, "not json") instanceof NotFoundError);
  assert.equal(errorFromEnvelope(503, null).code, "internal_error");
  assert.equal(
    errorFromEnvelope(null, { error: { code: "ship_error", message: "x" } }).status,
    502,
  );
  assert.equal(new SessionNotReadyError("x").retryAfterMs, null);
  assert.ok(new FileNotFoundError("x") instanceof BayError);
});

Deno.test("exec streams: error lines throw, a cut stream is a ConnectionError, callbacks may throw", async () => {
  const shipDied = ndjsonClient([
    { type: "stdout", text: "a" },
    { type: "error", error: { code: "ship_error", message: "gone", request_id: "rid-9" } },
  ]);
  const sb = await shipDied.client.getSandbox(SANDBOX.id);
  const out: string[] = [];
  const e = await sb.shell.exec("x", { onStdout: (t) => out.push(t) }).catch((x) => x);
  assert.ok(e instanceof ShipError);
  assert.equal(e.status, 502);
  assert.equal(e.requestId, "rid-9");
  assert.deepEqual(out, ["a"]);

  const cut = ndjsonClient([{ type: "stdout", text: "a" }], { cut: true });
  const sb2 = await cut.client.getSandbox(SANDBOX.id);
  await assert.rejects(() => sb2.shell.exec("x", { onStdout: () => {} }), ConnectionError);
  const ended = ndjsonClient([{ type: "stdout", text: "a" }]);
  const sb3 = await ended.client.getSandbox(SANDBOX.id);
  await assert.rejects(
    () => sb3.shell.exec("x", { onStdout: () => {} }),
    /ended before the result/,
  );

  const boom = ndjsonClient([{ type: "stdout", text: "a" }, { type: "stdout", text: "b" }]);
  const sb4 = await boom.client.getSandbox(SANDBOX.id);
  await assert.rejects(
    () =>
      sb4.shell.exec("x", {
        onStdout: () => {
          throw new RangeError("mine");
        },
      }),
    RangeError,
  );
  assert.ok(boom.cancelled(), "the stream was cancelled (Bay stops the exec)");

  const ok = ndjsonClient([
    { type: "display", data: { "text/plain": "1" } },
    { type: "result", success: true, output: "", error: null, exit_code: 0 },
  ]);
  const sb5 = await ok.client.getSandbox(SANDBOX.id);
  const shown: unknown[] = [];
  const r = await sb5.python.exec("1", { onDisplay: (d) => shown.push(d) });
  assert.deepEqual(shown, [{ "text/plain": "1" }]);
  assert.equal((r as unknown as { exit_code: number }).exit_code, 0);
  assert.equal("type" in r, false);
});

Deno.test("ndjson: split lines, partial chunks, trailing line without newline", async () => {
  const parts = ['{"a":1}\n{"a"', ':2}\n\n{"a":', "3}"];
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      for (const p of parts) c.enqueue(new TextEncoder().encode(p));
      c.close();
    },
  });
  const got = [];
  for await (const o of readNdjson(body)) got.push(o);
  assert.deepEqual(got, [{ a: 1 }, { a: 2 }, { a: 3 }]);
});

Deno.test("multipart: a stream body is a well-formed form with path before file", async () => {
  const bytes = new Uint8Array([0, 1, 2, 13, 10, 45, 45, 255]);
  for (const data of [bytes, new Blob([bytes]), new Blob([bytes]).stream(), bytes.buffer]) {
    const { body, contentType } = uploadBody('dir/we"ird.bin', data);
    const req = new Request("http://x/", {
      method: "POST",
      body,
      headers: { "Content-Type": contentType },
      // @ts-ignore: streaming request bodies need duplex
      duplex: "half",
    });
    const raw = new TextDecoder("latin1").decode(await req.clone().arrayBuffer());
    assert.ok(raw.indexOf('name="path"') < raw.indexOf('name="file"'), "path first");
    const form = await req.formData();
    assert.equal(form.get("path"), 'dir/we"ird.bin');
    const file = form.get("file") as File;
    assert.deepEqual(new Uint8Array(await file.arrayBuffer()), bytes);
  }
});

Deno.test("bytes, paths, env, signals", async () => {
  const all = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
  const ref = (() => {
    let s = "";
    for (const b of all) s += String.fromCharCode(b);
    return btoa(s);
  })();
  assert.equal(toBase64(all), ref);
  assert.equal(toBase64(new Uint8Array(0)), "");
  assert.deepEqual(
    await collect(new Blob(["ab", "cd"]).stream()),
    new TextEncoder().encode("abcd"),
  );
  assert.equal(
    fillPath("getPayload", { payload_ref: "blob:blob-1/x" }),
    "/v1/skills/payloads/blob%3Ablob-1%2Fx",
  );
  assert.throws(() => fillPath("getSandbox", {}), /missing path parameter 'id'/);
  assert.equal(typeof readEnv("PATH") === "string" || readEnv("PATH") === undefined, true);
  assert.equal(readEnv("SURELY_NOT_SET_0123"), undefined);

  const d = deadline(undefined, 20);
  await new Promise((r) => setTimeout(r, 40));
  assert.ok(d.signal.reason instanceof ClientTimeoutError);
  const ctrl = new AbortController();
  const d2 = deadline(ctrl.signal, 0);
  ctrl.abort(new Error("mine"));
  assert.equal(d2.signal.reason.message, "mine");
  assert.equal(d2.remainingMs(), Infinity);
  let late = 0;
  const c3 = new AbortController();
  const slow = new Promise<number>((r) => setTimeout(() => r(5), 20));
  const p = abortable(slow, c3.signal, (v) => late = v);
  c3.abort();
  await assert.rejects(p, { name: "AbortError" });
  await slow;
  assert.equal(late, 5, "a late value is handed over");
});

Deno.test("client: a fetch that ignores signals still honours timeoutMs", async () => {
  const never = new BayClient({
    endpoint: "http://bay.test/",
    fetch: () => new Promise(() => {}),
    timeoutMs: 50,
  });
  assert.equal(never.endpoint, "http://bay.test");
  const e = await never.health().catch((x) => x);
  assert.ok(e instanceof ClientTimeoutError);
  assert.equal(e.timeoutMs, 50);
  await assert.rejects(() => never.health({ timeoutMs: 10 }), ClientTimeoutError);
});

Deno.test({
  name: "env: BAY_ENDPOINT and BAY_API_KEY are the defaults; options win",
  ignore: !FULL_ACCESS,
  fn: async () => {
    const saved = [Deno.env.get("BAY_ENDPOINT"), Deno.env.get("BAY_API_KEY")];
    Deno.env.set("BAY_ENDPOINT", "http://from-env:1234");
    Deno.env.set("BAY_API_KEY", "env-key");
    try {
      let auth: string | null = null;
      let url = "";
      const fetch = (u: string, init: RequestInit) => {
        url = u;
        auth = new Headers(init.headers).get("Authorization");
        return Promise.resolve(Response.json({ status: "ok", version: "1" }));
      };
      await new BayClient({ fetch }).health();
      assert.equal(url, "http://from-env:1234/health");
      assert.equal(auth, "Bearer env-key");
      await new BayClient({ fetch, endpoint: "http://given", apiKey: "given-key" }).health();
      assert.equal(url, "http://given/health");
      assert.equal(auth, "Bearer given-key");
    } finally {
      for (const [k, v] of [["BAY_ENDPOINT", saved[0]], ["BAY_API_KEY", saved[1]]] as const) {
        if (v === undefined) Deno.env.delete(k);
        else Deno.env.set(k, v);
      }
    }
  },
});
