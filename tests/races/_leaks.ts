/**
 * Shared checks of the race tests: what the fake driver holds must be exactly
 * what the store says is live (no orphan runtime, no orphan cargo, nothing
 * lost).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { TestBay } from "../../bay/testing.ts";

/** Sorted copy. */
function sorted(xs: Iterable<string>): string[] {
  return [...xs].sort();
}

/**
 * The driver's cargos are exactly the store's live cargos, and its runtimes
 * belong exactly to the store's live sessions (one runtime each, on a sandbox
 * that is not deleted and points at that session).
 */
export async function assertDriverMatchesStore(t: TestBay, when: string): Promise<void> {
  const cargos = await t.db.query<{ id: string }>(
    `SELECT id FROM cargos WHERE deleted_at IS NULL`,
  );
  assert.deepEqual(
    sorted(t.driver.cargos),
    sorted(cargos.map((c) => c.id)),
    `${when}: driver cargos = live cargo rows`,
  );
  const live = await t.db.query<{ id: string; runtime_id: string | null }>(
    `SELECT se.id, se.runtime_id FROM sessions se JOIN sandboxes s ON s.current_session_id = se.id
     WHERE se.status IN ('starting', 'ready') AND s.deleted_at IS NULL`,
  );
  const allLive = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sessions WHERE status IN ('starting', 'ready')`,
  );
  assert.equal(allLive[0].n, live.length, `${when}: every live session is a sandbox's current one`);
  const runtimes = [...t.driver.runtimes.values()];
  assert.deepEqual(
    sorted(runtimes.map((r) => r.sessionId ?? "?")),
    sorted(live.map((s) => s.id)),
    `${when}: driver runtimes = live sessions`,
  );
  for (const s of live) {
    if (s.runtime_id) assert.ok(t.driver.runtimes.has(s.runtime_id), `${when}: ${s.runtime_id}`);
  }
}

/** Delete every sandbox (concurrently), then expect an empty driver. */
export async function deleteAllAndAssertEmpty(t: TestBay): Promise<void> {
  const rows = await t.db.query<{ id: string }>(
    `SELECT id FROM sandboxes WHERE deleted_at IS NULL`,
  );
  // All at once: concurrent deletes must not trip over each other either.
  await Promise.all(rows.map(async ({ id }) => {
    const r = await t.request("DELETE", `/v1/sandboxes/${id}`);
    await r.body?.cancel();
    assert.equal(r.status, 204, `delete ${id}`);
  }));
  assert.equal(t.driver.runtimes.size, 0, "no runtime left after deleting everything");
  assert.equal(t.driver.cargos.size, 0, "no cargo left after deleting everything");
  await assertDriverMatchesStore(t, "after deleting everything");
}

/** A promise with its resolver. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((r) => (open = r));
  return { promise, open };
}

/** Wait until `check` is true, or fail with `what`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
