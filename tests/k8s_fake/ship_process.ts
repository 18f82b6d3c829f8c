/**
 * The fake kubelet's "container runtime": the Pod's ship as a plain local
 * process (`deno run ship/main.ts`, no container, no namespaces), moved into
 * the Pod's cgroups before it execs, its output appended to a log file.
 *
 * @module
 */
import { cgroupPids, killAll, processTree } from "./host.ts";

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGABRT: 6 };

/** The exit code a container runtime reports (128 + signal when killed). */
export function exitCode(st: Deno.CommandStatus): number {
  return st.signal ? 128 + (SIGNALS[st.signal] ?? 0) : st.code;
}

/** Start `deno run ship/main.ts` with the Pod's env, in `cgroups`, output to `log`. */
export function spawnShip(
  repo: string,
  env: Record<string, string>,
  log: string,
  cgroups: string[],
  cwd: string,
): Deno.ChildProcess {
  const script = 'for g in $FAKE_CGROUPS; do echo $$ > "$g/cgroup.procs" || exit 125; done; ' +
    'log=$FAKE_LOG; unset FAKE_CGROUPS FAKE_LOG; exec "$0" "$@" >>"$log" 2>&1';
  // The host's cache (the Pod's HOME is a fresh dir): modules are not transpiled per start.
  const home = Deno.env.get("HOME");
  const denoDir = Deno.env.get("DENO_DIR") ?? (home ? `${home}/.cache/deno` : undefined);
  return new Deno.Command("/bin/sh", {
    args: [
      "-c",
      script,
      Deno.execPath(),
      "run",
      "-A",
      "--cached-only",
      "--frozen",
      "--no-prompt",
      "--config",
      `${repo}/deno.json`,
      `${repo}/ship/main.ts`,
    ],
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_NO_UPDATE_CHECK: "1",
      ...(denoDir ? { DENO_DIR: denoDir } : {}),
      ...env,
      FAKE_LOG: log,
      FAKE_CGROUPS: cgroups.join(" "),
    },
    clearEnv: true,
    cwd: cwd.startsWith("/") ? cwd : repo,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

/** SIGKILL every process of a Pod: its cgroups' members, else the ship's process tree. */
export async function killPod(cgroups: string[], child?: Deno.ChildProcess): Promise<void> {
  if (cgroups.length) killAll(await cgroupPids(cgroups));
  else if (child) killAll((await processTree(child.pid)).reverse());
}
