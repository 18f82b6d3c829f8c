/**
 * The exec baselines without Bay. The one the targets use is a real ship
 * served by the bench (`_direct_ship.ts`): the same calls Bay sends, sent to
 * the ship directly. For context, two in-process baselines skip the ship too:
 * an IPython kernel started in the bench process (`Kernel.execute`) and
 * `runShell` without the ship's privilege drop.
 *
 * @module
 */
import { join } from "node:path";
import { Kernel } from "../../ship/kernel/kernel.ts";
import { runShell } from "../../ship/shell.ts";
import { type DirectShip, startDirectShip } from "./_direct_ship.ts";

/** Direct exec of the same work the through-Bay calls do. */
export interface Direct {
  /** How long `Kernel.start` took (ms). */
  kernelStartMs: number;
  /** `python_exec` sent to the ship directly; returns its output (throws unless successful). */
  shipPython(code: string): Promise<string>;
  /** `shell_exec` sent to the ship directly; returns stdout (throws on a non-zero exit). */
  shipShell(command: string): Promise<string>;
  /** Run `code` on the in-process kernel; returns its output (throws unless successful). */
  python(code: string): Promise<string>;
  /** Run `command` with `runShell` in process, as root; returns stdout (throws on a non-zero exit). */
  shell(command: string): Promise<string>;
  close(): Promise<void>;
}

/** Start the kernel and the ship (their files in `dir`). */
export async function startDirect(dir: string, python = "/usr/bin/python3"): Promise<Direct> {
  await Deno.mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const kernel = await Kernel.start({ python, cwd: dir, runtimeDir: dir });
  const kernelStartMs = performance.now() - t0;
  let ship: DirectShip;
  try {
    ship = await startDirectShip(join(dir, "ship"));
  } catch (e) {
    await kernel.shutdown();
    throw e;
  }
  return {
    kernelStartMs,
    async shipPython(code) {
      const r = await ship.call({ op: "python_exec", code, timeout_ms: 30_000, stream: false }) as {
        success: boolean;
        output: string;
        error: string | null;
      };
      if (!r.success) throw new Error(`ship python failed: ${r.error}`);
      return r.output;
    },
    async shipShell(command) {
      const r = await ship.call({
        op: "shell_exec",
        command,
        timeout_ms: 30_000,
        stream: false,
      }) as {
        exit_code: number;
        stdout: string;
        stderr: string;
      };
      if (r.exit_code !== 0) throw new Error(`ship shell exited ${r.exit_code}: ${r.stderr}`);
      return r.stdout;
    },
    async python(code) {
      const r = await kernel.execute(code, { timeoutMs: 30_000 });
      if (!r.success) throw new Error(`direct python failed: ${r.error}`);
      return r.output;
    },
    async shell(command) {
      const r = await runShell({ command, cwd: dir, baseEnv: { HOME: dir }, timeoutMs: 30_000 });
      if (r.exit_code !== 0) throw new Error(`direct shell exited ${r.exit_code}: ${r.stderr}`);
      return r.stdout;
    },
    close: async () => {
      await ship.close();
      await kernel.shutdown();
    },
  };
}
