/**
 * Garbage collection: idle sessions, expired sandboxes, orphan cargos and
 * orphan runtimes. Every item is rechecked under the sandbox's row lock, a
 * session with an exec in flight is never reclaimed, and a lease in the
 * store lets only one Bay replica run GC at a time.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { Driver } from "../drivers/driver.ts";
import { BayError } from "../errors.ts";
import type { Db } from "../store/db.ts";
import type { SandboxRow } from "../store/rows.ts";
import { endSession } from "../store/sessions.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { SandboxService } from "./sandboxes.ts";
import type { SessionManager } from "./sessions.ts";
import type { ShipHub } from "../ship_hub/hub.ts";

/**
 * GC task names, in the order a run takes them: runtimes before cargos, so a
 * cargo whose orphan runtime still mounts it goes in the same run (Docker
 * refuses to remove a volume in use).
 */
export const GC_TASKS = [
  "idle_session",
  "expired_sandbox",
  "orphan_runtime",
  "orphan_cargo",
] as const;
/** A GC task name. */
export type GcTask = (typeof GC_TASKS)[number];

/** Result of one task. */
export interface GcTaskResult {
  task_name: GcTask;
  cleaned_count: number;
  skipped_count: number;
  errors: string[];
}

/** What GC needs. */
export interface GcDeps {
  config: Config;
  db: Db;
  driver: Driver;
  sandboxes: SandboxService;
  sessions: SessionManager;
  hub: ShipHub;
  log: Logger;
  instanceId: string;
  metrics?: Metrics;
}

/** Runs GC on a schedule and on demand. */
export class GarbageCollector {
  #d: GcDeps;
  #running = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(deps: GcDeps) {
    this.#d = deps;
  }

  /** Start the schedule (when enabled). */
  start(): void {
    if (!this.#d.config.gcEnabled) return;
    this.#timer = setInterval(() => {
      this.run().catch((e) => {
        if (!(e instanceof BayError && e.code === "locked")) {
          this.#d.log.warn("gc run failed", { error: String(e) });
        }
      });
    }, this.#d.config.gcIntervalMs);
  }

  /** Stop the schedule. */
  stop(): void {
    clearInterval(this.#timer);
  }

  /** The status object of `GET /v1/admin/gc/status`. */
  status() {
    return {
      enabled: this.#d.config.gcEnabled,
      is_running: this.#running,
      instance_id: this.#d.instanceId,
      interval_seconds: Math.round(this.#d.config.gcIntervalMs / 1000),
      tasks: Object.fromEntries(GC_TASKS.map((t) => [t, { enabled: true }])),
    };
  }

  async #lease(ms: number): Promise<boolean> {
    const rows = await this.#d.db.query(
      `UPDATE gc_lease SET holder = $1, held_until = now() + ($2 || ' milliseconds')::interval
       WHERE id = 1 AND (held_until < now() OR holder = $1) RETURNING id`,
      [this.#d.instanceId, String(ms)],
    );
    return rows.length > 0;
  }

  /** Run the named tasks (all when omitted); 423 `locked` while a run is in progress. */
  async run(tasks?: GcTask[] | null) {
    if (this.#running) throw new BayError("locked", "a GC run is already in progress");
    this.#running = true;
    const t0 = performance.now();
    try {
      if (!(await this.#lease(10 * 60_000))) {
        throw new BayError("locked", "another Bay instance is running GC");
      }
      const results: GcTaskResult[] = [];
      for (const name of GC_TASKS.filter((t) => !tasks || tasks.includes(t))) {
        const r = await this.#task(name);
        this.#d.metrics?.gcCleaned.inc({ task: name }, r.cleaned_count);
        this.#d.metrics?.gcErrors.inc({ task: name }, r.errors.length);
        results.push(r);
      }
      await this.#d.db.query(
        `UPDATE gc_lease SET held_until = 'epoch' WHERE id = 1 AND holder = $1`,
        [this.#d.instanceId],
      );
      return {
        results,
        total_cleaned: results.reduce((n, r) => n + r.cleaned_count, 0),
        total_errors: results.reduce((n, r) => n + r.errors.length, 0),
        duration_ms: Math.round(performance.now() - t0),
      };
    } finally {
      this.#running = false;
    }
  }

  /** A running background process counts as activity. */
  async #hasRunningProcesses(row: SandboxRow): Promise<boolean> {
    const ship = row.current_session_id ? this.#d.hub.get(row.current_session_id) : undefined;
    if (!ship) return false;
    try {
      const r = await ship.call({ op: "proc_list" }) as { items?: { status?: string }[] };
      return (r.items ?? []).some((p) => p.status === "running");
    } catch {
      return false;
    }
  }

  async #task(name: GcTask): Promise<GcTaskResult> {
    const r: GcTaskResult = { task_name: name, cleaned_count: 0, skipped_count: 0, errors: [] };
    const step = async (label: string, fn: () => Promise<"cleaned" | "skipped">) => {
      try {
        r[(await fn()) === "cleaned" ? "cleaned_count" : "skipped_count"]++;
      } catch (e) {
        r.errors.push(`${label}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    const { db, driver, sessions, sandboxes } = this.#d;
    if (name === "idle_session") {
      const rows = await db.query<SandboxRow>(
        `SELECT * FROM sandboxes WHERE deleted_at IS NULL AND current_session_id IS NOT NULL
           AND idle_expires_at < now()`,
      );
      for (const row of rows) {
        await step(row.id, async () => {
          if (sessions.busy(row.id)) return "skipped";
          const fresh = await db.query<SandboxRow>(
            `SELECT * FROM sandboxes WHERE id = $1 AND deleted_at IS NULL
               AND current_session_id IS NOT NULL AND idle_expires_at < now()`,
            [row.id],
          );
          if (fresh.length === 0) return "skipped";
          if (await this.#hasRunningProcesses(fresh[0])) {
            await sandboxes.touch(fresh[0]);
            return "skipped";
          }
          // An exec may have arrived during the checks above: stop only if still idle.
          return (await sessions.stop(fresh[0], { unlessBusy: true })) ? "cleaned" : "skipped";
        });
      }
    } else if (name === "expired_sandbox") {
      const rows = await db.query<SandboxRow>(
        `SELECT * FROM sandboxes WHERE deleted_at IS NULL AND expires_at < now()`,
      );
      for (const row of rows) {
        await step(row.id, async () => {
          if (sessions.busy(row.id)) return "skipped";
          await sandboxes.delete(row.owner, row.id);
          return "cleaned";
        });
      }
    } else if (name === "orphan_cargo") {
      const live = new Set(
        (await db.query<{ id: string }>(`SELECT id FROM cargos WHERE deleted_at IS NULL`))
          .map((x) => x.id),
      );
      // Managed cargos whose sandbox is gone (a crash between the two deletes).
      const stale = await db.query<{ id: string }>(
        `SELECT c.id FROM cargos c JOIN sandboxes s ON s.id = c.managed_by_sandbox_id
         WHERE c.managed AND c.deleted_at IS NULL AND s.deleted_at IS NOT NULL`,
      );
      for (const { id } of stale) {
        live.delete(id);
        await db.query(`UPDATE cargos SET deleted_at = now() WHERE id = $1`, [id]);
      }
      for (const id of await driver.listCargos()) {
        if (live.has(id)) continue;
        await step(id, async () => {
          // A cargo created this very moment may not be in the store yet: only
          // storage whose row says deleted, or that the store never knew, goes.
          const row = await db.query<{ deleted_at: Date | null; created_at: Date }>(
            `SELECT deleted_at, created_at FROM cargos WHERE id = $1`,
            [id],
          );
          if (row[0] && !row[0].deleted_at) return "skipped";
          await driver.deleteCargo(id);
          return "cleaned";
        });
      }
    } else if (name === "orphan_runtime") {
      // A Bay that died between marking a sandbox deleted and stopping its session leaves
      // that session live (its ship even reconnects): end it, runtime and all.
      const undead = await db.query<{ id: string; sandbox_id: string; runtime_id: string | null }>(
        `SELECT se.id, se.sandbox_id, se.runtime_id FROM sessions se
           JOIN sandboxes s ON s.id = se.sandbox_id
         WHERE s.deleted_at IS NOT NULL AND se.status IN ('starting', 'ready')`,
      );
      for (const se of undead) {
        await step(se.id, async () => {
          if (sessions.busy(se.sandbox_id)) return "skipped"; // its delete is still running
          this.#d.hub.disconnect(se.id, "sandbox deleted");
          if (se.runtime_id) await driver.stopSession(se.runtime_id);
          await endSession(db, se.id, "stopped");
          return "cleaned";
        });
      }
      const liveSessions = new Set(
        (await db.query<{ id: string }>(
          `SELECT se.id FROM sessions se JOIN sandboxes s ON s.id = se.sandbox_id
           WHERE se.status IN ('starting', 'ready') AND s.deleted_at IS NULL`,
        )).map((x) => x.id),
      );
      for (const rt of await driver.listRuntimes()) {
        if (rt.sessionId && liveSessions.has(rt.sessionId)) continue;
        await step(rt.runtimeId, async () => {
          await driver.stopSession(rt.runtimeId);
          return "cleaned";
        });
      }
    }
    return r;
  }
}
