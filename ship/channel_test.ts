import assert from "node:assert/strict";
import { Channel } from "./channel.ts";
import { createSocketPair } from "./memory_socket.ts";
import type { Frame } from "./protocol.ts";
import { CHUNK_BYTES, INITIAL_CREDIT_BYTES } from "./protocol.ts";

function pair(opts: { heartbeatMs?: number; timeoutMs?: number } = {}) {
  const [sa, sb] = createSocketPair();
  const got: { a: Frame[]; b: Frame[]; closed: string[] } = { a: [], b: [], closed: [] };
  const base = { heartbeatMs: opts.heartbeatMs ?? 1000, timeoutMs: opts.timeoutMs ?? 5000 };
  const a = new Channel(sa, {
    ...base,
    onFrame: (f) => got.a.push(f),
    onClose: (r) => got.closed.push(`a:${r}`),
  });
  const b = new Channel(sb, {
    ...base,
    onFrame: (f) => got.b.push(f),
    onClose: (r) => got.closed.push(`b:${r}`),
  });
  return { a, b, sa, sb, got };
}

Deno.test("channel: control frames reach the peer", async () => {
  const { a, b, got } = pair();
  try {
    a.send({ t: "req", id: "1", call: { op: "python_interrupt" } });
    await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got.b, [{ t: "req", id: "1", call: { op: "python_interrupt" } }]);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: a stream bigger than the window arrives intact and in order", async () => {
  const { a, b } = pair();
  try {
    const rx = b.openReceiver(7);
    const tx = a.openSender(7);
    const data = crypto.getRandomValues(new Uint8Array(65536)).slice();
    const big = new Uint8Array(INITIAL_CREDIT_BYTES * 3 + 12345);
    for (let i = 0; i < big.length; i += data.length) {
      big.set(data.subarray(0, Math.min(data.length, big.length - i)), i);
    }
    const sending = tx.write(big).then(() => a.endStream(7));
    const received = new Uint8Array(await new Response(rx.stream).arrayBuffer());
    await sending;
    assert.equal(received.length, big.length);
    assert.deepEqual(received, big);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: credit granted before the sender opens is kept (download order)", async () => {
  const { a, b } = pair();
  try {
    const rx = b.openReceiver(9); // grants INITIAL_CREDIT_BYTES now, as Bay does for a download
    await new Promise((r) => setTimeout(r, 5)); // the grant arrives before the sender exists
    const tx = a.openSender(9);
    const data = new Uint8Array(INITIAL_CREDIT_BYTES * 2 + 7).fill(42);
    const sending = tx.write(data).then(() => a.endStream(9));
    const received = new Uint8Array(await new Response(rx.stream).arrayBuffer());
    await sending;
    assert.equal(received.length, data.length);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: early credit for streams that never open is bounded", async () => {
  const { a, b } = pair();
  try {
    for (let id = 100; id < 300; id++) b.openReceiver(id); // senders never open on a
    await new Promise((r) => setTimeout(r, 5));
    const rx = b.openReceiver(1000);
    await new Promise((r) => setTimeout(r, 5));
    const tx = a.openSender(1000); // the newest grant survived the eviction of old ones
    const sending = tx.write(new Uint8Array(CHUNK_BYTES)).then(() => a.endStream(1000));
    const received = await new Response(rx.stream).arrayBuffer();
    await sending;
    assert.equal(received.byteLength, CHUNK_BYTES);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: the sender waits for credit (bounded in flight)", async () => {
  const { a, b } = pair();
  try {
    const rx = b.openReceiver(1);
    const tx = a.openSender(1);
    let written = 0;
    const chunk = new Uint8Array(CHUNK_BYTES);
    const writer = (async () => {
      for (let i = 0; i < 20; i++) {
        await tx.write(chunk);
        written += chunk.length;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads: only the initial window may have been sent.
    assert.equal(written, INITIAL_CREDIT_BYTES);
    const reader = rx.stream.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(written, INITIAL_CREDIT_BYTES + CHUNK_BYTES);
    await reader.cancel();
    a.close("done");
    await assert.rejects(writer);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: a malformed frame closes the channel as a protocol violation", async () => {
  const { a, b, sa, got } = pair();
  try {
    sa.send(JSON.stringify({ t: "req", id: 5 }));
    await new Promise((r) => setTimeout(r, 10));
    assert.ok(b.closed);
    assert.ok(got.closed.some((r) => r.startsWith("b:protocol violation")), got.closed.join());
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: silence past the deadline closes with heartbeat timeout", async () => {
  const { a, b, got } = pair({ heartbeatMs: 20, timeoutMs: 60 });
  try {
    // Make b deaf: it stops answering by closing its listener side only.
    b.lastSeenAt = Date.now();
    a.lastSeenAt = Date.now() - 1000;
    // a has not heard from b for 1 s: its next beat must close.
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(a.closed);
    assert.ok(got.closed.includes("a:heartbeat timeout"), got.closed.join());
  } finally {
    a.close("done");
    b.close("done");
  }
});

/** Hold this process's event loop (every timer and socket waits), as a CPU-starved host does. */
function stall(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* busy */ }
}

Deno.test("channel: a stall of this end's own event loop is not the peer's silence", async () => {
  const { a, b, got } = pair({ heartbeatMs: 20, timeoutMs: 60 });
  try {
    await new Promise((r) => setTimeout(r, 50));
    // The peer's frames wait behind the late timers: the first late tick must not close.
    stall(300);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(got.closed, []);
    assert.ok(!a.closed && !b.closed);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: after a stall, a peer that stays silent is still caught", async () => {
  const { a, b, sb, got } = pair({ heartbeatMs: 20, timeoutMs: 60 });
  try {
    sb.send = () => {}; // b goes deaf-mute: a hears nothing more from it
    stall(300);
    const t0 = Date.now();
    while (!a.closed && Date.now() - t0 < 1_000) await new Promise((r) => setTimeout(r, 5));
    assert.ok(got.closed.includes("a:heartbeat timeout"), got.closed.join());
    assert.ok(Date.now() - t0 < 200, `caught ${Date.now() - t0} ms after the stall`);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: closing fails open streams at once", async () => {
  const { a, b } = pair();
  try {
    const rx = b.openReceiver(3);
    const reading = new Response(rx.stream).arrayBuffer();
    a.close("bye");
    await assert.rejects(reading, /channel closed/);
  } finally {
    a.close("done");
    b.close("done");
  }
});

Deno.test("channel: the peer learns why it was closed (a refused ship stops retrying)", async () => {
  const { a, got } = pair();
  a.close("unauthorized");
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(got.closed.sort(), ["a:unauthorized", "b:unauthorized"]);
});
