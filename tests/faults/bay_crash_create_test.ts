/**
 * `kill -9` of Bay while creates, first calls (session starts) and deletes
 * are in flight, then a restart on the same data directory (embedded PGlite
 * store). Nothing acknowledged is lost: every sandbox whose 201 the client
 * received exists and works, every 204'd delete stays deleted, files written
 * before are intact. The store is consistent, and after one
 * `POST /v1/admin/gc/run` no runtime or cargo storage remains on the driver
 * side that does not belong to a live sandbox.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type E2EBay, eventually, freePort, sleep, startBay } from "../e2e/_bay.ts";
import { forEach } from "../_util.ts";
import { RELAXED_HEARTBEATS } from "./_restart.ts";
import { Recorder, scaled } from "../_record.ts";
import { cargoStorage, runtimesByCargo } from "./_driver_side.ts";
import { assertIntact, writeEvidence, type Written } from "./_files.ts";
import { inconsistencies, openStore, readRows } from "./_store.ts";

const WORKERS = scaled(6, 16);
const CHURN_MS = scaled(2500, 6000);
const ROUNDS = scaled(1, 3);

type Sandbox = { id: string; cargo_id: string };

/** What the client was told before the crash. */
class Acks {
  /** 201 received, no delete sent. */
  live = new Map<string, Sandbox>();
  /** Delete sent, no answer: either outcome is allowed. */
  deleting = new Set<string>();
  /** 204 received. */
  deleted = new Set<string>();
  /** Every sandbox a 201 was received for. */
  all = new Map<string, Sandbox>();
  lost = 0;
  creates = 0;
  deletes = 0;
}

/** Workers that create, start (every other one) and delete (every third) until `stop`. */
function churn(bay: E2EBay, acks: Acks, stop: { now: boolean }): Promise<void>[] {
  return Array.from({ length: WORKERS }, async (_, w) => {
    for (let i = 0; !stop.now; i++) {
      try {
        const c = await bay.api("POST", "/v1/sandboxes", {});
        if (c.status !== 201) throw new Error(`create: ${c.status} ${c.text}`);
        acks.live.set(c.body.id, c.body);
        acks.all.set(c.body.id, c.body);
        acks.creates++;
        if ((w + i) % 2 === 0) await bay.sh(c.body.id, "echo started");
        if ((w + i) % 3 === 0) {
          acks.live.delete(c.body.id);
          acks.deleting.add(c.body.id);
          const d = await bay.api("DELETE", `/v1/sandboxes/${c.body.id}`);
          if (d.status !== 204) throw new Error(`delete: ${d.status} ${d.text}`);
          acks.deleting.delete(c.body.id);
          acks.deleted.add(c.body.id);
          acks.deletes++;
        }
      } catch (e) {
        if (!stop.now) throw e; // an error before the crash is a failure
        acks.lost++;
      }
    }
  });
}

/** Every sandbox the owner can list. */
async function listAll(bay: E2EBay): Promise<Sandbox[]> {
  const out: Sandbox[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${cursor}` : "";
    const r = await bay.api("GET", `/v1/sandboxes?limit=100${q}`);
    assert.equal(r.status, 200, r.text);
    out.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return out;
}

/** State kept across rounds; `bay` is replaced by each restart. */
interface Run {
  bay: E2EBay | null;
  acks: Acks;
  kept: { sb: Sandbox; written: Written[] }[];
  rec: Recorder;
  root: string;
  port: number;
}

/** One round: churn, kill -9, restart, check. */
async function crashRound(ctx: Run, round: number): Promise<void> {
  const { acks, kept, rec, root, port } = ctx;
  let bay = ctx.bay!;
  // Two started sandboxes with files: one is deleted in flight, one must survive.
  const pre: Sandbox[] = [await bay.createSandbox(), await bay.createSandbox()];
  for (const sb of pre) {
    acks.live.set(sb.id, sb);
    acks.all.set(sb.id, sb);
  }
  kept.push({ sb: pre[1], written: await writeEvidence(bay, pre[1].id, `r${round}`) });
  await bay.sh(pre[0].id, "echo started");

  const stop = { now: false };
  const workers = churn(bay, acks, stop);
  await sleep(CHURN_MS);
  acks.live.delete(pre[0].id);
  acks.deleting.add(pre[0].id);
  const inflightDelete = bay.api("DELETE", `/v1/sandboxes/${pre[0].id}`).then((d) => {
    if (d.status === 204) {
      acks.deleting.delete(pre[0].id);
      acks.deleted.add(pre[0].id);
    }
  }, () => acks.lost++);
  await sleep(20 + Math.random() * 60);
  stop.now = true;
  await bay.crash();
  await Promise.all([...workers, inflightDelete]);
  rec.tried(
    `round ${round}: ${WORKERS} clients creating, starting and deleting sandboxes for ` +
      `${CHURN_MS} ms, one more delete sent, then kill -9 of Bay`,
  );

  const t0 = performance.now();
  ctx.bay = null; // never stop() a crashed Bay: it would reap the sandboxes the new one adopts
  bay = ctx.bay = await startBay({ root, port, env: RELAXED_HEARTBEATS });
  rec.num(`r${round}_restart_ms`, performance.now() - t0);

  for (const [id] of acks.live) {
    const r = await bay.api("GET", `/v1/sandboxes/${id}`);
    assert.equal(r.status, 200, `acknowledged sandbox ${id} lost: ${r.text}`);
  }
  for (const id of acks.deleted) {
    const r = await bay.api("GET", `/v1/sandboxes/${id}`);
    assert.equal(r.status, 404, `acknowledged delete of ${id} undone: ${r.text}`);
  }
  // A delete without an answer may or may not have happened; either is fine, but it sticks.
  for (const id of acks.deleting) {
    const r = await bay.api("GET", `/v1/sandboxes/${id}`);
    assert.ok(r.status === 200 || r.status === 404, r.text);
    if (r.status === 200) acks.live.set(id, acks.all.get(id)!);
    else acks.deleted.add(id);
  }
  acks.deleting.clear();
  const listed = await listAll(bay);
  const listedIds = new Set(listed.map((s) => s.id));
  for (const [id] of acks.live) assert.ok(listedIds.has(id), `${id} listed`);
  await forEach(listed, 4, async (sb) => {
    assert.equal((await bay.sh(sb.id, "echo ok")).output, "ok\n", `${sb.id} works`);
  });
  for (const k of kept) await assertIntact(bay, k.sb.id, k.written);
  rec.num(`r${round}_acked_creates_count`, acks.creates);
  rec.num(`r${round}_listed_count`, listed.length);
  rec.num(`r${round}_unacked_lost_requests_count`, acks.lost);
  rec.held(
    `round ${round}: all ${acks.live.size} acknowledged sandboxes exist and work, ` +
      `${acks.deleted.size} acknowledged deletes stay deleted, ` +
      `${kept.length * 4} files intact (${listed.length - acks.live.size} unacknowledged ` +
      `creates also exist and work)`,
  );

  const gc = await bay.api("POST", "/v1/admin/gc/run", {});
  assert.equal(gc.status, 200, gc.text);
  assert.equal(gc.body.total_errors, 0, gc.text);
  rec.num(`r${round}_gc_cleaned_count`, gc.body.total_cleaned);
  const liveCargos = new Set(listed.map((s) => s.cargo_id));
  const stray = async () =>
    [...await runtimesByCargo(bay.driver, bay.dataDir)]
      .filter(([c, n]) => !liveCargos.has(c) || n !== 1)
      .map(([c, n]) => `${n} runtime(s) on ${c} (${liveCargos.has(c) ? "live" : "not live"})`);
  await eventually("no runtime outside the live sandboxes", async () => {
    return (await stray()).length === 0;
  }, 15_000).catch(async (e) => {
    throw new Error(`${e.message}: ${(await stray()).join("; ")}; gc: ${gc.text}`);
  });
  const rts = await runtimesByCargo(bay.driver, bay.dataDir);
  assert.equal(rts.size, listed.length, "one runtime per live sandbox, none else");
  const storage = await cargoStorage(bay);
  const orphans = storage.filter((c) => !liveCargos.has(c));
  assert.deepEqual(orphans, [], "cargo storage without a live sandbox");
  rec.held(
    `round ${round}: after one GC run (${gc.body.total_cleaned} cleaned) exactly ` +
      `${rts.size} runtimes (one per live sandbox) and no orphan cargo storage`,
  );
}

Deno.test("faults: kill -9 of Bay mid-create, restart, GC leaves no orphans", async () => {
  const rec = new Recorder("faults", "bay_crash_create", "kill -9 of Bay mid-create");
  const root = await Deno.makeTempDir({ prefix: "fault-create-" });
  const ctx: Run = { bay: null, acks: new Acks(), kept: [], rec, root, port: freePort() };
  await rec.run(async () => {
    let leaked: string[] = [];
    try {
      ctx.bay = await startBay({ root, port: ctx.port, env: RELAXED_HEARTBEATS });
      for (let round = 1; round <= ROUNDS; round++) await crashRound(ctx, round);
      // Containers outlive a stopped Bay (docker): leave nothing behind.
      const bay = ctx.bay!;
      await forEach(await listAll(bay), 4, async (sb) => {
        assert.equal((await bay.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
      });
      await eventually(
        "no runtime and no cargo storage left",
        async () =>
          (await runtimesByCargo(bay.driver, bay.dataDir)).size === 0 &&
          (await cargoStorage(bay)).length === 0,
      );
      rec.held("deleting every sandbox afterwards leaves no runtime and no cargo storage");
    } catch (e) {
      console.error(`--- Bay log tail ---\n${ctx.bay?.logTail().slice(-6000)}\n---`);
      throw e;
    } finally {
      leaked = await ctx.bay?.stop() ?? [];
    }
    assert.deepEqual(leaked, [], "nothing outlives Bay's shutdown");
    const db = await openStore(join(root, "data"));
    try {
      const problems = inconsistencies(await readRows(db));
      assert.deepEqual(problems, [], "store invariants");
      rec.held("store consistent after the last shutdown: cargos, sandboxes and sessions agree");
    } finally {
      await db.close();
    }
  }).finally(() => Deno.remove(root, { recursive: true }).catch(() => {}));
});
