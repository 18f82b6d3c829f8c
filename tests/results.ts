/**
 * `deno task results`: run the security, load and fault suites, one after
 * the other, each with a JUnit report, then write `tests/RESULTS.md` from the
 * reports and the JSON summaries the load and fault tests leave in
 * `tests/.results/`. Suite output goes to `tests/.results/<suite>.log`.
 *
 * ```sh
 * deno task results                    # bounded sizes, as CI runs them
 * SOAK=1 deno task results             # the long variant
 * deno task results --only=load,faults # some suites only (the page lists only those)
 * deno task results --no-run           # re-render from the last run's files
 * ```
 *
 * Exits 1 when a suite failed (the page is written anyway).
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { RESULTS_DIR, SOAK, type Summary } from "./_record.ts";
import { type Case, parseJunit } from "./_results_junit.ts";
import { renderResults, type SuiteRun } from "./_results_md.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const PAGE = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const SUITES = [
  { suite: "security", dir: "tests/security/", title: "Security" },
  { suite: "load", dir: "tests/load/", title: "Load" },
  { suite: "faults", dir: "tests/faults/", title: "Faults" },
];

const args = new Set(Deno.args);
const only = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const run = !args.has("--no-run");

async function hasTests(dir: string): Promise<boolean> {
  try {
    for await (const e of Deno.readDir(`${ROOT}${dir}`)) {
      if (e.name.endsWith("_test.ts")) return true;
    }
  } catch { /* no such directory */ }
  return false;
}

async function summariesOf(suite: string): Promise<Summary[]> {
  const out: Summary[] = [];
  for await (const e of Deno.readDir(RESULTS_DIR)) {
    if (e.name.startsWith(`${suite}-`) && e.name.endsWith(".json")) {
      out.push(JSON.parse(await Deno.readTextFile(`${RESULTS_DIR}${e.name}`)));
    }
  }
  return out.sort((a, b) => a.started_at.localeCompare(b.started_at));
}

async function runSuite(
  suite: string,
  dir: string,
): Promise<{ exitCode: number; seconds: number }> {
  for await (const e of Deno.readDir(RESULTS_DIR)) {
    if (e.name.startsWith(`${suite}-`) || e.name.startsWith(`${suite}.`)) {
      await Deno.remove(`${RESULTS_DIR}${e.name}`);
    }
  }
  console.log(`results: running ${dir} …`);
  const log = await Deno.open(`${RESULTS_DIR}${suite}.log`, { write: true, create: true });
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "test",
      "-A",
      "--frozen",
      "--unstable-no-legacy-abort",
      `--junit-path=${RESULTS_DIR}${suite}.junit.xml`,
      dir,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = log.writable.getWriter();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const chunk of s) await w.write(chunk);
  };
  await Promise.all([pump(child.stdout), pump(child.stderr)]);
  const { code } = await child.status;
  await w.close();
  const seconds = (performance.now() - t0) / 1000;
  console.log(`results: ${dir} exit ${code} in ${seconds.toFixed(0)} s`);
  return { exitCode: code, seconds };
}

async function junitOf(suite: string): Promise<Case[]> {
  try {
    return parseJunit(await Deno.readTextFile(`${RESULTS_DIR}${suite}.junit.xml`));
  } catch {
    return [];
  }
}

await Deno.mkdir(RESULTS_DIR, { recursive: true });
const runs: SuiteRun[] = [];
const timesFile = `${RESULTS_DIR}times.json`;
const times: Record<string, { exitCode: number; seconds: number }> = await Deno.readTextFile(
  timesFile,
).then(JSON.parse, () => ({}));
for (const s of SUITES) {
  if (only && !only.includes(s.suite)) continue;
  if (run) {
    times[s.suite] = (await hasTests(s.dir))
      ? await runSuite(s.suite, s.dir)
      : { exitCode: -1, seconds: 0 };
    await Deno.writeTextFile(timesFile, JSON.stringify(times, null, 2));
  }
  const t = times[s.suite] ?? { exitCode: -1, seconds: 0 };
  runs.push({
    ...s,
    exitCode: t.exitCode,
    wallSeconds: t.seconds,
    cases: await junitOf(s.suite),
    summaries: await summariesOf(s.suite),
  });
}

const mem = /MemTotal:\s+(\d+)/.exec(await Deno.readTextFile("/proc/meminfo"))?.[1];
const page = renderResults({
  date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
  cores: navigator.hardwareConcurrency,
  memGib: Math.round(Number(mem) / (1024 * 1024)),
  deno: `Deno ${Deno.version.deno}`,
  driver: Deno.env.get("E2E_DRIVER") || "local",
  soak: SOAK,
}, runs);
await Deno.writeTextFile(PAGE, page);
await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", PAGE], cwd: ROOT }).output();
console.log(`results: wrote ${PAGE}`);
if (runs.some((r) => r.exitCode !== 0 && r.exitCode !== -1)) Deno.exit(1);
