/**
 * The ship channel under attack, on a listening in-process Bay (TCP and its
 * unix ship socket): refused and replayed credentials, and a ship with a
 * VALID credential (read from the fake driver) that sends malformed,
 * oversized or credit-violating frames. Whatever happens, another sandbox's
 * real ship keeps its connection and keeps working through the same hub.
 *
 * @module
 */
import assert from "node:assert/strict";
import { CHUNK_BYTES, PROTOCOL_VERSION } from "@shipyard/ship/protocol";
import type { SessionSpec } from "../../bay/drivers/driver.ts";
import { type ListeningBay, listeningBay, TEST_KEY } from "./_listening_bay.ts";
import { RawWs, type Target } from "./_rawws.ts";

interface Live {
  sandboxId: string;
  spec: SessionSpec;
}

function hello(spec: { sessionId: string; channel: { token: string } }, extra = {}) {
  return {
    t: "hello",
    session_id: spec.sessionId,
    token: spec.channel.token,
    protocol: PROTOCOL_VERSION,
    ship_version: "impostor",
    ...extra,
  };
}

/** Connect as the ship of `spec` and wait for the welcome. */
async function impersonate(target: Target, spec: SessionSpec, extra = {}): Promise<RawWs> {
  const ws = await RawWs.open(target);
  await ws.sendJson(hello(spec, extra));
  await ws.nextJson((f) => f.t === "welcome");
  return ws;
}

/** The real ship of `live` still holds the same connection and still works. */
async function assertHealthy(b: ListeningBay, live: Live, conn: unknown, what: string) {
  const r = await b.api("POST", `/v1/sandboxes/${live.sandboxId}/shell/exec`, {
    command: "echo alive",
  });
  assert.equal(r.status, 200, `${what}: other sandbox answered ${r.status} ${r.text}`);
  assert.equal(r.body.output, "alive\n", what);
  assert.equal(b.bay.services.hub.get(live.spec.sessionId), conn, `${what}: connection replaced`);
  const h = await fetch(`${b.url}/health`);
  assert.equal(h.status, 200, what);
  await h.body?.cancel();
}

async function setup(b: ListeningBay) {
  const s1 = (await b.api("POST", "/v1/sandboxes", {})).body;
  const r1 = await b.api("POST", `/v1/sandboxes/${s1.id}/shell/exec`, { command: "true" });
  assert.equal(r1.status, 200, r1.text);
  const spec1 = [...b.specs.values()].find((s) => s.sandboxId === s1.id)!;
  const live: Live = { sandboxId: s1.id, spec: spec1 };
  const conn1 = b.bay.services.hub.get(spec1.sessionId);
  assert.ok(conn1, "the real ship is attached");
  const s2 = (await b.api("POST", "/v1/sandboxes", {})).body;
  return { live, conn1, s2id: s2.id as string, next: b.hold(s2.id) };
}

/** Start a session of held sandbox `id` and serve its first call correctly. */
async function startHeld(b: ListeningBay, id: string, next: () => Promise<SessionSpec>) {
  const call = b.api("POST", `/v1/sandboxes/${id}/shell/exec`, { command: "true" });
  const spec = await next();
  const ws = await impersonate({ path: b.socketPath }, spec);
  const req = await ws.nextJson((f) => f.t === "req");
  await ws.sendJson({
    t: "res",
    id: req.id,
    result: { exit_code: 0, stdout: "", stderr: "", timed_out: false, truncated: false },
  });
  assert.equal((await call).status, 200);
  return { spec, ws };
}

Deno.test("channel: wrong, foreign, replayed and stale credentials are refused", async (t) => {
  const b = await listeningBay();
  try {
    const { live, conn1, s2id, next } = await setup(b);
    const first = await startHeld(b, s2id, next);
    const spec2 = first.spec;
    const targets: [string, Target][] = [["tcp", { port: b.port }], ["unix", {
      path: b.socketPath,
    }]];
    const refuse = async (target: Target, frame: Record<string, unknown>, what: string) => {
      const ws = await RawWs.open(target);
      await ws.sendJson(frame);
      const closed = await ws.waitClosed();
      assert.equal(closed.reason, "unauthorized", `${what}: ${JSON.stringify(closed)}`);
    };
    let n = 0;
    for (const [name, target] of targets) {
      await t.step(`${name}: live sessions cannot be claimed without their own token`, async () => {
        const cases: [string, Record<string, unknown>][] = [
          ["wrong token", hello(live.spec, { token: "x".repeat(43) })],
          ["empty token", hello(live.spec, { token: "" })],
          ["1 MiB token", hello(live.spec, { token: "k".repeat(1 << 20) })],
          ["other session's token", hello(live.spec, { token: spec2.channel.token })],
          ["own token, other session id", hello(spec2, { token: live.spec.channel.token })],
          ["unknown session", hello({ sessionId: "sess-000000000000", channel: spec2.channel })],
          ["sql-ish id", hello({ sessionId: "' OR 1=1 --", channel: spec2.channel })],
          ["right token, wrong protocol", hello(live.spec, { protocol: PROTOCOL_VERSION + 1 })],
        ];
        for (const [what, frame] of cases) {
          await refuse(target, frame, `${name} ${what}`);
          n++;
          await assertHealthy(b, live, conn1, `${name} ${what}`);
        }
      });
    }

    await t.step("anything but a hello from an anonymous peer ends it at once", async () => {
      const firsts = [
        { t: "res", id: "1", result: null },
        { t: "event", id: "1", ev: { kind: "stdout", text: "x" } },
        { t: "err", id: "1", error: { code: "ship_error", message: "m" } },
        { t: "req", id: "1", call: { op: "proc_list" } },
      ];
      for (const [name, target] of targets) {
        for (const frame of firsts) {
          const ws = await RawWs.open(target);
          await ws.sendJson(frame);
          const closed = await ws.waitClosed(3000); // the hello deadline is 10 s
          assert.equal(closed.reason, "expected hello", `${name} ${frame.t}`);
          n++;
        }
      }
      await assertHealthy(b, live, conn1, "anonymous frames");
    });

    await t.step("a stopped session's token is dead, before and after a restart", async () => {
      const stop = await b.api("POST", `/v1/sandboxes/${s2id}/stop`);
      assert.equal(stop.status, 200);
      assert.equal((await first.ws.waitClosed()).code !== 0, true, "the impostor was cut");
      for (const [name, target] of targets) {
        await refuse(target, hello(spec2), `${name} stopped session`);
        n++;
      }
      const again = await startHeld(b, s2id, next);
      assert.notEqual(again.spec.sessionId, spec2.sessionId);
      for (const [name, target] of targets) {
        await refuse(target, hello(spec2), `${name} old session, old token`);
        await refuse(
          target,
          hello(again.spec, { token: spec2.channel.token }),
          `${name} new session, old token`,
        );
        n += 2;
      }
      const ok = await b.api("POST", `/v1/sandboxes/${s2id}/keepalive`);
      assert.equal(ok.status, 200);
      again.ws.close();
      await assertHealthy(b, live, conn1, "after replays");
    });
    assert.ok(n >= 30, `${n} refused connections`);
  } finally {
    await b.close();
  }
});

Deno.test("channel: a ship with a valid credential that misbehaves is cut off alone", async (t) => {
  const b = await listeningBay();
  try {
    const { live, conn1, s2id, next } = await setup(b);
    const { spec, ws: firstWs } = await startHeld(b, s2id, next);
    firstWs.close();
    const exec = () => b.api("POST", `/v1/sandboxes/${s2id}/shell/exec`, { command: "x" });
    const text = (s: string) => new TextEncoder().encode(s);
    type Misdeed = (ws: RawWs, req: Record<string, unknown>) => Promise<void>;
    const cases: [string, Misdeed][] = [
      ["not JSON", (ws) => ws.sendText("{not json")],
      ["a JSON array", (ws) => ws.sendText("[1,2,3]")],
      ["unknown frame type", (ws) => ws.sendJson({ t: "bogus" })],
      ["res without id", (ws) => ws.sendJson({ t: "res", result: 1 })],
      ["invalid UTF-8 text", (ws) => ws.sendText(new Uint8Array([0x7b, 0xff, 0xfe, 0x80, 0x7d]))],
      ["binary shorter than its header", (ws) => ws.sendBinary(new Uint8Array([1, 2]))],
      ["binary larger than a chunk", (ws) => ws.sendBinary(new Uint8Array(CHUNK_BYTES + 64))],
      ["duplicate hello", (ws) => ws.sendJson(hello(spec))],
      ["17 MiB text frame", (ws, req) =>
        ws.sendJson({
          t: "event",
          id: req.id,
          ev: { kind: "stdout", text: "x".repeat(17 << 20) },
        })],
      [
        "text frame over the 64 MiB transport limit",
        (ws) => ws.sendText(text(" ".repeat(65 << 20))),
      ],
    ];
    let n = 0;
    for (const [what, misdeed] of cases) {
      await t.step(what, async () => {
        const ws = await impersonate({ path: b.socketPath }, spec);
        const call = exec();
        const req = await ws.nextJson((f) => f.t === "req");
        await misdeed(ws, req);
        await ws.waitClosed(20_000);
        const r = await call;
        assert.equal(r.status, 502, `${what}: ${r.status} ${r.text}`);
        assert.equal(r.body.error.code, "ship_error", what);
        await assertHealthy(b, live, conn1, what);
        n++;
      });
    }

    await t.step("sending more bytes than granted (credit abuse)", async () => {
      const ws = await impersonate({ path: b.socketPath }, spec);
      const res = fetch(`${b.url}/v1/sandboxes/${s2id}/filesystem/download?path=f.bin`, {
        headers: { Authorization: `Bearer ${TEST_KEY}` },
      });
      const req = await ws.nextJson((f) => f.t === "req") as {
        id: string;
        call: { stream_id: number };
      };
      const total = 32 << 20;
      await ws.sendJson({ t: "event", id: req.id, ev: { kind: "file_info", size: total } });
      const frame = new Uint8Array(4 + CHUNK_BYTES);
      new DataView(frame.buffer).setUint32(0, req.call.stream_id);
      const response = await res;
      assert.equal(response.status, 200, "headers went out with the announced size");
      for (let sent = 0; sent < total && !(await isClosed(ws)); sent += CHUNK_BYTES) {
        await ws.sendBinary(frame);
      }
      const closed = await ws.waitClosed();
      assert.match(closed.reason, /flow control/, JSON.stringify(closed));
      const got = await response.arrayBuffer().then((a) => a.byteLength, () => -1);
      assert.ok(got < total, `the client got ${got} of ${total} bytes: the stream was cut`);
      await assertHealthy(b, live, conn1, "credit abuse");
      n++;
    });

    await t.step("well-formed noise is ignored and bounded, not fatal", async () => {
      const ws = await impersonate({ path: b.socketPath }, spec);
      for (let i = 0; i < 5000; i++) {
        await ws.sendJson({ t: "credit", stream_id: 1000 + i, bytes: 1 << 30 });
        if (i % 1000 === 0) await ws.sendJson({ t: "res", id: `no-such-${i}`, result: null });
      }
      const call = exec();
      const req = await ws.nextJson((f) => f.t === "req");
      await ws.sendJson({ t: "res", id: req.id, result: { exit_code: "not a number" } });
      const r = await call;
      assert.equal(r.status, 502, "a malformed result fails that call only");
      const call2 = exec();
      const req2 = await ws.nextJson((f) => f.t === "req");
      await ws.sendJson({ t: "err", id: req2.id, error: { code: "made_up_code", message: "m" } });
      const r2 = await call2;
      assert.equal(r2.status, 502, `an unknown error code maps to ship_error: ${r2.text}`);
      ws.close();
      await assertHealthy(b, live, conn1, "noise");
      n++;
    });
    assert.equal(n, cases.length + 2);
  } finally {
    await b.close();
  }
});

Deno.test("channel: an oversized result fails that call, never the sandbox's channel", async () => {
  const b = await listeningBay();
  try {
    const { live, conn1 } = await setup(b);
    const id = live.sandboxId;
    // 3 MiB of U+0001 is valid UTF-8 text, but JSON-escaped (\u0001) it is 18 MiB.
    const bytes = new Uint8Array(3 << 20).fill(1);
    const w = await b.api("PUT", `/v1/sandboxes/${id}/filesystem/files`, {
      path: "ctl.txt",
      content: bytes.toBase64(),
      encoding: "base64",
    });
    assert.equal(w.status, 200, w.text);
    const slow = b.api("POST", `/v1/sandboxes/${id}/shell/exec`, { command: "sleep 1; echo done" });
    const r = await b.api("GET", `/v1/sandboxes/${id}/filesystem/files?path=ctl.txt`);
    assert.ok(r.status >= 400 && r.status < 500, `${r.status} ${r.text.slice(0, 200)}`);
    const s = await slow;
    assert.equal(s.status, 200, `a concurrent call survived: ${s.text}`);
    assert.equal(s.body.output, "done\n");
    const d = await fetch(`${b.url}/v1/sandboxes/${id}/filesystem/download?path=ctl.txt`, {
      headers: { Authorization: `Bearer ${TEST_KEY}` },
    });
    assert.equal((await d.arrayBuffer()).byteLength, bytes.length, "download still works");
    await assertHealthy(b, live, conn1, "oversized result");
  } finally {
    await b.close();
  }
});

Deno.test("channel: transfer tokens are single-use and unguessable", async () => {
  const b = await listeningBay();
  try {
    const { live, conn1, s2id, next } = await setup(b);
    const { spec, ws: firstWs } = await startHeld(b, s2id, next);
    firstWs.close();
    const ws = await impersonate({ path: b.socketPath }, spec, { http_transfers: true });
    const form = new FormData();
    form.append("path", "u.txt");
    form.append("file", new Blob(["payload"]));
    const up = fetch(`${b.url}/v1/sandboxes/${s2id}/filesystem/upload`, {
      method: "POST",
      body: form,
      headers: { Authorization: `Bearer ${TEST_KEY}` },
    });
    const req = await ws.nextJson((f) => f.t === "req") as {
      id: string;
      call: { transfer: string };
    };
    const token = req.call.transfer;
    assert.match(token, /^[0-9a-f]{64}$/);
    const url = `${b.url}/v1/ship/transfers/${token}`;
    const wrong = await fetch(url, { method: "POST", body: "x" });
    assert.equal(wrong.status, 405, "wrong direction refused");
    await wrong.body?.cancel();
    const got = await fetch(url);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), "payload");
    for (const u of [url, `${b.url}/v1/ship/transfers/${"0".repeat(64)}`, `${url.slice(0, -1)}x`]) {
      const again = await fetch(u);
      assert.equal(again.status, 404, `${u}: replay or guess refused`);
      await again.body?.cancel();
    }
    await ws.sendJson({ t: "res", id: req.id, result: { path: "u.txt", size: 7 } });
    assert.equal((await up).status, 200);
    ws.close();
    await assertHealthy(b, live, conn1, "transfers");
  } finally {
    await b.close();
  }
});

async function isClosed(ws: RawWs): Promise<boolean> {
  return await Promise.race([ws.closed.then(() => true), Promise.resolve(false)]);
}
