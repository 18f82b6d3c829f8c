/**
 * Resource readings of another process (Bay) from `/proc`: resident memory
 * and open file descriptors, and a poll that waits for them to settle.
 *
 * @module
 */
import { procStatusBytes } from "../bench/_rss.ts";

/** `VmRSS` of `pid`, in MiB. */
export async function rssMib(pid: number): Promise<number> {
  return (await procStatusBytes(pid, "VmRSS")) / (1024 * 1024);
}

/** CPU time `pid` has used so far (user + system), in seconds (`/proc/<pid>/stat`, 100 Hz ticks). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** Number of open file descriptors of `pid` (entries of `/proc/<pid>/fd`). */
export async function fdCount(pid: number): Promise<number> {
  let n = 0;
  for await (const _ of Deno.readDir(`/proc/${pid}/fd`)) n++;
  return n;
}

/** Remote TCP port of every socket inode of `pid`'s network namespace. */
async function remotePorts(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const table of ["tcp", "tcp6"]) {
    const text = await Deno.readTextFile(`/proc/${pid}/net/${table}`).catch(() => "");
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      out.set(cols[9], parseInt(cols[2].split(":")[1], 16));
    }
  }
  return out;
}

/** Open descriptors of `pid` that are TCP connections to remote port `port`. */
export async function connectionsTo(pid: number, port: number): Promise<number> {
  const ports = await remotePorts(pid);
  let n = 0;
  for await (const e of Deno.readDir(`/proc/${pid}/fd`)) {
    const target = await Deno.readLink(`/proc/${pid}/fd/${e.name}`).catch(() => "");
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode && ports.get(inode) === port) n++;
  }
  return n;
}

/** Readings of Bay at one moment. */
export interface Reading {
  rss_mib: number;
  fds: number;
  /** Of `fds`, connections to the store's port (a pool that grows under load, bounded). */
  store: number;
}

/** Read `pid`'s RSS and fd count; `storePort` is PostgreSQL's port (0: none). */
export async function read(pid: number, storePort = 0): Promise<Reading> {
  return {
    rss_mib: await rssMib(pid),
    fds: await fdCount(pid),
    store: storePort ? await connectionsTo(pid, storePort) : 0,
  };
}

/**
 * Poll `pid` every 250 ms until `ok(reading)` holds or `timeoutMs` passes;
 * returns the last reading either way (the caller asserts on it).
 */
export async function settle(
  pid: number,
  storePort: number,
  ok: (r: Reading) => boolean,
  timeoutMs: number,
): Promise<Reading> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await read(pid, storePort);
    if (ok(r) || Date.now() > end) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

/** Peak RSS and fd count of `pid`, sampled every `everyMs` until `stop()`. */
export function samplePeak(pid: number, everyMs = 200): { stop(): Promise<Reading> } {
  const peak: Reading = { rss_mib: 0, fds: 0, store: 0 };
  let busy = false;
  const sample = async () => {
    if (busy) return;
    busy = true;
    try {
      const r = await read(pid);
      peak.rss_mib = Math.max(peak.rss_mib, r.rss_mib);
      peak.fds = Math.max(peak.fds, r.fds);
    } catch {
      /* process gone */
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(sample, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await sample();
      return peak;
    },
  };
}
