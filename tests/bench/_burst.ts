/**
 * Section 6: a burst of sandboxes. `n` creates fired at once (no client-side
 * concurrency limit), each followed by its first exec (shell `true`); the
 * time from firing the create to the exec result, and the failures.
 *
 * @module
 */
import type { BayClient } from "./_client.ts";
import { info, ms, type Section } from "./_extra_rows.ts";
import { round, summarize } from "./_stats.ts";

/** Fire `n` create → shell `true` sequences at once. */
export async function measureBurst(client: BayClient, n: number): Promise<Section> {
  const ids: string[] = [];
  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: n }, async () => {
      const start = performance.now();
      const id = await client.createSandbox();
      ids.push(id);
      const r = await client.shell(id, "true");
      if (!r.success) throw new Error(`true → ${JSON.stringify(r).slice(0, 300)}`);
      return performance.now() - start;
    }),
  );
  const wall = performance.now() - t0;
  const ok = results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
  const errors = results.flatMap((r) => r.status === "rejected" ? [String(r.reason)] : []);
  // Cleanup, untimed; also all at once.
  await Promise.allSettled(ids.map((id) => client.deleteSandbox(id)));
  const s = summarize(ok);
  return {
    rows: [
      info(`burst ${n} sandboxes: create -> first shell true p50 ms`, ms(s.median)),
      info(`burst ${n} sandboxes: p95 / max ms`, `${ms(percentile95(ok))} / ${ms(s.max)}`),
      info(`burst ${n} sandboxes: wall time ms`, ms(wall)),
      {
        metric: `burst ${n} sandboxes: failures`,
        bay: String(errors.length),
        direct: "",
        ratio: "",
        target: "0",
        ok: errors.length === 0,
      },
    ],
    json: {
      n,
      median_ms: round(s.median, 1),
      p95_ms: round(percentile95(ok), 1),
      max_ms: round(s.max, 1),
      wall_ms: round(wall, 1),
      failures: errors.length,
      errors: [...new Set(errors)].slice(0, 10),
      samples_ms: ok.map((v) => round(v, 1)),
    },
  };
}

function percentile95(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(0.95 * s.length) - 1))];
}
