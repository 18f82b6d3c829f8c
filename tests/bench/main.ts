/**
 * `deno task bench`: starts a real Bay (local driver) and measures time to
 * first exec, exec round trips through Bay against direct calls, streamed
 * transfers through Bay against plain loopback HTTP, and Bay's memory during
 * transfers; then the warm pool (local and docker), a burst of sandboxes and
 * the docker driver against plain docker. Prints a table; writes JSON to `BENCH_OUT`
 * (default `tests/bench/results/latest.json`). See README.md.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { type BayProcess, startBay } from "./_bay.ts";
import { BayClient } from "./_client.ts";
import { type Direct, startDirect } from "./_direct.ts";
import { measureBurst } from "./_burst.ts";
import { dockerUnavailable, measureDocker } from "./_docker.ts";
import { measureExec } from "./_exec.ts";
import type { Section } from "./_extra_rows.ts";
import { measureFirstExec } from "./_first_exec.ts";
import { buildJson } from "./_json.ts";
import { type Loopback, startLoopback } from "./_loopback.ts";
import { readOptions } from "./_options.ts";
import { buildRows } from "./_report.ts";
import { renderTable } from "./_table.ts";
import { measureTransfer } from "./_transfer.ts";
import { measureWarmPool } from "./_warm_pool.ts";

const MiB = 1024 * 1024;
const skippedRow = {
  metric: "docker driver comparison",
  bay: "skipped",
  direct: "",
  ratio: "",
  target: "",
  ok: null,
};
const opts = readOptions();
const progress = (msg: string) => console.error(`[bench] ${msg}`);

const root = await Deno.makeTempDir({ prefix: "bay-bench-" });
await Deno.chmod(root, 0o711);
let bay: BayProcess | null = null;
let direct: Direct | null = null;
let loop: Loopback | null = null;
const cleanup = async () => {
  await loop?.close().catch(() => {});
  await direct?.close().catch(() => {});
  await bay?.stop().catch(() => {});
  await Deno.remove(root, { recursive: true }).catch(() => {});
};
const onSignal = () => cleanup().finally(() => Deno.exit(130));
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

try {
  const loadBefore = Deno.loadavg();
  progress(`starting Bay (data in ${root})`);
  bay = await startBay(root);
  const client = new BayClient(bay.url, bay.apiKey);
  progress(`Bay pid ${bay.pid} at ${bay.url}; starting the direct kernel`);
  direct = await startDirect(join(root, "direct"));
  progress(`1/6 time to first exec, ${opts.firstN} fresh sandboxes per variant`);
  const firstExec = await measureFirstExec(client, opts.firstN);
  const sandbox = await client.createSandbox();
  progress(`2/6 exec round trips, ${opts.execN} per operation (after ${opts.execWarmup} warmup)`);
  const exec = await measureExec(client, sandbox, direct, opts.execN, opts.execWarmup);
  progress(`3/6 transfers of ${opts.smallMiB} and ${opts.transferMiB} MiB, ${opts.transferReps}x`);
  loop = await startLoopback(join(root, "loopback"));
  const transfer = await measureTransfer(client, sandbox, loop, bay.pid, {
    size: opts.transferMiB * MiB,
    smallSize: opts.smallMiB * MiB,
    reps: opts.transferReps,
  });
  await client.deleteSandbox(sandbox);
  const extra: Record<string, Section> = {};
  if (opts.burst > 0) {
    progress(`4/6 burst: ${opts.burst} sandboxes created at once, each running shell true`);
    extra.burst = await measureBurst(client, opts.burst);
  }
  await loop.close();
  loop = null;
  await direct.close();
  const directKernelStartMs = direct.kernelStartMs;
  direct = null;
  await bay.stop();
  bay = null;
  const dockerWhy = opts.docker ? await dockerUnavailable() : "BENCH_DOCKER=0";
  progress(`5/6 warm pool, ${opts.warmN} claims (local${dockerWhy ? "" : " and docker"})`);
  extra.warm_pool_local = await measureWarmPool(root, "local", opts.warmN);
  if (!dockerWhy) extra.warm_pool_docker = await measureWarmPool(root, "docker", opts.warmN);
  progress(`6/6 docker driver vs plain docker`);
  extra.docker = dockerWhy
    ? { rows: [{ ...skippedRow, direct: dockerWhy }], json: { skipped: dockerWhy } }
    : await measureDocker(root, opts.dockerColdN, opts.dockerExecN);
  const measured = { firstExec, directKernelStartMs, exec, transfer };
  const rows = [...buildRows(measured), ...Object.values(extra).flatMap((s) => s.rows)];
  const json = buildJson(measured, rows, {
    date: new Date().toISOString(),
    deno: Deno.version.deno,
    cpus: navigator.hardwareConcurrency,
    loadavg_before: loadBefore,
    loadavg_after: Deno.loadavg(),
    options: opts,
  });
  Object.assign(json, Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, v.json])));
  console.log(renderTable(rows));
  console.log("");
  const samples = (xs: number[]) => xs.map((v) => v.toFixed(0)).join(", ");
  console.log(`first exec python samples ms: ${samples(firstExec.python.total_ms)}`);
  console.log(`first exec shell samples ms:  ${samples(firstExec.shell.total_ms)}`);
  console.log(`load average before/after: ${loadBefore.join(" ")} / ${json.meta.loadavg_after}`);
  await Deno.mkdir(dirname(opts.out), { recursive: true });
  await Deno.writeTextFile(opts.out, JSON.stringify(json, null, 2) + "\n");
  console.log(`results: ${opts.out}`);
} catch (e) {
  console.error(`[bench] failed: ${(e as Error)?.stack ?? e}`);
  if (bay) console.error(`[bench] Bay log tail:\n${bay.logTail().slice(-4000)}`);
  Deno.exitCode = 1;
} finally {
  await cleanup();
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}
