/**
 * Background processes (API §3.4) through a sandbox's ship: start, list,
 * logs by offset (plain or followed), stdin, kill.
 *
 * @module
 */
import { type Event, ProcessInfo, ProcessLogs } from "@shipyard/ship/protocol";
import { z } from "zod";
import type { ShipConnection } from "../ship_hub/connection.ts";
import { checkPath } from "./files.ts";
import type { SandboxService } from "./sandboxes.ts";
import { shipResult } from "./_ship_result.ts";

/** Background processes of sandboxes. */
export class ProcessService {
  #s: SandboxService;

  constructor(sandboxes: SandboxService) {
    this.#s = sandboxes;
  }

  async #with<T>(owner: string, id: string, fn: (ship: ShipConnection) => Promise<T>): Promise<T> {
    const { ship, release } = await this.#s.acquire(owner, id, "shell");
    try {
      return await fn(ship);
    } finally {
      release();
    }
  }

  /** Start a process. */
  async start(
    owner: string,
    id: string,
    input: { command: string; cwd?: string | null; env?: Record<string, string> | null },
  ): Promise<ProcessInfo> {
    const cwd = input.cwd == null ? undefined : checkPath(input.cwd, "cwd");
    return await this.#with(owner, id, async (ship) =>
      shipResult(
        ProcessInfo,
        await ship.call({
          op: "proc_start",
          command: input.command,
          cwd,
          env: input.env ?? undefined,
        }),
      ));
  }

  /** Every process of the sandbox's current session. */
  async list(owner: string, id: string): Promise<{ items: ProcessInfo[] }> {
    return await this.#with(
      owner,
      id,
      async (ship) =>
        shipResult(z.object({ items: z.array(ProcessInfo) }), await ship.call({ op: "proc_list" })),
    );
  }

  /** One process. */
  async get(owner: string, id: string, processId: string): Promise<ProcessInfo> {
    return await this.#with(
      owner,
      id,
      async (ship) =>
        shipResult(ProcessInfo, await ship.call({ op: "proc_get", process_id: processId })),
    );
  }

  /** Output after `offset`. */
  async logs(owner: string, id: string, processId: string, offset: number): Promise<ProcessLogs> {
    return await this.#with(owner, id, async (ship) =>
      shipResult(
        ProcessLogs,
        await ship.call({ op: "proc_logs", process_id: processId, offset, follow: false }),
      ));
  }

  /** Follow output from `offset` until the process ends; resolves with its exit code. */
  async follow(
    owner: string,
    id: string,
    processId: string,
    offset: number,
    opts: { onEvent: (ev: Event) => void; signal: AbortSignal; onStarted: () => void },
  ): Promise<{ exit_code: number | null }> {
    return await this.#with(owner, id, async (ship) => {
      // Fail fast (404) before the stream starts when the process is unknown.
      await ship.call({ op: "proc_get", process_id: processId });
      opts.onStarted();
      return shipResult(
        z.object({ exit_code: z.number().int().nullable() }),
        await ship.call(
          { op: "proc_logs", process_id: processId, offset, follow: true },
          { onEvent: opts.onEvent, signal: opts.signal },
        ),
      );
    });
  }

  /** Write to the process's stdin. */
  async stdin(owner: string, id: string, processId: string, data: string): Promise<void> {
    await this.#with(
      owner,
      id,
      (ship) => ship.call({ op: "proc_stdin", process_id: processId, data }),
    );
  }

  /** Send a signal to the process group. */
  async kill(owner: string, id: string, processId: string, signal: string): Promise<ProcessInfo> {
    return await this.#with(
      owner,
      id,
      async (ship) =>
        shipResult(
          ProcessInfo,
          await ship.call({ op: "proc_kill", process_id: processId, signal }),
        ),
    );
  }
}
