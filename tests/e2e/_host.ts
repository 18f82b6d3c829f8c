/**
 * Host-side views of a session, for the few e2e checks the HTTP API cannot
 * make: which processes make up a sandbox (to kill its ship, or to prove a
 * stop left nothing behind) and whether a cargo's storage still exists.
 * These are the only driver-specific helpers of the suite (`local`: bwrap
 * process trees and `<data dir>/cargos/<id>`; `docker`: containers and
 * volumes found by the driver's labels). Another driver fails loudly.
 *
 * @module
 */
import { join } from "node:path";
import type { E2EBay } from "./_bay.ts";

/** A host process. */
export interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
}

function unsupported(driver: string, what: string): never {
  throw new Error(`e2e host helper '${what}' is not implemented for driver ${driver}`);
}

/** Every live (non-zombie) process of the host. */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (rest[0] === "Z" || rest[0] === "X") continue;
      out.push({ pid: Number(e.name), ppid: Number(rest[1]), cmdline });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** `roots` and all their descendants. */
export function withDescendants(all: Proc[], roots: Proc[]): Proc[] {
  const seen = new Map(roots.map((p) => [p.pid, p]));
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!seen.has(p.pid) && seen.has(p.ppid)) {
        seen.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...seen.values()];
}

/** Run the docker CLI; stdout lines (empty on failure when `check` is false). */
function docker(args: string[], check = true): string[] {
  const out = new Deno.Command("docker", { args, stdout: "piped", stderr: "piped" }).outputSync();
  if (!out.success) {
    if (!check) return [];
    throw new Error(`docker ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).split("\n").map((l) => l.trim()).filter(Boolean);
}

/** Host PIDs of the init processes of the running containers matching a label filter. */
function containerInits(label: string): number[] {
  const ids = docker(["ps", "-q", "--filter", `label=${label}`]);
  return ids.flatMap((id) => docker(["inspect", "-f", "{{.State.Pid}}", id], false))
    .map(Number).filter((pid) => pid > 0);
}

/** Every process of every live session on cargo `cargoId`, sorted by pid. */
function sessionProcesses(bay: E2EBay, cargoId: string): Proc[] {
  const all = processes();
  let roots: Proc[];
  if (bay.driver === "local") {
    const marker = join(bay.dataDir, "cargos", cargoId) + " ";
    roots = all.filter((p) => p.cmdline.includes("bwrap") && p.cmdline.includes(marker));
  } else if (bay.driver === "docker") {
    const inits = new Set(containerInits(`shipyard.neo/cargo=${cargoId}`));
    roots = all.filter((p) => inits.has(p.pid));
  } else unsupported(bay.driver, "sessionProcesses");
  return withDescendants(all, roots).sort((a, b) => a.pid - b.pid);
}

/**
 * Host pids of every process of the sessions that mount cargo `cargoId`
 * (the sandbox itself, the ship, the kernel, user processes), wherever they
 * were reparented to.
 */
export function sessionPids(bay: E2EBay, cargoId: string): number[] {
  return sessionProcesses(bay, cargoId).map((p) => p.pid);
}

/** Command lines of every process of every session on cargo `cargoId`. */
export function sessionCommands(bay: E2EBay, cargoId: string): string[] {
  return sessionProcesses(bay, cargoId).map((p) => p.cmdline.trim());
}

/** Host pids of the ship processes serving cargo `cargoId` (one expected). */
export function shipPids(bay: E2EBay, cargoId: string): number[] {
  return sessionProcesses(bay, cargoId)
    .filter((p) => /^\S*\/deno .*ship\/main\.ts( |$)/.test(p.cmdline))
    .map((p) => p.pid);
}

/** SIGKILL the ship of the sandbox on cargo `cargoId`; returns its pid. */
export function killShip(bay: E2EBay, cargoId: string): number {
  const pids = shipPids(bay, cargoId);
  if (pids.length !== 1) throw new Error(`expected one ship for ${cargoId}, found ${pids}`);
  Deno.kill(pids[0], "SIGKILL");
  return pids[0];
}

/** Whether the storage of cargo `cargoId` exists on the host. */
export async function cargoStorageExists(bay: E2EBay, cargoId: string): Promise<boolean> {
  if (bay.driver === "docker") {
    return docker(["volume", "ls", "-q", "--filter", `name=^shipyard-cargo-${cargoId}$`])
      .length > 0;
  }
  if (bay.driver !== "local") unsupported(bay.driver, "cargoStorageExists");
  try {
    return (await Deno.stat(join(bay.dataDir, "cargos", cargoId))).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * After Bay exited: kill whatever of its sandboxes still runs (bwrap trees
 * naming `dataDir`; containers labelled with its instance id) and describe it.
 */
export async function reapLeftovers(driver: string, dataDir: string): Promise<string[]> {
  const found = new Map<number | string, string>();
  if (driver === "docker") {
    const instance = await Deno.readTextFile(join(dataDir, "instance-id")).catch(() => "");
    if (instance.trim()) {
      const label = `label=shipyard.neo/instance=${instance.trim()}`;
      for (const id of docker(["ps", "-aq", "--filter", label], false)) {
        found.set(id, `container ${id}`);
        docker(["rm", "-f", id], false);
      }
    }
  }
  for (let round = 0; round < 3; round++) {
    const all = processes();
    const roots = all.filter((p) => p.cmdline.includes(dataDir) && p.pid !== Deno.pid);
    const victims = withDescendants(all, roots);
    if (victims.length === 0) break;
    for (const p of victims) {
      found.set(p.pid, `${p.pid} (ppid ${p.ppid}) ${p.cmdline.slice(0, 60)}…`);
      try {
        Deno.kill(p.pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return [...found.values()];
}
