/**
 * Section 2: exec round trip through Bay against the same call sent to the
 * ship directly, and (for context) made in process (see `_direct.ts`). The variants are interleaved one call at a time, the
 * order rotating each round, so that machine noise hits all of them alike.
 *
 * @module
 */
import type { BayClient } from "./_client.ts";
import type { Direct } from "./_direct.ts";

/** Round-trip samples (ms) of one operation. */
export interface ExecSamples {
  bay_ms: number[];
  /** The same call sent to a ship directly (the target's baseline). */
  direct_ms: number[];
  /** In process, no ship: `Kernel.execute` / `runShell` as root (informational). */
  inprocess_ms: number[];
}

/** `warmup` untimed then `n` timed rounds of every `fns[i]`; samples per fn (ms). */
export async function interleave(
  n: number,
  warmup: number,
  fns: (() => Promise<void>)[],
): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < fns.length; j++) {
      const k = (i + j) % fns.length;
      const t0 = performance.now();
      await fns[k]();
      out[k].push(performance.now() - t0);
    }
  }
  return out;
}

/** Shell `true` and python `1+1`, through Bay (on sandbox `id`) and directly. */
export async function measureExec(
  client: BayClient,
  id: string,
  direct: Direct,
  n: number,
  warmup: number,
): Promise<{ shell: ExecSamples; python: ExecSamples }> {
  const [bayShell, directShell, inprocShell] = await interleave(n, warmup, [
    async () => {
      const r = await client.shell(id, "true");
      if (!r.success) throw new Error(`shell true via Bay → ${JSON.stringify(r)}`);
    },
    async () => void await direct.shipShell("true"),
    async () => void await direct.shell("true"),
  ]);
  const [bayPython, directPython, inprocPython] = await interleave(n, warmup, [
    async () => {
      const r = await client.python(id, "1+1");
      if (!r.success || r.output !== "2") throw new Error(`1+1 via Bay → ${JSON.stringify(r)}`);
    },
    async () => {
      const out = await direct.shipPython("1+1");
      if (out !== "2") throw new Error(`1+1 ship direct → ${out}`);
    },
    async () => {
      const out = await direct.python("1+1");
      if (out !== "2") throw new Error(`1+1 in process → ${out}`);
    },
  ]);
  return {
    shell: { bay_ms: bayShell, direct_ms: directShell, inprocess_ms: inprocShell },
    python: { bay_ms: bayPython, direct_ms: directPython, inprocess_ms: inprocPython },
  };
}
