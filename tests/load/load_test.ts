/**
 * Load through one real Bay: N sandboxes, each with M concurrent lanes of
 * mixed operations (python and shell execs, binary uploads and downloads,
 * text writes and reads), R operations per lane, every answer checked, then
 * every sandbox deleted. Bounded here (10 × 5 × 4); `deno task soak` runs
 * 50 × 20 × 10.
 *
 * The whole pass runs twice: the first is the warm-up, and Bay's readings
 * after it (sandboxes deleted, client connections closed) are the baseline;
 * the second is measured. Holds: zero errors; after the measured pass Bay's
 * open file descriptors are back to the baseline (± {@link FD_SLACK}, not
 * counting the store's connection pool, which grows with concurrency up to
 * its size and keeps its connections) and its resident memory is within
 * {@link rssSlackMib} of it. Warming up at full size puts the heap's
 * high-water mark, which V8 and the allocator keep, into the baseline: what
 * grows after that is a leak. Memory still gets a tolerance (the heap does
 * not shrink to the same size every time); descriptors get almost none, a
 * leaked socket or file shows up there.
 *
 * Bay runs on PostgreSQL when `BAY_TEST_DATABASE_URL` is set: PGlite's wasm
 * heap (~800 MiB) would dwarf Bay's own memory.
 */
import assert from "node:assert/strict";
import { tempDatabaseUrl } from "../../bay/testing.ts";
import { percentile, summarize } from "../bench/_stats.ts";
import { type E2EBay, eventually, sleep, withBay } from "../e2e/_bay.ts";
import { cargoStorageExists, sessionPids } from "../e2e/_host.ts";
import { Recorder, scaled } from "../_record.ts";
import { cpuSeconds, read, type Reading, samplePeak, settle } from "./_proc.ts";
import { forEach } from "../_util.ts";
import { Client, KINDS, operation, Tally } from "./_work.ts";

const N = scaled(10, 50);
const M = scaled(5, 20);
const R = scaled(4, 10);
const TRANSFER_BYTES = scaled(64, 256) * 1024;
/** Sessions started at once (cold starts are CPU-bound). */
const START_CONCURRENCY = 10;
/** Descriptors Bay may hold above the baseline, beside the store pool. */
const FD_SLACK = 3;
/** postgres.js pool size in Bay. */
const STORE_POOL = 10;
/** Memory Bay may keep above the baseline: 64 MiB or a quarter of the baseline. */
const rssSlackMib = (base: number) => Math.max(64, base / 4);

type Sandbox = { id: string; cargo_id: string };

/** Create `n` sandboxes and start their sessions and kernels; returns the session start times. */
async function createStarted(client: Client, n: number) {
  const sbs: Sandbox[] = [];
  const startMs: number[] = [];
  await forEach(Array.from({ length: n }), START_CONCURRENCY, async () => {
    const c = await client.api("POST", "/v1/sandboxes", {});
    assert.equal(c.status, 201, c.text);
    sbs.push(c.body);
    const t0 = performance.now();
    const r = await client.api("POST", `/v1/sandboxes/${c.body.id}/shell/exec`, {
      command: "echo ready",
    });
    assert.equal(r.body?.output, "ready\n", r.text);
    startMs.push(performance.now() - t0);
    // The kernel starts with the session but may still be warming up: wait for it here.
    const py = await client.api("POST", `/v1/sandboxes/${c.body.id}/python/exec`, { code: "1" });
    assert.equal(py.body?.output, "1", py.text);
  });
  return { sbs, startMs };
}

/** Delete `sbs` and wait until their processes and storage are gone. */
async function deleteAll(bay: E2EBay, client: Client, sbs: Sandbox[]): Promise<void> {
  await forEach(sbs, 25, async (sb) => {
    const r = await client.api("DELETE", `/v1/sandboxes/${sb.id}`);
    assert.equal(r.status, 204, r.text);
  });
  await eventually(
    "the deleted sandboxes' processes and storage to go",
    async () => {
      for (const sb of sbs) {
        if (sessionPids(bay, sb.cargo_id).length > 0) return false;
        if (await cargoStorageExists(bay, sb.cargo_id)) return false;
      }
      return true;
    },
    60_000,
    250,
  );
}

/** One full pass: create and start N, M lanes × R operations on each, delete all. */
async function pass(bay: E2EBay) {
  const client = new Client(bay);
  const peak = samplePeak(bay.pid);
  const t0 = performance.now();
  const { sbs, startMs } = await createStarted(client, N);
  const tally = new Tally();
  const tLoad = performance.now();
  const cpu0 = await cpuSeconds(bay.pid);
  await Promise.all(sbs.flatMap((sb) =>
    Array.from({ length: M }, async (_, lane) => {
      for (let k = 0; k < R; k++) {
        await operation(client, sb.id, lane + k * M, tally, TRANSFER_BYTES);
      }
    })
  ));
  const loadMs = performance.now() - tLoad;
  const cpuS = await cpuSeconds(bay.pid) - cpu0;
  await deleteAll(bay, client, sbs);
  // The client's pooled keep-alive connections are Bay's descriptors too.
  client.close();
  return { tally, startMs, loadMs, cpuS, passMs: performance.now() - t0, peak: await peak.stop() };
}

Deno.test(`load: ${N} sandboxes × ${M} concurrent mixed operations × ${R}`, async () => {
  const rec = new Recorder("load", "load", `${N} sandboxes × ${M} concurrent lanes × ${R} ops`);
  const db = Deno.env.get("BAY_TEST_DATABASE_URL") ? await tempDatabaseUrl() : null;
  const env: Record<string, string> = { BAY_LOG_LEVEL: "warn" };
  if (db) env.BAY_DATABASE_URL = db.url;
  const storePort = db ? Number(new URL(db.url).port || 5432) : 0;
  const own = (r: Reading) => r.fds - r.store;
  await rec.run(() =>
    withBay({ env }, async (bay) => {
      rec.note(`store: ${db ? "PostgreSQL" : "embedded PGlite"}`);
      rec.tried(
        `${N} sandboxes, ${M} concurrent lanes each, ${R} operations per lane ` +
          `(python exec, shell exec, ${TRANSFER_BYTES / 1024} KiB upload+download, ` +
          `text write+read; every answer checked) through one Bay; all deleted; twice ` +
          `(warm-up, then measured)`,
      );
      const cold = await read(bay.pid, storePort);
      const warm = await pass(bay);
      assert.deepEqual(warm.tally.errors.slice(0, 10), [], "warm-up pass");
      await sleep(1000);
      const before = await read(bay.pid, storePort);
      const run = await pass(bay);
      const after = await settle(
        bay.pid,
        storePort,
        (r) => own(r) <= own(before) + FD_SLACK && r.rss_mib <= before.rss_mib + 16,
        15_000,
      );

      const { tally } = run;
      const s = summarize(tally.all());
      rec.num("sandboxes_count", N);
      rec.num("lanes_per_sandbox_count", M);
      rec.num("calls_count", tally.calls);
      rec.num("errors_count", tally.errors.length);
      rec.num("latency_p50_ms", s.median);
      rec.num("latency_p99_ms", s.p99);
      rec.num("latency_max_ms", s.max);
      for (const k of KINDS) {
        const sorted = [...tally.ms[k]].sort((a, b) => a - b);
        rec.num(`${k}_p50_ms`, percentile(sorted, 50));
        rec.num(`${k}_p99_ms`, percentile(sorted, 99));
      }
      const starts = summarize(run.startMs);
      rec.num("session_start_p50_ms", starts.median);
      rec.num("session_start_max_ms", starts.max);
      rec.num("throughput_calls_per_s", tally.calls / (run.loadMs / 1000));
      rec.num("bay_cpu_per_call_ms", (run.cpuS * 1000) / tally.calls);
      rec.num("bay_cpu_share_of_wall_pct", (run.cpuS * 100_000) / run.loadMs);
      rec.num("pass_s", run.passMs / 1000);
      rec.num("rss_cold_mib", cold.rss_mib);
      rec.num("rss_before_mib", before.rss_mib);
      rec.num("rss_peak_mib", run.peak.rss_mib);
      rec.num("rss_after_mib", after.rss_mib);
      rec.num("fds_cold_count", cold.fds);
      rec.num("fds_before_count", before.fds);
      rec.num("fds_peak_count", run.peak.fds);
      rec.num("fds_after_count", after.fds);
      rec.num("store_connections_before_count", before.store);
      rec.num("store_connections_after_count", after.store);
      console.log(JSON.stringify(rec.summary.numbers));

      assert.deepEqual(tally.errors.slice(0, 10), [], `${tally.errors.length} errors`);
      assert.equal(tally.calls, tally.all().length);
      rec.held(`zero errors in ${tally.calls} checked calls (and in the warm-up pass)`);
      const fdText = `${before.fds} before, ${run.peak.fds} at peak, ${after.fds} after ` +
        `(of which store connections ${before.store} → ${after.store})`;
      assert.ok(own(after) <= own(before) + FD_SLACK, `fds: ${fdText}`);
      assert.ok(after.store <= STORE_POOL, `store pool above its size: ${fdText}`);
      rec.held(
        `open fds back to baseline: ${fdText}; slack ${FD_SLACK} beside the store pool ` +
          `(≤ ${STORE_POOL})`,
      );
      const slack = rssSlackMib(before.rss_mib);
      const rssText = `${before.rss_mib.toFixed(0)} MiB before, ${
        run.peak.rss_mib.toFixed(0)
      } at peak, ${after.rss_mib.toFixed(0)} after`;
      assert.ok(after.rss_mib <= before.rss_mib + slack, `rss: ${rssText} (slack ${slack})`);
      rec.held(`RSS back near baseline: ${rssText} (tolerance ${slack.toFixed(0)} MiB)`);
    }).finally(() => db?.drop())
  );
});
