/**
 * Admin operations (admin keys only): garbage collection status and runs.
 *
 * @module
 */
import type { CallOptions, Transport } from "./_http.ts";
import type { GcRunResult, GcStatus } from "./types.ts";

/**
 * `bay.admin`.
 *
 * @example
 * ```ts
 * import type { BayClient } from "@shipyard/sdk";
 * async function demo(bay: BayClient) {
 *   const s = await bay.admin.gcStatus();
 *   if (!s.is_running) console.log((await bay.admin.gcRun(["idle_session"])).total_cleaned);
 * }
 * ```
 */
export class Admin {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Whether GC is enabled or running, and its tasks. */
  gcStatus(opts: CallOptions = {}): Promise<GcStatus> {
    return this.#t.json({ route: "gcStatus" }, opts);
  }

  /** Run GC now (only `tasks` when given); `LockedError` while a run is in progress. */
  gcRun(tasks: string[] | null = null, opts: CallOptions = {}): Promise<GcRunResult> {
    return this.#t.json({ route: "gcRun", json: { tasks } }, opts);
  }
}
