import assert from "node:assert/strict";
import { type TestBay, testBay } from "../../testing.ts";
import { addBob, addExecution, call, newSandbox } from "./_history_fixtures.ts";

const RELEASE_KEYS = [
  "candidate_id",
  "change_summary",
  "health_window_end_at",
  "id",
  "is_active",
  "promoted_at",
  "promoted_by",
  "release_mode",
  "rollback_of",
  "skill_key",
  "stage",
  "upgrade_of_release_id",
  "upgrade_reason",
  "version",
];

/** A candidate of `skillKey` with a passing evaluation; returns its id. */
async function passed(t: TestBay, skillKey: string, key?: string): Promise<string> {
  const owner = key ? "bob" : "default";
  const e = await addExecution(t.db, { owner, sandboxId: await newSandbox(t, key) });
  const c = await call(t, "POST", "/v1/skills/candidates", 201, {
    body: { skill_key: skillKey, source_execution_ids: [e] },
    key,
  });
  await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 200, {
    body: { passed: true },
    key,
  });
  return c.id;
}

async function promote(t: TestBay, candidateId: string, body: unknown = {}, key?: string) {
  return await call(t, "POST", `/v1/skills/candidates/${candidateId}/promote`, 200, { body, key });
}

async function get(t: TestBay, path: string) {
  return await call(t, "GET", path, 200);
}

Deno.test("releases: promotion needs a passing evaluation and numbers versions per key", async () => {
  const t = await testBay();
  try {
    const e = await addExecution(t.db, { sandboxId: await newSandbox(t) });
    const draft = await call(t, "POST", "/v1/skills/candidates", 201, {
      body: { skill_key: "k", source_execution_ids: [e] },
    });
    const noEval = await call(t, "POST", `/v1/skills/candidates/${draft.id}/promote`, 409, {
      body: {},
    });
    assert.equal(noEval.error.code, "conflict");
    await call(t, "POST", `/v1/skills/candidates/${draft.id}/evaluate`, 200, {
      body: { passed: false },
    });
    await call(t, "POST", `/v1/skills/candidates/${draft.id}/promote`, 409, { body: {} });
    await call(t, "POST", `/v1/skills/candidates/${draft.id}/evaluate`, 200, {
      body: { passed: true },
    });
    const bad = await call(t, "POST", `/v1/skills/candidates/${draft.id}/promote`, 400, {
      body: { stage: "beta" },
    });
    assert.equal(bad.error.code, "validation_error");
    await call(t, "POST", `/v1/skills/candidates/${draft.id}/promote`, 422, {
      body: { stage: "canary", colour: 1 },
    });
    await call(t, "POST", "/v1/skills/candidates/sc-000000000000/promote", 404, { body: {} });
    assert.equal((await get(t, "/v1/skills/releases")).total, 0, "rejections write nothing");

    // No body at all: a canary.
    const res = await t.request("POST", `/v1/skills/candidates/${draft.id}/promote`);
    assert.equal(res.status, 200);
    const r1 = await res.json();
    assert.deepEqual(Object.keys(r1).sort(), RELEASE_KEYS);
    assert.match(r1.id, /^sr-[0-9a-f]{12}$/);
    assert.equal(r1.skill_key, "k");
    assert.equal(r1.candidate_id, draft.id);
    assert.equal(r1.version, 1);
    assert.equal(r1.stage, "canary");
    assert.equal(r1.is_active, true);
    assert.equal(r1.release_mode, "manual");
    assert.equal(r1.promoted_by, "default");
    assert.equal(r1.rollback_of, null);
    assert.match(r1.promoted_at, /Z$/);
    assert.equal(Date.parse(r1.health_window_end_at) - Date.parse(r1.promoted_at), 86_400_000);
    const c1 = await get(t, `/v1/skills/candidates/${draft.id}`);
    assert.equal(c1.status, "promoted");
    assert.equal(c1.promotion_release_id, r1.id);

    const second = await passed(t, "k");
    const r2 = await promote(t, second, {
      stage: "stable",
      upgrade_of_release_id: r1.id,
      upgrade_reason: "faster",
      change_summary: "uses polars",
    });
    assert.equal(r2.version, 2);
    assert.equal(r2.stage, "stable");
    assert.equal(r2.upgrade_of_release_id, r1.id);
    assert.equal(r2.upgrade_reason, "faster");
    assert.equal(r2.change_summary, "uses polars");
    const active = await get(t, "/v1/skills/releases?active_only=true");
    assert.deepEqual(active.items.map((r: { id: string }) => r.id), [r2.id]);

    // Promoting the same candidate again is a new version too.
    const r3 = await promote(t, second, { stage: "canary" });
    assert.equal(r3.version, 3);
    const other = await promote(t, await passed(t, "other-key"));
    assert.equal(other.version, 1, "versions count per skill key");
    const actives = await get(t, "/v1/skills/releases?active_only=true");
    assert.deepEqual(
      actives.items.map((r: { id: string }) => r.id).sort(),
      [r3.id, other.id].sort(),
    );

    const unknownUpgrade = await call(t, "POST", `/v1/skills/candidates/${second}/promote`, 400, {
      body: { upgrade_of_release_id: "sr-000000000000" },
    });
    assert.equal(unknownUpgrade.error.code, "validation_error");
  } finally {
    await t.close();
  }
});

Deno.test("releases: list filters, pagination, soft delete and numbering across deletes", async () => {
  const t = await testBay();
  try {
    const c1 = await passed(t, "k");
    const c2 = await passed(t, "k");
    const r1 = await promote(t, c1, { stage: "stable" });
    const r2 = await promote(t, c2);
    const x1 = await promote(t, await passed(t, "x"));

    const all = await get(t, "/v1/skills/releases");
    assert.equal(all.total, 3);
    assert.deepEqual(all.items.map((r: { id: string }) => r.id), [x1.id, r2.id, r1.id]);
    const byKey = await get(t, "/v1/skills/releases?skill_key=k");
    assert.deepEqual(byKey.items.map((r: { id: string }) => r.id), [r2.id, r1.id]);
    assert.deepEqual(
      (await get(t, "/v1/skills/releases?stage=stable")).items.map((r: { id: string }) => r.id),
      [r1.id],
    );
    assert.deepEqual(
      (await get(t, "/v1/skills/releases?skill_key=k&active_only=true")).items.map((
        r: { id: string },
      ) => r.id),
      [r2.id],
    );
    assert.equal((await get(t, "/v1/skills/releases?active_only=false")).total, 3);
    const p1 = await get(t, "/v1/skills/releases?limit=2");
    const p2 = await get(t, "/v1/skills/releases?limit=2&offset=2");
    assert.equal(p1.total, 3);
    assert.equal(p2.total, 3);
    assert.deepEqual([...p1.items, ...p2.items].map((r: { id: string }) => r.id), [
      x1.id,
      r2.id,
      r1.id,
    ]);
    const badStage = await call(t, "GET", "/v1/skills/releases?stage=beta", 400);
    assert.equal(badStage.error.code, "validation_error");
    await call(t, "GET", "/v1/skills/releases?active_only=maybe", 422);
    await call(t, "GET", "/v1/skills/releases?limit=501", 422);

    // Soft delete of the active release deactivates it; versions keep counting.
    const del = await call(t, "DELETE", `/v1/skills/releases/${r2.id}`, 200, {
      body: { reason: "broken" },
    });
    assert.deepEqual(del, {
      id: r2.id,
      deleted_at: del.deleted_at,
      deleted_by: "default",
      delete_reason: "broken",
    });
    assert.match(del.deleted_at, /Z$/);
    await call(t, "DELETE", `/v1/skills/releases/${r2.id}`, 404);
    await call(t, "POST", `/v1/skills/releases/${r2.id}/rollback`, 404);
    await call(t, "GET", `/v1/skills/releases/${r2.id}/health`, 404);
    assert.deepEqual(
      (await get(t, "/v1/skills/releases?skill_key=k")).items.map((r: { id: string }) => r.id),
      [r1.id],
    );
    assert.equal((await get(t, "/v1/skills/releases?skill_key=k&active_only=true")).total, 0);
    const [{ is_active }] = await t.db.query<{ is_active: boolean }>(
      `SELECT is_active FROM skill_releases WHERE id = $1`,
      [r2.id],
    );
    assert.equal(is_active, false);
    assert.equal((await get(t, `/v1/skills/candidates/${c2}`)).promotion_release_id, null);
    const r3 = await promote(t, c2);
    assert.equal(r3.version, 3, "the deleted version 2 still counts");

    // Deleting an inactive release, without a body.
    const bare = await call(t, "DELETE", `/v1/skills/releases/${r1.id}`, 200);
    assert.equal(bare.delete_reason, null);
    const r4 = await promote(t, c1);
    assert.equal(r4.version, 4);
    await call(t, "DELETE", "/v1/skills/releases/sr-000000000000", 404);
  } finally {
    await t.close();
  }
});

Deno.test("releases: rollback chains restore the newest earlier live release", async () => {
  const t = await testBay();
  try {
    const c1 = await passed(t, "k");
    const c2 = await passed(t, "k");
    const r1 = await promote(t, c1, { stage: "canary" });
    const noEarlier = await call(t, "POST", `/v1/skills/releases/${r1.id}/rollback`, 409);
    assert.equal(noEarlier.error.code, "conflict");
    const r2 = await promote(t, c2, { stage: "stable" });

    const r3 = await call(t, "POST", `/v1/skills/releases/${r2.id}/rollback`, 200);
    assert.deepEqual(Object.keys(r3).sort(), RELEASE_KEYS);
    assert.match(r3.id, /^sr-[0-9a-f]{12}$/);
    assert.equal(r3.version, 3);
    assert.equal(r3.candidate_id, c1);
    assert.equal(r3.stage, "canary", "the restored release's stage");
    assert.equal(r3.rollback_of, r2.id);
    assert.equal(r3.is_active, true);
    assert.equal(r3.promoted_by, "default");
    assert.equal((await get(t, `/v1/skills/candidates/${c2}`)).status, "rolled_back");
    assert.equal((await get(t, `/v1/skills/candidates/${c1}`)).status, "promoted");
    const active = await get(t, "/v1/skills/releases?active_only=true");
    assert.deepEqual(active.items.map((r: { id: string }) => r.id), [r3.id]);

    // Rolling back the rollback restores version 2's candidate and stage.
    const r4 = await call(t, "POST", `/v1/skills/releases/${r3.id}/rollback`, 200);
    assert.equal(r4.version, 4);
    assert.equal(r4.candidate_id, c2);
    assert.equal(r4.stage, "stable");
    assert.equal(r4.rollback_of, r3.id);
    assert.equal((await get(t, `/v1/skills/candidates/${c1}`)).status, "rolled_back");

    // Deleted releases are skipped: with v2..v4 gone, v5 rolls back to v1.
    const c3 = await passed(t, "k");
    const r5 = await promote(t, c3);
    for (const r of [r2, r3, r4]) await call(t, "DELETE", `/v1/skills/releases/${r.id}`, 200);
    const r6 = await call(t, "POST", `/v1/skills/releases/${r5.id}/rollback`, 200);
    assert.equal(r6.version, 6);
    assert.equal(r6.candidate_id, c1);
    assert.equal(r6.stage, "canary");
    assert.equal((await get(t, `/v1/skills/candidates/${c3}`)).status, "rolled_back");

    // Any earlier live release can be the target, active or not.
    const r7 = await call(t, "POST", `/v1/skills/releases/${r5.id}/rollback`, 200);
    assert.equal(r7.version, 7);
    assert.equal(r7.candidate_id, c1);
    await call(t, "POST", "/v1/skills/releases/sr-000000000000/rollback", 404);
  } finally {
    await t.close();
  }
});

Deno.test("releases: a candidate in an active release cannot be deleted", async () => {
  const t = await testBay();
  try {
    const c1 = await passed(t, "k");
    const c2 = await passed(t, "k");
    const r1 = await promote(t, c1);
    const busy = await call(t, "DELETE", `/v1/skills/candidates/${c1}`, 409);
    assert.equal(busy.error.code, "conflict");
    assert.equal(busy.error.details.candidate_id, c1);
    const r2 = await promote(t, c2);
    assert.equal((await get(t, `/v1/skills/candidates/${c1}`)).status, "promoted");
    await call(t, "DELETE", `/v1/skills/candidates/${c1}`, 200, { body: { reason: "old" } });
    // The only earlier release now cites a deleted candidate: nothing to restore.
    await call(t, "POST", `/v1/skills/releases/${r2.id}/rollback`, 409);
    const kept = await get(t, "/v1/skills/releases?skill_key=k");
    assert.deepEqual(kept.items.map((r: { id: string }) => r.id), [r2.id, r1.id]);
    // Once its release is deleted, the active candidate can go too.
    await call(t, "DELETE", `/v1/skills/candidates/${c2}`, 409);
    await call(t, "DELETE", `/v1/skills/releases/${r2.id}`, 200);
    await call(t, "DELETE", `/v1/skills/candidates/${c2}`, 200);
  } finally {
    await t.close();
  }
});

Deno.test("releases: other owners see and touch nothing", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const c1 = await passed(t, "k");
    const c2 = await passed(t, "k");
    await promote(t, c1);
    const r2 = await promote(t, c2);
    await call(t, "POST", `/v1/skills/candidates/${c2}/promote`, 404, { body: {}, key: bob });
    await call(t, "POST", `/v1/skills/releases/${r2.id}/rollback`, 404, { key: bob });
    await call(t, "DELETE", `/v1/skills/releases/${r2.id}`, 404, { key: bob });
    await call(t, "GET", `/v1/skills/releases/${r2.id}/health`, 404, { key: bob });
    await call(t, "DELETE", `/v1/skills/candidates/${c1}`, 404, { key: bob });
    assert.deepEqual(await call(t, "GET", "/v1/skills/releases", 200, { key: bob }), {
      items: [],
      total: 0,
    });
    // Bob's own key "k" numbers from 1 and leaves ours active.
    const his = await promote(t, await passed(t, "k", bob), {}, bob);
    assert.equal(his.version, 1);
    assert.equal(his.promoted_by, "bob");
    await call(t, "POST", `/v1/skills/candidates/${c2}/promote`, 400, {
      body: { upgrade_of_release_id: his.id },
    });
    const ours = await get(t, "/v1/skills/releases?active_only=true");
    assert.deepEqual(ours.items.map((r: { id: string }) => r.id), [r2.id]);
    const doc = await get(t, "/openapi.json");
    for (
      const p of [
        "/v1/sandboxes/{id}/history",
        "/v1/sandboxes/{id}/history/last",
        "/v1/sandboxes/{id}/history/{execution_id}",
        "/v1/skills/payloads",
        "/v1/skills/payloads/{payload_ref}",
        "/v1/skills/candidates",
        "/v1/skills/candidates/{id}",
        "/v1/skills/candidates/{id}/evaluate",
        "/v1/skills/candidates/{id}/promote",
        "/v1/skills/releases",
        "/v1/skills/releases/{id}",
        "/v1/skills/releases/{id}/rollback",
        "/v1/skills/releases/{id}/health",
      ]
    ) assert.ok(doc.paths[p], `openapi has ${p}`);
  } finally {
    await t.close();
  }
});
