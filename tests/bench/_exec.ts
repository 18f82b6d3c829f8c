/**
 * Section 2: exec round trip through Bay against the same call made directly
 * (see `_direct.ts`). Bay and direct samples are interleaved one by one (the
 * order alternating) so that machine noise hits both alike.
 *
 * @module
 */
import type { BayClient } from "./_client.ts";
import type { Direct } from "./_direct.ts";

/** Round-trip samples (ms) of one operation. */
export interface ExecSamples {
  bay_ms: number[];
  direct_ms: number[];
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Interleave `warmup` untimed then `n` timed rounds of `bay` and `direct`. */
export async function interleave(
  n: number,
  warmup: number,
  bay: () => Promise<void>,
  direct: () => Promise<void>,
): Promise<ExecSamples> {
  for (let i = 0; i < warmup; i++) {
    await bay();
    await direct();
  }
  const out: ExecSamples = { bay_ms: [], direct_ms: [] };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      out.bay_ms.push(await timed(bay));
      out.direct_ms.push(await timed(direct));
    } else {
      out.direct_ms.push(await timed(direct));
      out.bay_ms.push(await timed(bay));
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
  const shell = await interleave(n, warmup, async () => {
    const r = await client.shell(id, "true");
    if (!r.success) throw new Error(`shell true via Bay → ${JSON.stringify(r)}`);
  }, async () => {
    await direct.shell("true");
  });
  const python = await interleave(n, warmup, async () => {
    const r = await client.python(id, "1+1");
    if (!r.success || r.output !== "2") throw new Error(`1+1 via Bay → ${JSON.stringify(r)}`);
  }, async () => {
    const out = await direct.python("1+1");
    if (out !== "2") throw new Error(`1+1 direct → ${out}`);
  });
  return { shell, python };
}
