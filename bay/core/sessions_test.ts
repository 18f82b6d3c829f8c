import assert from "node:assert/strict";
import type { SessionSpec } from "../drivers/driver.ts";
import { type TestBay, testBay } from "../testing.ts";

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Make every runtime of `t` take `slowMs` to launch and count the starts in progress, from the
 * driver's `startSession` until the ship is attached (the part a start slot covers).
 */
function countStarts(t: TestBay, slowMs: (spec: SessionSpec) => number) {
  const stats = { active: 0, max: 0, total: 0 };
  const start = t.driver.startSession.bind(t.driver);
  t.driver.startSession = async (spec) => {
    stats.active++;
    stats.total++;
    stats.max = Math.max(stats.max, stats.active);
    try {
      await delay(slowMs(spec));
      const r = await start(spec);
      while (!t.bay.services.hub.get(spec.sessionId)) await delay(2);
      return r;
    } finally {
      stats.active--;
    }
  };
  return stats;
}

async function createSandboxes(t: TestBay, n: number): Promise<string[]> {
  return await Promise.all(Array.from({ length: n }, async () => {
    const r = await t.request("POST", "/v1/sandboxes", { body: {} });
    assert.equal(r.status, 201);
    return (await r.json()).id as string;
  }));
}

const exec = (t: TestBay, id: string, command = "true") =>
  t.request("POST", `/v1/sandboxes/${id}/shell/exec`, { body: { command } });

Deno.test("sessions: at most maxConcurrentStarts sessions start at once; all others queue", async () => {
  const t = await testBay({ ships: true, env: { BAY_MAX_CONCURRENT_STARTS: "3" } });
  try {
    const stats = countStarts(t, () => 40);
    const ids = await createSandboxes(t, 12);
    const results = await Promise.all(ids.map(async (id) => {
      const r = await exec(t, id, "echo hi");
      return { status: r.status, body: await r.json() };
    }));
    for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(results.every((r) => r.body.output === "hi\n"));
    assert.equal(stats.total, 12);
    assert.equal(stats.max, 3, `at most 3 starts at once, saw ${stats.max}`);
    assert.equal(stats.active, 0);
  } finally {
    await t.close();
  }
});

Deno.test("sessions: a start that waits past the deadline for a slot gets 503, leaving nothing", async () => {
  const t = await testBay({
    ships: true,
    env: { BAY_MAX_CONCURRENT_STARTS: "1" },
    configYaml: "sessionStartTimeoutMs: 1000\n",
  });
  try {
    const [slow, queued] = await createSandboxes(t, 2);
    // The first runtime takes 1.5 s to launch: its own start times out, the second one's wait too.
    countStarts(t, (spec) => spec.sandboxId === slow ? 1_500 : 0);
    const first = exec(t, slow);
    await delay(50);
    const t0 = Date.now();
    const r = await exec(t, queued);
    const body = await r.json();
    assert.equal(r.status, 503);
    assert.equal(body.error.code, "session_not_ready");
    assert.match(body.error.message, /too many sessions are starting/);
    assert.equal(body.error.details.max_concurrent_starts, 1);
    assert.ok(typeof body.error.request_id === "string");
    assert.ok(Date.now() - t0 < 1_400, "answered at the slot deadline, not after the start");
    const rows = await t.db.query(`SELECT id FROM sessions s WHERE s.sandbox_id = $1`, [queued]);
    assert.deepEqual(rows, [], "a start that never got a slot recorded nothing");
    const firstRes = await first;
    assert.equal(firstRes.status, 503, "the slow start itself timed out");
    await firstRes.body?.cancel();
    // Once the slot is free, the queued sandbox starts normally.
    const again = await exec(t, queued, "echo ok");
    assert.equal(again.status, 200);
    assert.equal((await again.json()).output, "ok\n");
  } finally {
    await t.close();
  }
});

Deno.test("sessions: deleting a sandbox whose start is queued cancels it at once (404)", async () => {
  const t = await testBay({ ships: true, env: { BAY_MAX_CONCURRENT_STARTS: "1" } });
  try {
    const [slow, queued] = await createSandboxes(t, 2);
    countStarts(t, (spec) => spec.sandboxId === slow ? 800 : 0);
    const first = exec(t, slow);
    await delay(50);
    const waiting = exec(t, queued);
    await delay(50);
    const t0 = Date.now();
    const del = await t.request("DELETE", `/v1/sandboxes/${queued}`);
    assert.equal(del.status, 204);
    assert.ok(Date.now() - t0 < 500, "the delete did not wait for the queue");
    const r = await waiting;
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.code, "not_found");
    assert.equal((await first).status, 200);
    const rows = await t.db.query(`SELECT id FROM sessions WHERE sandbox_id = $1`, [queued]);
    assert.deepEqual(rows, []);
  } finally {
    await t.close();
  }
});

Deno.test("sessions: only a python call's start boots the kernel eagerly", async () => {
  const t = await testBay({ ships: true });
  try {
    const [sh, py] = await createSandboxes(t, 2);
    assert.equal((await exec(t, sh)).status, 200);
    const r = await t.request("POST", `/v1/sandboxes/${py}/python/exec`, { body: { code: "1+1" } });
    assert.equal(r.status, 200);
    await r.body?.cancel();
    const eager = new Map([...t.driver.specs.values()].map((s) => [s.sandboxId, s.eagerKernel]));
    assert.equal(eager.get(sh), false);
    assert.equal(eager.get(py), true);
  } finally {
    await t.close();
  }
});
