/**
 * Small process helpers shared by background processes and terminals.
 *
 * @module
 */
import { ShipError } from "./errors.ts";

let setsid: string | undefined;
/** Absolute path of `setsid`, so a PATH from the profile cannot hide it. */
export function setsidPath(): string {
  if (setsid === undefined) {
    const found = ["/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
    setsid = found ?? "setsid";
  }
  return setsid;
}

/** Send `signal` to process group `pgid`; false when the group is gone (ESRCH). */
export function signalGroup(pgid: number, signal: Deno.Signal): boolean {
  try {
    Deno.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Whether `p` settles within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** `prefix` followed by 12 random lowercase hex digits. */
export function randomId(prefix: string): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return prefix + Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** Current time, ISO-8601 UTC with `Z`. */
export function nowIso(): string {
  return new Date().toISOString();
}

/** Signals `proc_kill` accepts. */
export const KILL_SIGNALS = [
  "SIGTERM",
  "SIGKILL",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGSTOP",
  "SIGCONT",
] as const satisfies readonly Deno.Signal[];

/** A signal `proc_kill` accepts. */
export type KillSignal = typeof KILL_SIGNALS[number];

/**
 * Validate a signal name: `SIGTERM`, `TERM` and `sigterm` are all accepted.
 *
 * @throws ShipError `validation_error` for anything not in {@link KILL_SIGNALS}
 */
export function parseSignal(name: string): KillSignal {
  const up = name.trim().toUpperCase();
  const full = up.startsWith("SIG") ? up : `SIG${up}`;
  const found = KILL_SIGNALS.find((s) => s === full);
  if (!found) {
    throw new ShipError("validation_error", `unsupported signal: ${name}`, {
      field: "signal",
      allowed: [...KILL_SIGNALS],
    });
  }
  return found;
}
