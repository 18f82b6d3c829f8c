/**
 * Section 5: time to first exec from the warm pool. A Bay whose
 * `python-default` profile keeps 2 warm sandboxes (`warmPoolCheckMs: 200`);
 * before each claim the bench waits until `/metrics` reports the pool full
 * again, then times `POST /v1/sandboxes` → python `print(1)` result.
 *
 * @module
 */
import { join } from "node:path";
import { startBay } from "./_bay.ts";
import { BayClient } from "./_client.ts";
import { info, ms, type Section } from "./_extra_rows.ts";
import { round, summarize } from "./_stats.ts";

/** Warm-pool first exec: p50 at most this (ms). */
export const WARM_FIRST_EXEC_MAX_MS = 50;
const POOL = 2;
const PROFILE = "python-default";

/** `bay_warm_pool_size{profile="python-default"}` from `/metrics` (0 when absent). */
async function poolSize(client: BayClient): Promise<number> {
  const res = await fetch(`${client.base}/metrics`, {
    headers: { Authorization: `Bearer ${client.apiKey}` },
  });
  const text = await res.text();
  const m = text.match(new RegExp(`^bay_warm_pool_size\\{profile="${PROFILE}"\\} (\\S+)$`, "m"));
  return m ? Number(m[1]) : 0;
}

async function waitFull(client: BayClient, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while ((await poolSize(client)) < POOL) {
    if (performance.now() - t0 > timeoutMs) {
      throw new Error(`warm pool not full after ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - t0;
}

/**
 * Containers of the docker driver whose bind mounts lie under `dir` (left
 * behind by a stopped Bay): removed, with their ids returned.
 */
export async function reapDockerUnder(dir: string): Promise<string[]> {
  const run = async (args: string[]) => {
    const o = await new Deno.Command("docker", { args, stdout: "piped", stderr: "null" }).output();
    return new TextDecoder().decode(o.stdout);
  };
  const ids = (await run(["ps", "-aq", "--filter", "label=shipyard.neo"])).split(/\s+/)
    .filter(Boolean);
  const leaked: string[] = [];
  for (const id of ids) {
    const mounts = await run(["inspect", id, "--format", "{{range .Mounts}}{{.Source}} {{end}}"]);
    if (mounts.split(" ").some((m) => m.startsWith(dir))) leaked.push(id);
  }
  for (const id of leaked) {
    const vols = await run(["inspect", id, "--format", "{{range .Mounts}}{{.Name}} {{end}}"]);
    await run(["rm", "-f", id]);
    for (const v of vols.split(" ").filter((v) => v.startsWith("shipyard-cargo-"))) {
      await run(["volume", "rm", v]);
    }
  }
  return leaked;
}

/** Run the warm-pool measurement on `driver` with `n` sequential claims. */
export async function measureWarmPool(root: string, driver: string, n: number): Promise<Section> {
  const dir = join(root, `warm-${driver}`);
  const bay = await startBay(dir, 90_000, {
    driver,
    config: { warmPoolCheckMs: 200, profiles: [{ id: PROFILE, warmPoolSize: POOL }] },
  });
  try {
    const client = new BayClient(bay.url, bay.apiKey);
    const total: number[] = [];
    const create: number[] = [];
    const refill: number[] = [];
    for (let i = 0; i < n; i++) {
      refill.push(await waitFull(client, 180_000));
      const t0 = performance.now();
      const id = await client.createSandbox();
      const t1 = performance.now();
      const r = await client.python(id, "print(1)");
      const t2 = performance.now();
      if (!r.success || r.output.trim() !== "1") throw new Error(`print(1) → ${JSON.stringify(r)}`);
      total.push(t2 - t0);
      create.push(t1 - t0);
      await client.deleteSandbox(id);
    }
    await bay.stop();
    // A Bay must not leave pool members behind when it stops.
    const leaked = driver === "docker" ? await reapDockerUnder(dir) : [];
    const s = summarize(total);
    const c = summarize(create);
    return {
      rows: [
        {
          metric: `first exec python print(1) ms, warm pool, ${driver} (n=${s.n})`,
          bay: ms(s.median),
          direct: "",
          ratio: "",
          target: `<= ${WARM_FIRST_EXEC_MAX_MS}`,
          ok: s.median <= WARM_FIRST_EXEC_MAX_MS,
        },
        info(`  warm pool ${driver} p90 / max ms`, `${ms(s.p90)} / ${ms(s.max)}`),
        info(`  warm pool ${driver} of which POST /v1/sandboxes ms`, ms(c.median)),
        ...(driver === "docker"
          ? [{
            metric: "  warm pool docker: containers left after Bay stopped",
            bay: String(leaked.length),
            direct: "",
            ratio: "",
            target: "0",
            ok: leaked.length === 0,
          }]
          : []),
      ],
      json: {
        driver,
        pool_size: POOL,
        median_ms: round(s.median, 2),
        p90_ms: round(s.p90, 2),
        target_ms_max: WARM_FIRST_EXEC_MAX_MS,
        samples_ms: total.map((v) => round(v, 2)),
        create_ms: create.map((v) => round(v, 2)),
        refill_wait_ms: refill.map((v) => round(v, 0)),
        leaked_containers: leaked,
      },
    };
  } catch (e) {
    console.error(`[bench] warm pool (${driver}) Bay log tail:\n${bay.logTail().slice(-3000)}`);
    throw e;
  } finally {
    await bay.stop();
  }
}
