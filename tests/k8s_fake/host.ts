/**
 * Host plumbing of the fake kubelet and provisioner: cgroup v1 groups that
 * apply a container's limits the way a cgroupfs kubelet does, process
 * killing, capacity-limited volumes (a loop-mounted ext4 image per PVC, like
 * a block-storage provisioner), quantities and log tails.
 *
 * @module
 */

const CG = "/sys/fs/cgroup";
const CONTROLLERS = ["memory", "cpu", "pids"] as const;

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

/** Bytes of a Kubernetes quantity (`128Mi`, `1Gi`, `500M`, `1e3`, `100m`). */
export function parseQuantity(q: string | number): number {
  const m = String(q).trim().match(/^([0-9.]+(?:e[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T|m)?$/);
  if (!m) throw new Error(`bad quantity ${q}`);
  const mult: Record<string, number> = {
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    m: 1e-3,
  };
  return Number(m[1]) * (m[2] ? mult[m[2]] : 1);
}

/** True when this process can create cgroup v1 groups for memory, cpu and pids. */
export async function cgroupV1Usable(): Promise<boolean> {
  for (const c of CONTROLLERS) {
    const probe = `${CG}/${c}/shipyard-k8s-fake-probe-${Deno.pid}`;
    try {
      await Deno.mkdir(probe);
      await Deno.remove(probe);
    } catch {
      return false;
    }
  }
  return true;
}

/** Create a pod's groups (one per controller) and apply its limits; returns their dirs. */
export async function makeCgroups(
  id: string,
  limits: { memoryBytes?: number; cpus?: number },
): Promise<string[]> {
  const dirs: string[] = [];
  for (const c of CONTROLLERS) {
    const dir = `${CG}/${c}/shipyard-k8s-fake/${id}`;
    await Deno.mkdir(dir, { recursive: true });
    dirs.push(dir);
  }
  const [mem, cpu] = dirs;
  if (limits.memoryBytes) {
    await Deno.writeTextFile(`${mem}/memory.limit_in_bytes`, String(limits.memoryBytes));
    // No swap either (the kubelet runs without swap): memsw exists only with swap accounting.
    await Deno.writeTextFile(`${mem}/memory.memsw.limit_in_bytes`, String(limits.memoryBytes))
      .catch(() => {});
  }
  if (limits.cpus) {
    await Deno.writeTextFile(`${cpu}/cpu.cfs_period_us`, "100000");
    await Deno.writeTextFile(`${cpu}/cpu.cfs_quota_us`, String(Math.round(limits.cpus * 100000)));
  }
  return dirs;
}

/** Remove the fakes' parent groups once no fake uses them (fails harmlessly otherwise). */
export async function removeCgroupParents(): Promise<void> {
  for (const c of CONTROLLERS) await Deno.remove(`${CG}/${c}/shipyard-k8s-fake`).catch(() => {});
}

/** PIDs in a pod's groups. */
export async function cgroupPids(dirs: string[]): Promise<number[]> {
  const out = new Set<number>();
  for (const d of dirs) {
    const text = await Deno.readTextFile(`${d}/cgroup.procs`).catch(() => "");
    for (const p of text.split("\n").filter(Boolean)) out.add(Number(p));
  }
  return [...out];
}

/** Processes the kernel's OOM killer killed in a pod's memory group. */
export async function oomKills(dirs: string[]): Promise<number> {
  const mem = dirs.find((d) => d.includes("/memory/"));
  if (!mem) return 0;
  const text = await Deno.readTextFile(`${mem}/memory.oom_control`).catch(() => "");
  return Number(text.match(/oom_kill (\d+)/)?.[1] ?? 0);
}

/** Kill every process of the groups, then remove them. */
export async function removeCgroups(dirs: string[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const pids = await cgroupPids(dirs);
    if (pids.length === 0) break;
    killAll(pids);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const d of dirs) await Deno.remove(d).catch(() => {});
}

/** `pid` and all its descendants, from /proc. */
export async function processTree(pid: number): Promise<number[]> {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i];
    try {
      for await (const t of Deno.readDir(`/proc/${p}/task`)) {
        const text = await Deno.readTextFile(`/proc/${p}/task/${t.name}/children`).catch(() => "");
        out.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
      }
    } catch { /* gone */ }
  }
  return out;
}

/** SIGKILL each PID (ignoring the gone). */
export function killAll(pids: number[]): void {
  for (const p of pids) {
    try {
      Deno.kill(p, "SIGKILL");
    } catch { /* gone */ }
  }
}

/** An ext4 image of `sizeBytes`, loop-mounted at `dir` (a capacity-enforcing volume). */
export async function provisionLoop(dir: string, image: string, sizeBytes: number): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const f = await Deno.open(image, { create: true, write: true, mode: 0o600 });
  await f.truncate(Math.max(sizeBytes, 4 * 1024 * 1024));
  f.close();
  await run("mkfs.ext4", ["-q", "-F", "-m", "0", "-O", "^has_journal", image]);
  await run("mount", ["-o", "loop,nosuid,nodev", image, dir]);
  await Deno.remove(`${dir}/lost+found`, { recursive: true }).catch(() => {});
}

/** Unmount and delete a loop volume (idempotent). */
export async function releaseLoop(dir: string, image: string): Promise<void> {
  const info = await Deno.readTextFile("/proc/self/mountinfo");
  if (info.split("\n").some((l) => l.split(" ")[4] === dir)) await run("umount", ["-l", dir]);
  await Deno.remove(image).catch(() => {});
}

/** Last `bytes` of a file as text ("" when missing). */
export async function tail(path: string, bytes = 2048): Promise<string> {
  const data = await Deno.readFile(path).catch(() => new Uint8Array());
  return new TextDecoder().decode(data.subarray(Math.max(0, data.length - bytes)));
}
