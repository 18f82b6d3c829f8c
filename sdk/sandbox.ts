/**
 * A handle on one sandbox: its lifecycle and its capabilities (python,
 * shell, files, processes, history, terminal).
 *
 * @module
 */
import type { CallOptions, Transport } from "./_http.ts";
import { Files } from "./files.ts";
import { History } from "./history.ts";
import { Processes } from "./processes.ts";
import { Python } from "./python.ts";
import { Shell } from "./shell.ts";
import { deadline } from "./_signal.ts";
import { Terminal, type WebSocketConstructor } from "./terminal.ts";
import type { SandboxInfo, StatusResult } from "./types.ts";
import type { TerminalTicket } from "./types_io.ts";

/**
 * Options of {@link Sandbox.openTerminal}.
 *
 * @example
 * ```ts
 * const o: TerminalOptions = { cols: 120, rows: 40 };
 * ```
 */
export interface TerminalOptions extends CallOptions {
  /** Columns (default 80). */
  cols?: number;
  /** Rows (default 24). */
  rows?: number;
}

/**
 * A sandbox. Get one from `bay.createSandbox()` or `bay.getSandbox(id)`.
 *
 * @example
 * ```ts
 * import type { BayClient } from "@shipyard/sdk";
 * async function demo(bay: BayClient) {
 *   const sb = await bay.createSandbox({ ttlSeconds: 3600 });
 *   try {
 *     await sb.python.exec("print(1)");
 *     await sb.shell.exec("ls");
 *     await sb.files.write("a.txt", "hi");
 *     await sb.extendTtl(600);
 *     console.log((await sb.refresh()).status);
 *   } finally {
 *     await sb.delete();
 *   }
 * }
 * ```
 */
export class Sandbox {
  /** The sandbox id (`sandbox-…`). */
  readonly id: string;
  /** Python in the sandbox's kernel. */
  readonly python: Python;
  /** Shell commands. */
  readonly shell: Shell;
  /** Files under `/workspace`. */
  readonly files: Files;
  /** Background processes. */
  readonly processes: Processes;
  /** Execution history. */
  readonly history: History;
  #info: SandboxInfo;
  readonly #t: Transport;
  readonly #ws: WebSocketConstructor | undefined;

  /** Wrap `info` (as Bay returned it); used by `BayClient`. */
  constructor(transport: Transport, info: SandboxInfo, webSocket?: WebSocketConstructor) {
    this.#t = transport;
    this.#ws = webSocket;
    this.#info = info;
    this.id = info.id;
    this.python = new Python(transport, info.id);
    this.shell = new Shell(transport, info.id);
    this.files = new Files(transport, info.id);
    this.processes = new Processes(transport, info.id);
    this.history = new History(transport, info.id);
  }

  /** What Bay said about the sandbox last (see {@link Sandbox.refresh}). */
  get info(): SandboxInfo {
    return this.#info;
  }

  /** Fetch the sandbox again (status, deadlines, containers). */
  async refresh(opts: CallOptions = {}): Promise<SandboxInfo> {
    this.#info = await this.#t.json({ route: "getSandbox", params: { id: this.id } }, opts);
    return this.#info;
  }

  /**
   * Push `expires_at` to `max(expires_at, now) + seconds`. Retried safely
   * (idempotency key). `SandboxTtlInfiniteError` for a sandbox that never
   * expires, `SandboxExpiredError` once expired.
   */
  async extendTtl(
    seconds: number,
    opts: CallOptions & { idempotencyKey?: string } = {},
  ): Promise<SandboxInfo> {
    this.#info = await this.#t.json({
      route: "extendTtl",
      params: { id: this.id },
      json: { extend_by: seconds },
      idempotencyKey: opts.idempotencyKey ?? crypto.randomUUID(),
    }, opts);
    return this.#info;
  }

  /** Push the idle deadline forward (never starts compute). */
  keepalive(opts: CallOptions = {}): Promise<StatusResult> {
    return this.#t.json({ route: "keepalive", params: { id: this.id } }, opts);
  }

  /** Stop the session (kernel, processes); files stay, the next call starts a new one. */
  stop(opts: CallOptions = {}): Promise<StatusResult> {
    return this.#t.json({ route: "stopSandbox", params: { id: this.id } }, opts);
  }

  /** Delete the sandbox and its managed cargo (idempotent). */
  async delete(opts: CallOptions = {}): Promise<void> {
    await this.#t.json({ route: "deleteSandbox", params: { id: this.id } }, opts);
  }

  /** A single-use ticket for opening the terminal WebSocket (e.g. from a browser). */
  terminalTicket(opts: CallOptions = {}): Promise<TerminalTicket> {
    return this.#t.json({ route: "terminalTicket", params: { id: this.id } }, opts);
  }

  /**
   * Open an interactive terminal (a login shell on a PTY). Uses the global
   * `WebSocket`, or the client's `WebSocket` option (e.g. `ws` on Node 20).
   * `timeoutMs` and the signal bound the opening only.
   */
  async openTerminal(opts: TerminalOptions = {}): Promise<Terminal> {
    const WS = this.#ws ??
      (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) {
      throw new TypeError("no WebSocket in this runtime: pass one as BayClient's WebSocket option");
    }
    const dl = deadline(opts.signal, opts.timeoutMs ?? this.#t.config.timeoutMs);
    try {
      const { ticket } = await this.terminalTicket({ signal: dl.signal, timeoutMs: 0 });
      const url = this.#t.url({
        route: "terminal",
        params: { id: this.id },
        query: { cols: opts.cols, rows: opts.rows, ticket },
      }).replace(/^http/, "ws");
      return await Terminal.connect(url, WS, dl.signal);
    } finally {
      dl.dispose();
    }
  }
}
