/**
 * The driver side of a Bay, seen from the host: which runtimes run (bwrap
 * process trees naming the data dir; containers labelled with the Bay's
 * instance id) and which cargo storage exists (directories and images under
 * `<data>/cargos`; labelled volumes), plus killing a runtime or a kernel from
 * outside. `local` and `docker` only, like `tests/e2e/_host.ts`.
 *
 * @module
 */
import { join } from "node:path";
import type { E2EBay } from "../e2e/_bay.ts";
import { processes, sessionPids } from "../e2e/_host.ts";

const CARGO_ID = /ws-[0-9a-f]{12}/;

function docker(args: string[]): string[] {
  const out = new Deno.Command("docker", { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    throw new Error(`docker ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.trim()).filter(Boolean);
}

/** The Bay's instance id (stable per data dir). */
export async function instanceId(dataDir: string): Promise<string> {
  return (await Deno.readTextFile(join(dataDir, "instance-id"))).trim();
}

/**
 * Running runtimes of the Bay whose data dir is `dataDir`, as cargo id →
 * number of runtimes on it. A local runtime is a bwrap process tree whose
 * command line names `<dataDir>/cargos/<id>`, counted once however many of
 * its processes still run; a docker runtime is a container labelled with
 * the Bay's instance id.
 */
export async function runtimesByCargo(
  driver: string,
  dataDir: string,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const add = (id: string) => out.set(id, (out.get(id) ?? 0) + 1);
  if (driver === "docker") {
    const label = `label=shipyard.neo/instance=${await instanceId(dataDir)}`;
    const fmt = '{{.Label "shipyard.neo/cargo"}}';
    for (const id of docker(["ps", "-a", "--filter", label, "--format", fmt])) add(id);
    return out;
  }
  if (driver !== "local") throw new Error(`no host view of driver ${driver}`);
  const prefix = join(dataDir, "cargos") + "/";
  const all = processes();
  const byPid = new Map(all.map((p) => [p.pid, p]));
  const cargoOf = (cmd: string) => {
    const at = cmd.indexOf(prefix);
    return cmd.startsWith("bwrap") || /^\S*\/bwrap /.test(cmd)
      ? (at >= 0 ? CARGO_ID.exec(cmd.slice(at + prefix.length))?.[0] : undefined)
      : undefined;
  };
  for (const p of all) {
    const id = cargoOf(p.cmdline);
    if (!id) continue;
    // bwrap forks the sandbox init with the same command line: count the tree's root only.
    const parent = byPid.get(p.ppid);
    if (parent && cargoOf(parent.cmdline) === id) continue;
    add(id);
  }
  return out;
}

/**
 * Cargo ids with storage on the host for the Bay whose data dir is
 * `bay.dataDir`. Local: every `ws-…` entry (directory, image or mount) under
 * `<data>/cargos`. Docker: volumes labelled with the Bay's instance id.
 */
export async function cargoStorage(bay: E2EBay): Promise<string[]> {
  const ids = new Set<string>();
  if (bay.driver === "docker") {
    const label = `label=shipyard.neo/instance=${await instanceId(bay.dataDir)}`;
    const fmt = '{{.Label "shipyard.neo/cargo"}}';
    for (const id of docker(["volume", "ls", "--filter", label, "--format", fmt])) ids.add(id);
    return [...ids].sort();
  }
  for await (const e of Deno.readDir(join(bay.dataDir, "cargos"))) {
    const id = CARGO_ID.exec(e.name)?.[0];
    if (id) ids.add(id);
  }
  return [...ids].sort();
}

/**
 * `kill -9` the whole runtime of the session on `cargoId`: every process of
 * the bwrap tree (local), or the container (docker).
 */
export function killRuntime(bay: E2EBay, cargoId: string): void {
  if (bay.driver === "docker") {
    const ids = docker(["ps", "-q", "--filter", `label=shipyard.neo/cargo=${cargoId}`]);
    if (ids.length !== 1) throw new Error(`expected one container on ${cargoId}, found ${ids}`);
    docker(["kill", "--signal", "KILL", ids[0]]);
    return;
  }
  const pids = sessionPids(bay, cargoId);
  if (pids.length === 0) throw new Error(`no runtime on ${cargoId}`);
  for (const pid of pids) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
}

/** Host pid of the IPython kernel of the session on `cargoId` (exactly one expected). */
export function kernelPid(bay: E2EBay, cargoId: string): number {
  const pids = sessionPids(bay, cargoId).filter((pid) => {
    try {
      const cmd = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
      return cmd.includes("kernelapp") && cmd.includes("ipykernel");
    } catch {
      return false; // exited meanwhile
    }
  });
  if (pids.length !== 1) throw new Error(`expected one kernel on ${cargoId}, found ${pids}`);
  return pids[0];
}
