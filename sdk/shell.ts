/**
 * Shell commands in a sandbox (`bash -lc` as the sandbox user).
 *
 * @module
 */
import { execTimeoutSeconds, runExec, type StreamCallbacks } from "./_exec.ts";
import type { CallOptions, Transport } from "./_http.ts";
import type { ShellExecResult } from "./types.ts";

/**
 * Options of {@link Shell.exec}.
 *
 * @example
 * ```ts
 * const o: ShellExecOptions = { cwd: "src", env: { CI: "1" }, execTimeoutMs: 120_000 };
 * ```
 */
export interface ShellExecOptions extends Omit<StreamCallbacks, "onDisplay">, CallOptions {
  /** Working directory relative to `/workspace`. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /**
   * Limit for the command's run time (ms, rounded up to whole seconds,
   * 1–300 s; Bay's default 30 s). The process group is killed when it passes
   * (`exit_code` -1, output so far kept).
   */
  execTimeoutMs?: number;
  /** Echo the command back in the result's `command`. */
  includeCode?: boolean;
  /** Recorded with the history entry. */
  description?: string;
  /** Recorded with the history entry (a comma list or an array). */
  tags?: string | string[];
}

/**
 * `sandbox.shell`: run a command and get its stdout, stderr and exit code.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "@shipyard/sdk";
 * async function demo(sb: Sandbox) {
 *   const r = await sb.shell.exec("ls -la && echo done >&2", {
 *     onStdout: (t) => console.log(t),
 *     onStderr: (t) => console.error(t),
 *   });
 *   console.log(r.exit_code, r.output, r.error);
 * }
 * ```
 */
export class Shell {
  readonly #t: Transport;
  readonly #id: string;

  constructor(transport: Transport, sandboxId: string) {
    this.#t = transport;
    this.#id = sandboxId;
  }

  /**
   * Run `command`. A non-zero exit is not thrown: look at `exit_code`. With
   * `onStdout`/`onStderr`, output is delivered as it is produced. Never
   * retried; aborting the signal kills the command's process group.
   * `timeoutMs` bounds the HTTP call (default: the exec limit plus 30 s).
   */
  exec(command: string, opts: ShellExecOptions = {}): Promise<ShellExecResult> {
    return runExec<ShellExecResult>(
      this.#t,
      "shellExec",
      this.#id,
      {
        command,
        timeout: execTimeoutSeconds(opts.execTimeoutMs),
        cwd: opts.cwd,
        env: opts.env,
        include_code: opts.includeCode,
        description: opts.description,
        tags: opts.tags,
      },
      opts,
      opts,
    );
  }
}
