/**
 * The exec baselines without Bay: an IPython kernel started in the bench
 * process (no bwrap, no ship channel) and `runShell` called directly.
 *
 * @module
 */
import { Kernel } from "../../ship/kernel/kernel.ts";
import { runShell } from "../../ship/shell.ts";

/** The privilege drop the ship puts in front of user commands (ship/handlers.ts). */
const SHIP_WRAP = [
  "setpriv",
  "--reuid=1000",
  "--regid=1000",
  "--clear-groups",
  "--no-new-privs",
  "--",
];

/** Direct exec of the same work the through-Bay calls do. */
export interface Direct {
  /** How long `Kernel.start` took (ms). */
  kernelStartMs: number;
  /** Run `code` on the kernel; returns its output (throws unless successful). */
  python(code: string): Promise<string>;
  /**
   * Run `command` with `runShell`; returns stdout (throws on a non-zero exit).
   * `wrapped` adds the ship's privilege drop (`setpriv` to uid/gid 1000).
   */
  shell(command: string, wrapped?: boolean): Promise<string>;
  close(): Promise<void>;
}

/** Start the kernel (cwd and runtime files in `dir`). */
export async function startDirect(dir: string, python = "/usr/bin/python3"): Promise<Direct> {
  await Deno.mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const kernel = await Kernel.start({ python, cwd: dir, runtimeDir: dir });
  const kernelStartMs = performance.now() - t0;
  return {
    kernelStartMs,
    async python(code) {
      const r = await kernel.execute(code, { timeoutMs: 30_000 });
      if (!r.success) throw new Error(`direct python failed: ${r.error}`);
      return r.output;
    },
    async shell(command, wrapped = false) {
      const r = await runShell({
        command,
        cwd: dir,
        baseEnv: { HOME: dir },
        timeoutMs: 30_000,
        wrap: wrapped ? SHIP_WRAP : undefined,
      });
      if (r.exit_code !== 0) throw new Error(`direct shell exited ${r.exit_code}: ${r.stderr}`);
      return r.stdout;
    },
    close: () => kernel.shutdown(),
  };
}
