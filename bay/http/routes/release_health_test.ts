import assert from "node:assert/strict";
import { type TestBay, testBay } from "../../testing.ts";
import { addBob, addExecution, call, newSandbox } from "./_history_fixtures.ts";

const HEALTH_KEYS = [
  "baseline_error_rate",
  "baseline_samples",
  "baseline_success_rate",
  "error_rate",
  "error_rate_multiplier",
  "healthy",
  "p95_duration",
  "release_id",
  "rollback_reasons",
  "samples",
  "should_rollback",
  "skill_key",
  "stage",
  "success_drop",
  "success_rate",
  "thresholds",
  "window_complete",
  "window_end_at",
  "window_start_at",
];

const HOUR = 3_600_000;

/** Promote a fresh candidate of `skillKey` (evaluated with `report`), promoted `agoMs` ago. */
async function release(
  t: TestBay,
  sandboxId: string,
  agoMs: number,
  report?: unknown,
): Promise<{ id: string; at: Date }> {
  const e = await addExecution(t.db, { sandboxId });
  const c = await call(t, "POST", "/v1/skills/candidates", 201, {
    body: { skill_key: "k", source_execution_ids: [e] },
  });
  await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 200, {
    body: { passed: true, report },
  });
  const r = await call(t, "POST", `/v1/skills/candidates/${c.id}/promote`, 200, { body: {} });
  const at = new Date(Date.now() - agoMs);
  await t.db.query(
    `UPDATE skill_releases SET promoted_at = $2::timestamptz,
       health_window_end_at = $2::timestamptz + interval '24 hours'
     WHERE id = $1`,
    [r.id, at],
  );
  return { id: r.id, at };
}

/** Write `n` samples for a release, `failures` of them failing, `ms` apart from `at`. */
async function samples(
  t: TestBay,
  sandboxId: string,
  releaseId: string,
  at: Date,
  n: number,
  failures = 0,
  owner?: string,
) {
  for (let i = 0; i < n; i++) {
    await addExecution(t.db, {
      owner,
      sandboxId,
      tags: `release:${releaseId},etl`,
      success: i >= failures,
      ms: (i + 1) * 10,
      at: new Date(at.getTime() + 60_000 + i),
    });
  }
}

const health = (t: TestBay, id: string) => call(t, "GET", `/v1/skills/releases/${id}/health`, 200);

Deno.test("health: without a baseline; only the release's own samples in its window", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const sb = await newSandbox(t);
    const r = await release(t, sb, HOUR);
    const empty = await health(t, r.id);
    assert.deepEqual(Object.keys(empty).sort(), HEALTH_KEYS);
    assert.equal(empty.release_id, r.id);
    assert.equal(empty.skill_key, "k");
    assert.equal(empty.stage, "canary");
    assert.equal(empty.window_start_at, r.at.toISOString());
    assert.equal(empty.window_end_at, new Date(r.at.getTime() + 24 * HOUR).toISOString());
    assert.equal(empty.window_complete, false);
    assert.equal(empty.samples, 0);
    assert.equal(empty.success_rate, 0);
    assert.equal(empty.error_rate, 0);
    assert.equal(empty.p95_duration, 0);
    assert.equal(empty.baseline_success_rate, 1);
    assert.equal(empty.baseline_error_rate, 0);
    assert.equal(empty.baseline_samples, 0);
    assert.equal(empty.healthy, false, "no samples, no verdict");
    assert.equal(empty.should_rollback, false);
    assert.deepEqual(empty.rollback_reasons, []);
    assert.deepEqual(empty.thresholds, { success_drop: 0.03, error_rate_multiplier: 2 });

    // Noise: before the window, another release's tag, a tag that merely contains it, bob's.
    await addExecution(t.db, {
      sandboxId: sb,
      tags: `release:${r.id}`,
      success: false,
      at: new Date(r.at.getTime() - 1000),
    });
    await addExecution(t.db, { sandboxId: sb, tags: "release:sr-000000000000", success: false });
    await addExecution(t.db, { sandboxId: sb, tags: `release:${r.id}x`, success: false });
    const bobSb = await newSandbox(t, bob);
    await samples(t, bobSb, r.id, r.at, 3, 3, "bob");

    await samples(t, sb, r.id, r.at, 20);
    const good = await health(t, r.id);
    assert.equal(good.samples, 20);
    assert.equal(good.success_rate, 1);
    assert.equal(good.error_rate, 0);
    assert.equal(good.p95_duration, 190, "nearest rank: the 19th of 20 durations");
    assert.equal(good.success_drop, 0);
    assert.equal(good.error_rate_multiplier, 1);
    assert.equal(good.healthy, true);
    assert.equal(good.should_rollback, false);

    // One failure against a perfect baseline: both rules fire.
    await addExecution(t.db, {
      sandboxId: sb,
      tags: `release:${r.id}`,
      success: false,
      ms: 5,
      at: new Date(r.at.getTime() + 1000),
    });
    const bad = await health(t, r.id);
    assert.equal(bad.samples, 21);
    assert.equal(bad.error_rate, Math.round((1 / 21) * 1e12) / 1e12);
    assert.equal(bad.error_rate_multiplier, 1_000_000);
    assert.equal(bad.healthy, false);
    assert.equal(bad.should_rollback, true);
    assert.deepEqual(bad.rollback_reasons, ["success_rate_drop", "error_rate_regression"]);
  } finally {
    await t.close();
  }
});

Deno.test("health: the candidate's evaluation report is the baseline of a first release", async () => {
  const t = await testBay();
  try {
    const sb = await newSandbox(t);
    const r = await release(t, sb, HOUR, {
      replay_success: 0.95,
      error_rate: 0.05,
      samples: 40,
      p95_duration: 120,
    });
    await samples(t, sb, r.id, r.at, 20, 1);
    const ok = await health(t, r.id);
    assert.equal(ok.baseline_success_rate, 0.95);
    assert.equal(ok.baseline_error_rate, 0.05);
    assert.equal(ok.baseline_samples, 40);
    assert.equal(ok.success_rate, 0.95);
    assert.equal(ok.success_drop, 0);
    assert.equal(ok.error_rate_multiplier, 1);
    assert.equal(ok.healthy, true);
    assert.equal(ok.should_rollback, false);

    await samples(t, sb, r.id, new Date(r.at.getTime() + 1000), 2, 2);
    const worse = await health(t, r.id);
    assert.equal(worse.samples, 22);
    assert.ok(worse.success_drop > 0.03);
    assert.ok(worse.error_rate_multiplier > 2);
    assert.equal(worse.should_rollback, true);
    assert.deepEqual(worse.rollback_reasons, ["success_rate_drop", "error_rate_regression"]);
  } finally {
    await t.close();
  }
});

Deno.test("health: the previous release's window is the baseline, cut at the promotion", async () => {
  const t = await testBay();
  try {
    const sb = await newSandbox(t);
    const r1 = await release(t, sb, 3 * HOUR, { replay_success: 0.2 });
    await samples(t, sb, r1.id, r1.at, 20, 1);
    const r2 = await release(t, sb, HOUR);
    // r1 samples after r2 took over do not count for r2's baseline.
    await samples(t, sb, r1.id, new Date(r2.at.getTime() + 1000), 10, 10);
    await samples(t, sb, r2.id, r2.at, 100, 8);

    const h = await health(t, r2.id);
    assert.equal(h.baseline_samples, 20);
    assert.equal(h.baseline_success_rate, 0.95);
    assert.equal(h.baseline_error_rate, 0.05);
    assert.equal(h.samples, 100);
    assert.equal(h.success_rate, 0.92);
    assert.equal(h.success_drop, 0.03, "exactly at the threshold is not a drop");
    assert.equal(h.error_rate_multiplier, 1.6);
    assert.equal(h.healthy, true);
    assert.equal(h.should_rollback, false);

    await samples(t, sb, r2.id, new Date(r2.at.getTime() + 5000), 2, 2);
    const worse = await health(t, r2.id);
    assert.equal(worse.samples, 102);
    assert.ok(worse.success_drop > 0.03);
    assert.ok(worse.error_rate_multiplier < 2);
    assert.deepEqual(worse.rollback_reasons, ["success_rate_drop"]);
    assert.equal(worse.should_rollback, true);

    // With the previous release deleted, the report of r2's candidate (none) applies.
    await call(t, "DELETE", `/v1/skills/releases/${r1.id}`, 200);
    const alone = await health(t, r2.id);
    assert.equal(alone.baseline_samples, 0);
    assert.equal(alone.baseline_success_rate, 1);
  } finally {
    await t.close();
  }
});

Deno.test("health: a past window is complete and ends 24 h after promotion", async () => {
  const t = await testBay();
  try {
    const sb = await newSandbox(t);
    const r = await release(t, sb, 30 * HOUR);
    await samples(t, sb, r.id, r.at, 2);
    await addExecution(t.db, {
      sandboxId: sb,
      tags: `release:${r.id}`,
      success: false,
      at: new Date(r.at.getTime() + 25 * HOUR),
    });
    const h = await health(t, r.id);
    assert.equal(h.window_complete, true);
    assert.equal(h.window_end_at, new Date(r.at.getTime() + 24 * HOUR).toISOString());
    assert.equal(h.samples, 2, "the late failure is outside the window");
    assert.equal(h.healthy, true);
    await call(t, "GET", "/v1/skills/releases/sr-000000000000/health", 404);
  } finally {
    await t.close();
  }
});

Deno.test("health: real execs tagged with a canary release drive a rollback", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await newSandbox(t);
    const shell = (command: string, tags?: string) =>
      call(t, "POST", `/v1/sandboxes/${sb}/shell/exec`, 200, { body: { command, tags } });
    const evidence = await shell("echo stable-way");
    const stableCand = await call(t, "POST", "/v1/skills/candidates", 201, {
      body: { skill_key: "greet", source_execution_ids: [evidence.execution_id] },
    });
    await call(t, "POST", `/v1/skills/candidates/${stableCand.id}/evaluate`, 200, {
      body: { passed: true, score: 1 },
    });
    const stable = await call(t, "POST", `/v1/skills/candidates/${stableCand.id}/promote`, 200, {
      body: { stage: "stable" },
    });
    const newWay = await shell("echo new-way");
    const canaryCand = await call(t, "POST", "/v1/skills/candidates", 201, {
      body: { skill_key: "greet", source_execution_ids: [newWay.execution_id] },
    });
    await call(t, "POST", `/v1/skills/candidates/${canaryCand.id}/evaluate`, 200, {
      body: { passed: true, report: { replay_success: 1, error_rate: 0, samples: 5 } },
    });
    const canary = await call(t, "POST", `/v1/skills/candidates/${canaryCand.id}/promote`, 200, {
      body: { stage: "canary" },
    });
    const tag = `release:${canary.id}`;
    for (let i = 0; i < 3; i++) assert.equal((await shell("echo ok", tag)).success, true);
    assert.equal((await shell("echo fail >&2; exit 1", `${tag},retry`)).success, false);

    const h = await health(t, canary.id);
    assert.equal(h.samples, 4);
    assert.equal(h.success_rate, 0.75);
    assert.equal(h.error_rate, 0.25);
    assert.equal(h.baseline_samples, 5);
    assert.ok(h.p95_duration >= 0);
    assert.equal(h.should_rollback, true);
    assert.deepEqual(h.rollback_reasons, ["success_rate_drop", "error_rate_regression"]);

    const back = await call(t, "POST", `/v1/skills/releases/${canary.id}/rollback`, 200);
    assert.equal(back.candidate_id, stableCand.id);
    assert.equal(back.stage, "stable");
    assert.equal(back.rollback_of, canary.id);
    assert.equal(back.version, 3);
    assert.notEqual(back.id, stable.id);
    const cand = await call(t, "GET", `/v1/skills/candidates/${canaryCand.id}`, 200);
    assert.equal(cand.status, "rolled_back");
  } finally {
    await t.close();
  }
});
