/**
 * Resident memory of another process, from `/proc/<pid>/status`: a point
 * reading, and a sampler that records the peak `VmRSS` every 50 ms. When
 * allowed (root), the kernel's own high-water mark `VmHWM` is reset at the
 * start (`clear_refs` ← 5) and read at the end as an exact cross-check.
 *
 * @module
 */

/** Read a `kB` field of `/proc/<pid>/status`, in bytes. */
export async function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const text = await Deno.readTextFile(`/proc/${pid}/status`);
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(text);
  if (!m) throw new Error(`${field} not in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Peak memory seen over one measured interval. */
export interface RssPeak {
  /** VmRSS when sampling started (bytes). */
  start: number;
  /** Largest sampled VmRSS (bytes). */
  peak: number;
  samples: number;
  /** VmHWM since the reset, or null when it could not be reset. */
  hwm: number | null;
}

/** Sample `pid`'s VmRSS every `intervalMs` until `stop()`. */
export async function sampleRss(
  pid: number,
  intervalMs = 50,
): Promise<{ stop(): Promise<RssPeak> }> {
  let hwmReset = true;
  try {
    await Deno.writeTextFile(`/proc/${pid}/clear_refs`, "5");
  } catch {
    hwmReset = false;
  }
  const start = await procStatusBytes(pid, "VmRSS");
  let peak = start;
  let samples = 1;
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      peak = Math.max(peak, await procStatusBytes(pid, "VmRSS"));
      samples++;
    } catch {
      /* process gone */
    } finally {
      busy = false;
    }
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      peak = Math.max(peak, await procStatusBytes(pid, "VmRSS"));
      samples++;
      const hwm = hwmReset ? await procStatusBytes(pid, "VmHWM") : null;
      return { start, peak, samples, hwm };
    },
  };
}
