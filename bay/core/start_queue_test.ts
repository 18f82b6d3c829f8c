import assert from "node:assert/strict";
import { BayError } from "../errors.ts";
import { defaultStartLimit, StartCancelled, StartQueue } from "./start_queue.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("start queue: at most `limit` run; the rest start in arrival order", async () => {
  const q = new StartQueue(2);
  const order: number[] = [];
  const releases: (() => void)[] = [];
  const all = Array.from({ length: 5 }, (_, i) =>
    q.acquire(10_000).then((release) => {
      order.push(i);
      releases.push(release);
    }));
  await tick();
  assert.deepEqual(order, [0, 1]);
  assert.equal(q.running, 2);
  assert.equal(q.waiting, 3);
  releases[0]();
  releases[0](); // idempotent: frees one slot only
  await tick();
  assert.deepEqual(order, [0, 1, 2]);
  assert.equal(q.running, 2);
  releases[1]();
  releases[2]();
  await tick();
  assert.deepEqual(order, [0, 1, 2, 3, 4]);
  releases[3]();
  releases[4]();
  await Promise.all(all);
  assert.equal(q.running, 0);
  assert.equal(q.waiting, 0);
});

Deno.test("start queue: a waiter past its deadline gets session_not_ready and leaves", async () => {
  const q = new StartQueue(1);
  const first = await q.acquire(1_000);
  const t0 = Date.now();
  const err = await q.acquire(30).then(() => null, (e) => e);
  assert.ok(err instanceof BayError);
  assert.equal(err.code, "session_not_ready");
  assert.equal(err.status, 503);
  assert.equal(err.details?.max_concurrent_starts, 1);
  assert.equal(err.details?.starts_ahead, 1);
  assert.ok(Number(err.details?.retry_after_ms) > 0);
  assert.ok(Date.now() - t0 >= 25);
  assert.equal(q.waiting, 0);
  first();
  assert.equal(q.running, 0);
  // The slot the timed-out waiter never took is free for the next one at once.
  (await q.acquire(10))();
});

Deno.test("start queue: cancel removes only that key's waiters", async () => {
  const q = new StartQueue(1);
  const first = await q.acquire(1_000, "a");
  const b = q.acquire(1_000, "b");
  const c = q.acquire(1_000, "c");
  assert.equal(q.cancel("b"), 1);
  assert.equal(q.cancel("a"), 0, "a running start is not cancelled");
  await assert.rejects(b, StartCancelled);
  assert.equal(q.waiting, 1);
  first();
  (await c)();
  assert.equal(q.running, 0);
});

Deno.test("start queue: default limits and a bad limit", () => {
  assert.equal(defaultStartLimit("local", 2), 8);
  assert.equal(defaultStartLimit("docker", 0), 4);
  assert.equal(defaultStartLimit("kubernetes", 2), 64);
  assert.throws(() => new StartQueue(0), RangeError);
});
