/**
 * Section 1: time to first exec — `POST /v1/sandboxes` until the first
 * python (`print(1)`) or shell (`true`) result, on fresh sandboxes, each
 * deleted afterwards (the delete is not timed).
 *
 * @module
 */
import type { BayClient } from "./_client.ts";

/** Samples of one kind of first call. */
export interface FirstExecSamples {
  /** create → first result (ms), per sandbox. */
  total_ms: number[];
  /** create → 201 (ms), per sandbox. */
  create_ms: number[];
}

/** Time `n` fresh sandboxes whose first call is `first`. */
export async function timeFirstExec(
  client: BayClient,
  n: number,
  first: (id: string) => Promise<void>,
): Promise<FirstExecSamples> {
  const out: FirstExecSamples = { total_ms: [], create_ms: [] };
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const id = await client.createSandbox();
    const t1 = performance.now();
    try {
      await first(id);
      out.total_ms.push(performance.now() - t0);
      out.create_ms.push(t1 - t0);
    } finally {
      await client.deleteSandbox(id);
    }
  }
  return out;
}

/** Both variants: python `print(1)` and shell `true` as the first call. */
export async function measureFirstExec(
  client: BayClient,
  n: number,
): Promise<{ python: FirstExecSamples; shell: FirstExecSamples }> {
  const python = await timeFirstExec(client, n, async (id) => {
    const r = await client.python(id, "print(1)");
    if (!r.success || r.output.trim() !== "1") throw new Error(`print(1) → ${JSON.stringify(r)}`);
  });
  const shell = await timeFirstExec(client, n, async (id) => {
    const r = await client.shell(id, "true");
    if (!r.success) throw new Error(`true → ${JSON.stringify(r)}`);
  });
  return { python, shell };
}
