import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import { migrate } from "./migrate.ts";
import { getRelease, insertActiveRelease, lockSkillKey, markReleaseDeleted } from "./releases.ts";
import { insertCandidate } from "./skills.ts";
import { storeBackends } from "./_testing.ts";

const MIGRATIONS = new URL("./migrations/", import.meta.url);

async function candidate(db: Db, id: string): Promise<void> {
  await insertCandidate(db, {
    id,
    owner: "alice",
    skill_key: "k",
    scenario_key: null,
    payload_ref: null,
    summary: null,
    usage_notes: null,
    preconditions: { "a\u0000": ["b\u0000"] },
    postconditions: null,
    source_execution_ids: ["exec-000000000001"],
    created_by: "alice",
  });
}

function promote(db: Db, id: string, candidateId: string) {
  return db.transaction(async (tx) => {
    await lockSkillKey(tx, "alice", "k");
    return await insertActiveRelease(tx, {
      id,
      owner: "alice",
      skill_key: "k",
      candidate_id: candidateId,
      stage: "canary",
      promoted_by: "alice",
      rollback_of: null,
      upgrade_of_release_id: null,
      upgrade_reason: null,
      change_summary: null,
    });
  });
}

for (const backend of storeBackends()) {
  const test = (name: string, fn: (db: Db) => Promise<void>) =>
    Deno.test(`${backend.name}: releases store: ${name}`, async () => {
      const db = await backend.open();
      try {
        await migrate(db, MIGRATIONS);
        await fn(db);
      } finally {
        await db.close();
      }
    });

  test("versions count deleted releases; one active per key", async (db) => {
    await candidate(db, "sc-00000000000a");
    const [{ preconditions }] = await db.query<{ preconditions: unknown }>(
      `SELECT preconditions FROM skill_candidates`,
    );
    assert.deepEqual(preconditions, { "a\uFFFD": ["b\uFFFD"] }, "NUL cannot enter jsonb");
    const r1 = await promote(db, "sr-000000000001", "sc-00000000000a");
    assert.equal(r1.version, 1);
    assert.equal(r1.health_window_end_at.getTime() - r1.promoted_at.getTime(), 86_400_000);
    const r2 = await promote(db, "sr-000000000002", "sc-00000000000a");
    assert.equal(r2.version, 2);
    assert.equal((await getRelease(db, "alice", r1.id))?.is_active, false);
    await db.transaction((tx) => markReleaseDeleted(tx, r2.id, "alice", "x"));
    assert.equal(await getRelease(db, "alice", r2.id), undefined);
    const r3 = await promote(db, "sr-000000000003", "sc-00000000000a");
    assert.equal(r3.version, 3);
    const active = await db.query(`SELECT id FROM skill_releases WHERE is_active`);
    assert.deepEqual(active, [{ id: r3.id }]);
  });

  test("concurrent promotions of one key get distinct versions", async (db) => {
    await candidate(db, "sc-00000000000b");
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => promote(db, `sr-00000000010${i}`, "sc-00000000000b")),
    );
    assert.deepEqual(made.map((r) => r.version).sort(), [1, 2, 3, 4, 5, 6]);
    const active = await db.query<{ version: number }>(
      `SELECT version FROM skill_releases WHERE is_active`,
    );
    assert.equal(active.length, 1);
  });
}
