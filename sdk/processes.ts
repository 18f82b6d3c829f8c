/**
 * Background processes of a sandbox: start, inspect, read or follow their
 * output, write to their stdin, signal them.
 *
 * @module
 */
import { followLogs, type FollowOptions } from "./_follow.ts";
import type { CallOptions, Transport } from "./_http.ts";
import type { StatusResult } from "./types.ts";
import type { ProcessInfo, ProcessLogEvent, ProcessLogs } from "./types_io.ts";

/**
 * Options of {@link Processes.start}.
 *
 * @example
 * ```ts
 * const o: StartProcessOptions = { cwd: "app", env: { PORT: "8000" } };
 * ```
 */
export interface StartProcessOptions extends CallOptions {
  /** Working directory relative to `/workspace`. */
  cwd?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

/**
 * Signals a process can be sent.
 *
 * @example
 * ```ts
 * const s: ProcessSignal = "SIGKILL";
 * ```
 */
export type ProcessSignal =
  | "SIGTERM"
  | "SIGKILL"
  | "SIGINT"
  | "SIGHUP"
  | "SIGQUIT"
  | "SIGUSR1"
  | "SIGUSR2";

/**
 * `sandbox.processes`: long-running commands that outlive a request.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "@shipyard/sdk";
 * async function demo(sb: Sandbox) {
 *   const p = await sb.processes.start("python3 -m http.server 8000");
 *   for await (const ev of sb.processes.follow(p.process_id)) {
 *     if (ev.type === "exit") break;
 *     if (ev.text.includes("Serving")) {
 *       await sb.processes.kill(p.process_id);
 *     }
 *   }
 * }
 * ```
 */
export class Processes {
  readonly #t: Transport;
  readonly #id: string;

  constructor(transport: Transport, sandboxId: string) {
    this.#t = transport;
    this.#id = sandboxId;
  }

  #p(processId: string) {
    return { id: this.#id, process_id: processId };
  }

  /** Start `command` (`bash -lc`) in the background. Not retried. */
  start(command: string, opts: StartProcessOptions = {}): Promise<ProcessInfo> {
    return this.#t.json({
      route: "startProcess",
      params: { id: this.#id },
      json: { command, cwd: opts.cwd, env: opts.env },
    }, opts);
  }

  /** Every process of the sandbox's current session. */
  async list(opts: CallOptions = {}): Promise<ProcessInfo[]> {
    const r = await this.#t.json<{ items: ProcessInfo[] }>(
      { route: "listProcesses", params: { id: this.#id } },
      opts,
    );
    return r.items;
  }

  /** One process. */
  get(processId: string, opts: CallOptions = {}): Promise<ProcessInfo> {
    return this.#t.json({ route: "getProcess", params: this.#p(processId) }, opts);
  }

  /** Output after byte `offset` (default 0); continue from `next_offset`. */
  logs(processId: string, opts: CallOptions & { offset?: number } = {}): Promise<ProcessLogs> {
    return this.#t.json({
      route: "processLogs",
      params: this.#p(processId),
      query: { offset: opts.offset ?? 0 },
    }, opts);
  }

  /**
   * Follow the output as it is produced, ending with one `exit` event. A
   * dropped connection is resumed from the last offset without gaps or
   * repeats. Breaking out of the loop stops following (the process runs on).
   */
  follow(processId: string, opts: FollowOptions = {}): AsyncGenerator<ProcessLogEvent> {
    return followLogs(this.#t, this.#id, processId, opts);
  }

  /** Wait for the process to end (following its output) and return its exit code. */
  async wait(processId: string, opts: FollowOptions = {}): Promise<number | null> {
    for await (const ev of this.follow(processId, opts)) {
      if (ev.type === "exit") return ev.exit_code;
    }
    return null;
  }

  /** Write `data` (UTF-8) to the process's stdin. Not retried. */
  stdin(processId: string, data: string, opts: CallOptions = {}): Promise<StatusResult> {
    return this.#t.json(
      { route: "processStdin", params: this.#p(processId), json: { data } },
      opts,
    );
  }

  /** Send `signal` (default SIGTERM) to the process group; returns the process. */
  kill(
    processId: string,
    signal: ProcessSignal = "SIGTERM",
    opts: CallOptions = {},
  ): Promise<ProcessInfo> {
    return this.#t.json({
      route: "killProcess",
      params: this.#p(processId),
      json: { signal },
    }, opts);
  }
}
