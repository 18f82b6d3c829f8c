/**
 * Python in a sandbox's stateful IPython kernel.
 *
 * @module
 */
import { execTimeoutSeconds, runExec, type StreamCallbacks } from "./_exec.ts";
import type { CallOptions, Transport } from "./_http.ts";
import type { PythonExecResult, StatusResult } from "./types.ts";

/**
 * Options of {@link Python.exec}.
 *
 * @example
 * ```ts
 * const o: PythonExecOptions = { execTimeoutMs: 60_000, tags: ["etl"], onStdout: (t) => console.log(t) };
 * ```
 */
export interface PythonExecOptions extends StreamCallbacks, CallOptions {
  /**
   * Limit for the code's run time (ms, rounded up to whole seconds, 1–300 s;
   * Bay's default 30 s). The kernel is interrupted when it passes.
   */
  execTimeoutMs?: number;
  /** Echo the code back in the result's `code`. */
  includeCode?: boolean;
  /** Recorded with the history entry. */
  description?: string;
  /** Recorded with the history entry (a comma list or an array). */
  tags?: string | string[];
}

/**
 * `sandbox.python`: run code, interrupt it, restart the kernel. Variables and
 * imports persist across calls within a session; the cwd is `/workspace`.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "@shipyard/sdk";
 * async function demo(sb: Sandbox) {
 *   await sb.python.exec("import math; x = math.pi");
 *   const r = await sb.python.exec("print(round(x, 2))", {
 *     onStdout: (text) => console.log("live:", text),
 *   });
 *   console.log(r.success, r.output); // true "3.14\n"
 * }
 * ```
 */
export class Python {
  readonly #t: Transport;
  readonly #id: string;

  constructor(transport: Transport, sandboxId: string) {
    this.#t = transport;
    this.#id = sandboxId;
  }

  /**
   * Run `code`. A raised exception is not thrown: the result has
   * `success: false` and the traceback in `error`. With `onStdout`,
   * `onStderr` or `onDisplay`, output is delivered as it is produced.
   * Never retried. Aborting the signal cancels the run (the kernel is
   * interrupted). `timeoutMs` bounds the HTTP call (default: the exec limit
   * plus 30 s).
   */
  exec(code: string, opts: PythonExecOptions = {}): Promise<PythonExecResult> {
    return runExec<PythonExecResult>(
      this.#t,
      "pythonExec",
      this.#id,
      {
        code,
        timeout: execTimeoutSeconds(opts.execTimeoutMs),
        include_code: opts.includeCode,
        description: opts.description,
        tags: opts.tags,
      },
      opts,
      opts,
    );
  }

  /** Interrupt the code running in the kernel (its state is kept). */
  interrupt(opts: CallOptions = {}): Promise<StatusResult> {
    return this.#t.json({ route: "pythonInterrupt", params: { id: this.#id } }, opts);
  }

  /** Restart the kernel: every variable and import is gone. */
  restart(opts: CallOptions = {}): Promise<StatusResult> {
    return this.#t.json({ route: "pythonRestart", params: { id: this.#id } }, opts);
  }
}
