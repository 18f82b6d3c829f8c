/**
 * Python and shell execution through a sandbox's ship, with one history row
 * per exec that produced a result.
 *
 * @module
 */
import { checkRelativePath, describePathReason } from "@shipyard/ship/paths";
import { type Event, PythonExecResult, ShellExecResult } from "@shipyard/ship/protocol";
import { BayError } from "../errors.ts";
import type { Db } from "../store/db.ts";
import { insertExecution, normalizeTags } from "../store/executions.ts";
import { newId } from "./ids.ts";
import type { Metrics } from "./metrics.ts";
import type { SandboxService } from "./sandboxes.ts";
import { shipResult } from "./_ship_result.ts";

/** Options of one exec. */
export interface ExecOptions {
  onEvent?: (ev: Event) => void;
  signal?: AbortSignal;
  /** Called once the session is acquired and the exec is sent. */
  onStarted?: () => void;
}

/** Body of a python exec. */
export interface PythonExecInput {
  code: string;
  timeout: number;
  include_code: boolean;
  description?: string | null;
  tags?: string | string[] | null;
}

/** Body of a shell exec. */
export interface ShellExecInput {
  command: string;
  timeout: number;
  cwd?: string | null;
  env?: Record<string, string> | null;
  include_code: boolean;
  description?: string | null;
  tags?: string | string[] | null;
}

/** Runs code in sandboxes. */
export class ExecService {
  #db: Db;
  #sandboxes: SandboxService;

  #metrics?: Metrics;

  constructor(db: Db, sandboxes: SandboxService, metrics?: Metrics) {
    this.#db = db;
    this.#sandboxes = sandboxes;
    this.#metrics = metrics;
  }

  /** Run Python in the sandbox's kernel. */
  async python(owner: string, id: string, input: PythonExecInput, opts: ExecOptions = {}) {
    const { sandbox, ship, sessionId, release } = await this.#sandboxes.acquire(
      owner,
      id,
      "python",
    );
    const t0 = performance.now();
    opts.onStarted?.();
    const raw = await ship.call(
      {
        op: "python_exec",
        code: input.code,
        timeout_ms: input.timeout * 1000,
        stream: !!opts.onEvent,
      },
      opts,
    ).finally(release);
    const r = shipResult(PythonExecResult, raw);
    const ms = Math.round(performance.now() - t0);
    this.#metrics?.execDuration.observe({ type: "python", success: String(r.success) }, ms / 1000);
    const executionId = await this.#record(owner, sandbox.id, sessionId, "python", input.code, {
      success: r.success,
      ms,
      output: r.output,
      error: r.error,
      description: input.description,
      tags: input.tags,
    });
    await this.#sandboxes.touch(sandbox).catch(() => {});
    return {
      success: r.success,
      output: r.output,
      error: r.error,
      data: {
        execution_count: r.execution_count,
        output: { text: r.output, images: r.images.map((b64) => ({ "image/png": b64 })) },
        outputs: r.outputs,
      },
      execution_id: executionId,
      execution_time_ms: ms,
      code: input.include_code ? input.code : null,
    };
  }

  /** Run a shell command as the sandbox user. */
  async shell(owner: string, id: string, input: ShellExecInput, opts: ExecOptions = {}) {
    let cwd: string | undefined;
    if (input.cwd != null) {
      const check = checkRelativePath(input.cwd);
      if (!check.ok) {
        throw new BayError("invalid_path", `cwd: ${describePathReason(check.reason)}`, {
          field: "cwd",
          reason: check.reason,
        });
      }
      cwd = check.normalized;
    }
    const { sandbox, ship, sessionId, release } = await this.#sandboxes.acquire(
      owner,
      id,
      "shell",
    );
    const t0 = performance.now();
    opts.onStarted?.();
    const raw = await ship.call({
      op: "shell_exec",
      command: input.command,
      cwd,
      env: input.env ?? undefined,
      timeout_ms: input.timeout * 1000,
      stream: !!opts.onEvent,
    }, opts).finally(release);
    const r = shipResult(ShellExecResult, raw);
    const ms = Math.round(performance.now() - t0);
    this.#metrics?.execDuration.observe(
      { type: "shell", success: String(r.exit_code === 0 && !r.timed_out) },
      ms / 1000,
    );
    const error = r.timed_out
      ? `${r.stderr}${r.stderr ? "\n" : ""}Command timed out after ${input.timeout} seconds`
      : r.stderr || null;
    const success = r.exit_code === 0 && !r.timed_out;
    const executionId = await this.#record(owner, sandbox.id, sessionId, "shell", input.command, {
      success,
      ms,
      output: r.stdout,
      error,
      description: input.description,
      tags: input.tags,
    });
    await this.#sandboxes.touch(sandbox).catch(() => {});
    return {
      success,
      output: r.stdout,
      error,
      exit_code: r.timed_out ? -1 : r.exit_code,
      execution_id: executionId,
      execution_time_ms: ms,
      command: input.include_code ? input.command : null,
    };
  }

  /** Interrupt or restart the sandbox's kernel. */
  async kernel(owner: string, id: string, action: "interrupt" | "restart"): Promise<void> {
    const { sandbox, ship, release } = await this.#sandboxes.acquire(owner, id, "python");
    await ship.call({ op: action === "interrupt" ? "python_interrupt" : "python_restart" })
      .finally(release);
    await this.#sandboxes.touch(sandbox).catch(() => {});
  }

  async #record(
    owner: string,
    sandboxId: string,
    sessionId: string,
    type: "python" | "shell",
    code: string,
    r: {
      success: boolean;
      ms: number;
      output: string;
      error: string | null;
      description?: string | null;
      tags?: string | string[] | null;
    },
  ): Promise<string> {
    const id = newId("execution");
    await insertExecution(this.#db, {
      id,
      owner,
      sandbox_id: sandboxId,
      session_id: sessionId,
      exec_type: type,
      code,
      success: r.success,
      execution_time_ms: r.ms,
      output: r.output,
      error: r.error,
      description: r.description ?? null,
      tags: normalizeTags(r.tags),
    });
    return id;
  }
}
