/**
 * Races inside one Bay (in-process, fake driver; real in-process ships where
 * an exec must run). Every test ends by comparing the driver with the store:
 * no orphan runtime or cargo, nothing lost.
 */
import assert from "node:assert/strict";
import type { SessionSpec } from "../../bay/drivers/driver.ts";
import type { SandboxRow } from "../../bay/store/rows.ts";
import { type TestBay, testBay } from "../../bay/testing.ts";
import { assertDriverMatchesStore, deleteAllAndAssertEmpty, gate, until } from "./_leaks.ts";

// deno-lint-ignore no-explicit-any
async function json(r: Response): Promise<any> {
  const text = await r.text();
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

async function create(t: TestBay): Promise<{ id: string; cargo_id: string }> {
  const r = await t.request("POST", "/v1/sandboxes", { body: {} });
  const b = await json(r);
  assert.equal(r.status, 201, JSON.stringify(b));
  return b;
}

function sh(t: TestBay, id: string, command: string): Promise<Response> {
  return t.request("POST", `/v1/sandboxes/${id}/shell/exec`, { body: { command } });
}

async function sessionsOf(t: TestBay, sandboxId: string) {
  return await t.db.query<{ id: string; status: string; runtime_id: string | null }>(
    `SELECT id, status, runtime_id FROM sessions WHERE sandbox_id = $1 ORDER BY created_at`,
    [sandboxId],
  );
}

/** In-process ships keep a cargo in `<dataDir>/cargos/<id>`: the exec's marker file. */
async function exists(t: TestBay, cargoId: string, name: string): Promise<boolean> {
  return await Deno.stat(`${t.dataDir}/cargos/${cargoId}/${name}`).then(() => true, () => false);
}

async function gcRun(t: TestBay, task: string) {
  const r = await t.request("POST", "/v1/admin/gc/run", { body: { tasks: [task] } });
  const b = await json(r);
  assert.equal(r.status, 200, JSON.stringify(b));
  return b.results[0] as { cleaned_count: number; skipped_count: number; errors: string[] };
}

Deno.test("races: 30 concurrent creates: 30 sandboxes without a key, one with a key", async (ctx) => {
  const t = await testBay();
  try {
    await ctx.step("without a key: 30 sandboxes and 30 cargos, no more", async () => {
      const rs = await Promise.all(
        Array.from({ length: 30 }, () => t.request("POST", "/v1/sandboxes", { body: {} })),
      );
      const bodies = await Promise.all(rs.map(json));
      assert.deepEqual(rs.map((r) => r.status), Array(30).fill(201), JSON.stringify(bodies[0]));
      assert.equal(new Set(bodies.map((b) => b.id)).size, 30);
      assert.equal(new Set(bodies.map((b) => b.cargo_id)).size, 30);
      const [{ s, c }] = await t.db.query<{ s: number; c: number }>(
        `SELECT (SELECT count(*)::int FROM sandboxes) AS s, (SELECT count(*)::int FROM cargos) AS c`,
      );
      assert.equal(s, 30);
      assert.equal(c, 30);
      assert.deepEqual([...t.driver.cargos].sort(), bodies.map((b) => b.cargo_id).sort());
      await assertDriverMatchesStore(t, "after 30 creates");
      await deleteAllAndAssertEmpty(t);
    });
    await ctx.step("with one Idempotency-Key: exactly one sandbox and one cargo", async () => {
      const h = { "Idempotency-Key": "race-30" };
      const rs = await Promise.all(
        Array.from(
          { length: 30 },
          () => t.request("POST", "/v1/sandboxes", { body: {}, headers: h }),
        ),
      );
      const bodies = await Promise.all(rs.map(json));
      assert.deepEqual(rs.map((r) => r.status), Array(30).fill(201), JSON.stringify(bodies));
      assert.equal(new Set(bodies.map((b) => b.id)).size, 1);
      assert.equal(new Set(bodies.map((b) => b.cargo_id)).size, 1);
      const [{ s, c }] = await t.db.query<{ s: number; c: number }>(
        `SELECT (SELECT count(*)::int FROM sandboxes WHERE deleted_at IS NULL) AS s,
                (SELECT count(*)::int FROM cargos WHERE deleted_at IS NULL) AS c`,
      );
      assert.equal(s, 1);
      assert.equal(c, 1);
      assert.deepEqual([...t.driver.cargos], [bodies[0].cargo_id]);
      await assertDriverMatchesStore(t, "after keyed creates");
      await deleteAllAndAssertEmpty(t);
    });
  } finally {
    await t.close();
  }
});

Deno.test("races: idle_session GC during a long exec skips it; the exec completes", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    const warm = await sh(t, sb.id, "echo warm");
    assert.equal(warm.status, 200, await warm.text());
    const [before] = await sessionsOf(t, sb.id);

    const exec = sh(t, sb.id, "touch started; sleep 2; echo done");
    await until("exec in flight", () => exists(t, sb.cargo_id, "started"));
    // The exec pushed the idle deadline forward; force it into the past behind its back.
    await t.db.query(
      `UPDATE sandboxes SET idle_expires_at = now() - interval '1 hour' WHERE id = $1`,
      [sb.id],
    );
    const r1 = await gcRun(t, "idle_session");
    assert.equal(r1.cleaned_count, 0, JSON.stringify(r1));
    assert.equal(r1.skipped_count, 1, JSON.stringify(r1));
    const res = await exec;
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.success, true);
    assert.equal(body.output, "done\n");
    const after = await sessionsOf(t, sb.id);
    assert.equal(after.length, 1, "no second session");
    assert.equal(after[0].id, before.id);
    assert.equal(after[0].status, "ready", "not destroyed mid-exec");
    await assertDriverMatchesStore(t, "after the exec");

    // Once idle (deadline still in the past), a later run reclaims the session, not the cargo.
    await t.db.query(
      `UPDATE sandboxes SET idle_expires_at = now() - interval '1 hour' WHERE id = $1`,
      [sb.id],
    );
    const r2 = await gcRun(t, "idle_session");
    assert.equal(r2.cleaned_count, 1, JSON.stringify(r2));
    assert.equal(t.driver.runtimes.size, 0);
    assert.deepEqual([...t.driver.cargos], [sb.cargo_id], "reclaiming a session keeps the cargo");
    await assertDriverMatchesStore(t, "after idle GC");
    await deleteAllAndAssertEmpty(t);
  } finally {
    await t.close();
  }
});

Deno.test("races: an exec arriving while idle_session GC reclaims the session survives", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    const warm = await sh(t, sb.id, "echo warm");
    assert.equal(warm.status, 200, await warm.text());
    await t.db.query(
      `UPDATE sandboxes SET idle_expires_at = now() - interval '1 hour' WHERE id = $1`,
      [sb.id],
    );
    // Right after GC re-selected the idle sandbox (and found it idle), an exec comes in.
    const db = t.bay.services.db;
    const query = db.query.bind(db);
    let exec: Promise<Response> | null = null;
    db.query = (async (text: string, params?: readonly unknown[]) => {
      const rows = await query(text, params);
      if (!exec && text.includes("idle_expires_at < now()") && params?.length === 1) {
        exec = sh(t, sb.id, "touch started; sleep 1; echo done");
        await until("exec in flight", () => exists(t, sb.cargo_id, "started"));
      }
      return rows;
    }) as typeof db.query;
    const r = await gcRun(t, "idle_session");
    db.query = query;
    assert.ok(exec, "the exec was sent during the GC run");
    const res = await (exec as Promise<Response>);
    const body = await json(res);
    assert.equal(res.status, 200, `exec killed by GC: ${JSON.stringify(body)}`);
    assert.equal(body.output, "done\n");
    assert.equal(r.cleaned_count, 0, JSON.stringify(r));
    const ss = await sessionsOf(t, sb.id);
    assert.deepEqual(ss.map((s) => s.status), ["ready"]);
    await assertDriverMatchesStore(t, "after GC raced an exec");
    await deleteAllAndAssertEmpty(t);
  } finally {
    await t.close();
  }
});

Deno.test("races: expired_sandbox GC skips a sandbox with an exec in flight, cleans it later", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    const exec = sh(t, sb.id, "touch started; sleep 2; echo done");
    await until("exec in flight", () => exists(t, sb.cargo_id, "started"));
    await t.db.query(
      `UPDATE sandboxes SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [sb.id],
    );
    const r1 = await gcRun(t, "expired_sandbox");
    assert.equal(r1.cleaned_count, 0, JSON.stringify(r1));
    assert.equal(r1.skipped_count, 1, JSON.stringify(r1));
    const res = await exec;
    const body = await json(res);
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.output, "done\n");
    const [s] = await sessionsOf(t, sb.id);
    assert.equal(s.status, "ready");

    const r2 = await gcRun(t, "expired_sandbox");
    assert.equal(r2.cleaned_count, 1, JSON.stringify(r2));
    const gone = await t.request("GET", `/v1/sandboxes/${sb.id}`);
    await gone.body?.cancel();
    assert.equal(gone.status, 404);
    assert.equal(t.driver.runtimes.size, 0, "runtime stopped");
    assert.equal(t.driver.cargos.size, 0, "managed cargo deleted");
    await assertDriverMatchesStore(t, "after expiry GC");
  } finally {
    await t.close();
  }
});

/** Statuses a capability call may end with when its sandbox is deleted under it. */
const CLEAN_FAILURES = [404, 409, 502];

Deno.test("races: DELETE while the first exec is starting the session leaks nothing", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    // Slow launch: the runtime exists and its ship is connecting, but startSession has not returned.
    const launched = gate();
    const release = gate();
    const start = t.driver.startSession.bind(t.driver);
    t.driver.startSession = async (spec: SessionSpec) => {
      const r = await start(spec);
      launched.open();
      await release.promise;
      return r;
    };
    const exec = sh(t, sb.id, "sleep 1; echo late");
    await launched.promise;
    assert.equal(t.driver.runtimes.size, 1, "the runtime is starting");
    const del = t.request("DELETE", `/v1/sandboxes/${sb.id}`);
    await until(
      "sandbox marked deleted",
      async () =>
        (await t.db.query(`SELECT 1 FROM sandboxes WHERE id = $1 AND deleted_at IS NOT NULL`, [
          sb.id,
        ])).length === 1,
    );
    release.open();
    const [d, e] = await Promise.all([del, exec]);
    await d.body?.cancel();
    assert.equal(d.status, 204);
    const eb = await json(e);
    assert.ok(CLEAN_FAILURES.includes(e.status), `exec: ${e.status} ${JSON.stringify(eb)}`);
    assert.ok(eb.error?.code, "an error envelope");
    assert.ok(
      ![...t.driver.runtimes.values()].some((r) => r.sandboxId === sb.id),
      "no runtime of the deleted sandbox",
    );
    assert.ok(!t.driver.cargos.has(sb.cargo_id), "no cargo of the deleted sandbox");
    await assertDriverMatchesStore(t, "after delete during start");
    await deleteAllAndAssertEmpty(t);
  } finally {
    await t.close();
  }
});

Deno.test("races: DELETE between an exec's gate and its session start leaks nothing", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    // Hold the exec after it read the (live) sandbox row, before it starts a session.
    const entered = gate();
    const release = gate();
    const svc = t.bay.services.sandboxes;
    const touch = svc.touch.bind(svc);
    let first = true;
    svc.touch = async (row: SandboxRow) => {
      if (first) {
        first = false;
        entered.open();
        await release.promise;
      }
      return await touch(row);
    };
    const exec = sh(t, sb.id, "echo late");
    await entered.promise;
    const d = await t.request("DELETE", `/v1/sandboxes/${sb.id}`);
    await d.body?.cancel();
    assert.equal(d.status, 204);
    assert.equal(t.driver.cargos.size, 0, "the delete removed the cargo");
    release.open();
    const e = await exec;
    const eb = await json(e);
    assert.ok(CLEAN_FAILURES.includes(e.status), `exec: ${e.status} ${JSON.stringify(eb)}`);
    assert.equal(t.driver.runtimes.size, 0, "no runtime started for a deleted sandbox");
    assert.equal(t.driver.cargos.size, 0, "the cargo was not recreated");
    await assertDriverMatchesStore(t, "after delete before start");
  } finally {
    await t.close();
  }
});

Deno.test("races: stop during a long exec fails it promptly with ship_error; the next works", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    const exec = sh(t, sb.id, "touch started; sleep 20; echo never");
    await until("exec in flight", () => exists(t, sb.cargo_id, "started"));
    const t0 = Date.now();
    const stop = await t.request("POST", `/v1/sandboxes/${sb.id}/stop`);
    await stop.body?.cancel();
    assert.equal(stop.status, 200);
    const e = await exec;
    const ms = Date.now() - t0;
    const eb = await json(e);
    assert.equal(e.status, 502, JSON.stringify(eb));
    assert.equal(eb.error.code, "ship_error");
    assert.ok(ms < 3_000, `exec answered ${ms} ms after the stop`);
    assert.equal(t.driver.runtimes.size, 0, "the stopped runtime is gone");
    await assertDriverMatchesStore(t, "after stop");

    const next = await sh(t, sb.id, "echo again");
    const nb = await json(next);
    assert.equal(next.status, 200, JSON.stringify(nb));
    assert.equal(nb.output, "again\n");
    const ss = await sessionsOf(t, sb.id);
    assert.deepEqual(ss.map((s) => s.status), ["stopped", "ready"]);
    assert.equal(t.driver.runtimes.size, 1);
    await assertDriverMatchesStore(t, "after the next exec");
    await deleteAllAndAssertEmpty(t);
  } finally {
    await t.close();
  }
});

Deno.test("races: 20 parallel first execs on a fresh sandbox start one session", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await create(t);
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => sh(t, sb.id, `echo ${i}`)),
    );
    const bodies = await Promise.all(rs.map(json));
    rs.forEach((r, i) => {
      assert.equal(r.status, 200, JSON.stringify(bodies[i]));
      assert.equal(bodies[i].output, `${i}\n`);
    });
    const ss = await sessionsOf(t, sb.id);
    assert.equal(ss.length, 1, JSON.stringify(ss));
    assert.equal(ss[0].status, "ready");
    assert.equal(t.driver.runtimes.size, 1);
    assert.equal(t.driver.runtimes.get(ss[0].runtime_id!)?.sessionId, ss[0].id);
    await assertDriverMatchesStore(t, "after parallel first calls");
    await deleteAllAndAssertEmpty(t);
  } finally {
    await t.close();
  }
});
