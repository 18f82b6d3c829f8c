/**
 * Process plumbing of the local driver: spawn bwrap with its output going to
 * a log file (not a pipe, so a sandbox outlives a crashed Bay), find and kill
 * a sandbox's process tree, and tell whether a PID still runs.
 *
 * @module
 */

/** Direct children of a process, from /proc. */
export async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  try {
    for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
      const text = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/children`).catch(() => "");
      out.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch { /* process gone */ }
  return out;
}

/** True when `pid` exists and is not a zombie. */
async function isRunning(pid: number): Promise<boolean> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** True when `pid` exists, is not a zombie, and runs `bwrap`. */
export async function isBwrapAlive(pid: number): Promise<boolean> {
  try {
    if (!(await isRunning(pid))) return false;
    const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmd.split("\0")[0].endsWith("bwrap");
  } catch {
    return false;
  }
}

/**
 * Host PID of the sandbox's PID-namespace init: bwrap's child, forked right
 * after start. Null when it does not appear within `timeoutMs`.
 */
export async function findInit(bwrapPid: number, timeoutMs = 2000): Promise<number | null> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const [init] = await childrenOf(bwrapPid);
    if (init !== undefined) return init;
    // Not isBwrapAlive: the PID runs `sh -c exec bwrap …` until the exec happens.
    if (Date.now() > end || !(await isRunning(bwrapPid))) return null;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * SIGKILL a sandbox's init if it still runs. The outer bwrap exits as soon as
 * the ship does, but the init waits for every process of the sandbox, so a
 * crashed ship leaves the init and the user's detached jobs running (still
 * writing into the cargo) until the init is killed.
 */
export async function killInit(initPid: number | null | undefined): Promise<void> {
  if (!initPid || !(await isBwrapAlive(initPid))) return;
  try {
    Deno.kill(initPid, "SIGKILL");
  } catch { /* gone */ }
}

/** SIGKILL the sandbox: its PID-namespace init (bwrap's child) takes every process with it. */
export async function killSandbox(pid: number): Promise<void> {
  for (const child of await childrenOf(pid)) {
    try {
      Deno.kill(child, "SIGKILL");
    } catch { /* gone */ }
  }
  try {
    Deno.kill(pid, "SIGKILL");
  } catch { /* gone */ }
}

/** Last `bytes` of a file as text ("" when missing). */
export async function tailOf(path: string, bytes = 2048): Promise<string> {
  try {
    const f = await Deno.open(path, { read: true });
    try {
      const size = (await f.stat()).size;
      await f.seek(Math.max(0, size - bytes), Deno.SeekMode.Start);
      const buf = new Uint8Array(Math.min(bytes, size));
      let n = 0;
      while (n < buf.length) {
        const r = await f.read(buf.subarray(n));
        if (r === null) break;
        n += r;
      }
      return new TextDecoder().decode(buf.subarray(0, n));
    } finally {
      f.close();
    }
  } catch {
    return "";
  }
}

/**
 * Start `bwrap args…` with stdout and stderr appended to `logFile` and
 * `token` written to its stdin. Returns the child (its PID is bwrap's).
 * `onSpawn` runs synchronously right after the spawn, before anything is
 * awaited (to record the PID while no crash of this process can come between).
 */
export async function spawnBwrap(
  bwrapPath: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  token: string,
  onSpawn: (pid: number) => void = () => {},
): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("/bin/sh", {
    // `exec` keeps the PID: the child is bwrap itself, writing straight to the log.
    args: ["-c", 'exec env -u SHIPYARD_LOG "$0" "$@" >>"$SHIPYARD_LOG" 2>&1', bwrapPath, ...args],
    env: { ...env, SHIPYARD_LOG: logFile },
    clearEnv: true,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  onSpawn(child.pid);
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(token + "\n")).catch(() => {});
  await w.close().catch(() => {});
  return child;
}
