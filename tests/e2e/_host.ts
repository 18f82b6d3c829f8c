/**
 * Host-side views of a session, for the few e2e checks the HTTP API cannot
 * make: which processes make up a sandbox (to kill its ship, or to prove a
 * stop left nothing behind) and whether a cargo's storage still exists.
 * These are the only driver-specific helpers of the suite; a driver without
 * an implementation fails loudly rather than skipping.
 *
 * @module
 */
import { join } from "node:path";
import type { E2EBay } from "./_bay.ts";

interface Proc {
  pid: number;
  ppid: number;
  state: string;
  cmdline: string;
}

function unsupported(bay: E2EBay, what: string): never {
  throw new Error(`e2e host helper '${what}' is not implemented for driver ${bay.driver}`);
}

/** Every live (non-zombie) process of the host. */
function processes(): Proc[] {
  const out: Proc[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const cmdline = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).replaceAll("\0", " ");
      if (rest[0] === "Z" || rest[0] === "X") continue;
      out.push({ pid: Number(e.name), ppid: Number(rest[1]), state: rest[0], cmdline });
    } catch { /* exited meanwhile */ }
  }
  return out;
}

/** `roots` and all their descendants. */
function withDescendants(all: Proc[], roots: Proc[]): Proc[] {
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

/**
 * pids of every process of the session that mounts cargo `cargoId` (the
 * sandbox itself, the ship, the kernel, user processes), wherever they were
 * reparented to.
 */
export function sessionPids(bay: E2EBay, cargoId: string): number[] {
  return sessionProcesses(bay, cargoId).map((p) => p.pid);
}

/** Command lines of every process of every session on cargo `cargoId`. */
export function sessionCommands(bay: E2EBay, cargoId: string): string[] {
  return sessionProcesses(bay, cargoId).map((p) => p.cmdline.trim());
}

function sessionProcesses(bay: E2EBay, cargoId: string): Proc[] {
  if (bay.driver !== "local") unsupported(bay, "sessionProcesses");
  const all = processes();
  const marker = join(bay.dataDir, "cargos", cargoId) + " ";
  const roots = all.filter((p) => p.cmdline.includes("bwrap") && p.cmdline.includes(marker));
  return withDescendants(all, roots).sort((a, b) => a.pid - b.pid);
}

/** pid of the ship process serving the sandbox on cargo `cargoId` (exactly one expected). */
export function shipPids(bay: E2EBay, cargoId: string): number[] {
  if (bay.driver !== "local") unsupported(bay, "shipPids");
  const all = processes();
  const mine = new Set(sessionPids(bay, cargoId));
  return all
    .filter((p) => mine.has(p.pid) && / \S*ship\/main\.ts( |$)/.test(p.cmdline))
    .filter((p) => !p.cmdline.includes("bwrap"))
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
  if (bay.driver !== "local") unsupported(bay, "cargoStorageExists");
  try {
    return (await Deno.stat(join(bay.dataDir, "cargos", cargoId))).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** SIGKILL leftovers of a session (cleanup after a failed assertion). */
export function killSession(bay: E2EBay, cargoId: string): void {
  for (const pid of sessionPids(bay, cargoId)) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
}

/**
 * SIGKILL every live process whose command line mentions `text` (a data
 * dir: the sandboxes of a Bay that is gone) and their descendants; returns
 * a description of each.
 */
export async function killProcessesMentioning(text: string): Promise<string[]> {
  const found = new Map<number, string>();
  for (let round = 0; round < 3; round++) {
    const all = processes();
    const roots = all.filter((p) => p.cmdline.includes(text) && p.pid !== Deno.pid);
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
