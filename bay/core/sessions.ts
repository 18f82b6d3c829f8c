/**
 * Session lifecycle: start compute on demand (concurrent callers share one
 * start), reattach ships after a reconnect, replace dead sessions, stop.
 *
 * @module
 */
import type { Capability, Config, Profile } from "../config/schema.ts";
import type { Driver } from "../drivers/driver.ts";
import { BayError, notFound } from "../errors.ts";
import type { ShipConnection } from "../ship_hub/connection.ts";
import type { ShipHub } from "../ship_hub/hub.ts";
import type { Db } from "../store/db.ts";
import { getCargo } from "../store/cargos.ts";
import type { SandboxRow } from "../store/rows.ts";
import { updateSandbox } from "../store/sandboxes.ts";
import { endSession, getSession, insertSession, markReady, setRuntime } from "../store/sessions.ts";
import { hashKey } from "./auth.ts";
import { newId, randomHex } from "./ids.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import { defaultStartLimit, StartCancelled, StartQueue } from "./start_queue.ts";
import { awaitKernel, watchStart } from "./_start_watch.ts";

/** What the session manager needs. */
export interface SessionDeps {
  config: Config;
  db: Db;
  driver: Driver;
  hub: ShipHub;
  log: Logger;
  instanceId: string;
  /** Host path of the ship socket, when Bay serves one. */
  shipSocketPath?: string;
  /** URL ships dial when there is no socket. */
  shipUrl?: string;
  metrics?: Metrics;
}

/** Options of {@link SessionManager.ensure}. */
export interface EnsureOptions {
  /**
   * The capability of the call that needs the session. A start for anything but `python` does
   * not boot the kernel eagerly (it starts on first use); unset keeps the profile's default.
   */
  capability?: Capability;
}

/** Starts, finds and stops sessions. */
export class SessionManager {
  #d: SessionDeps;
  #starting = new Map<string, Promise<ShipConnection>>();
  #inflight = new Map<string, number>();
  /** Bounds the starts running at once (`maxConcurrentStarts`). */
  readonly startQueue: StartQueue;

  constructor(deps: SessionDeps) {
    this.#d = deps;
    this.startQueue = new StartQueue(
      deps.config.maxConcurrentStarts ??
        defaultStartLimit(deps.driver.name, navigator.hardwareConcurrency),
    );
  }

  /** Count a call in flight on `sandboxId`; returns its release. GC skips busy sandboxes. */
  track(sandboxId: string): () => void {
    this.#inflight.set(sandboxId, (this.#inflight.get(sandboxId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.#inflight.get(sandboxId) ?? 1) - 1;
      if (n <= 0) this.#inflight.delete(sandboxId);
      else this.#inflight.set(sandboxId, n);
    };
  }

  /** True while a call is in flight on the sandbox (or its session is starting). */
  busy(sandboxId: string): boolean {
    return (this.#inflight.get(sandboxId) ?? 0) > 0 || this.#starting.has(sandboxId);
  }

  /** The live ship of `sandbox`, starting a session when there is none. */
  ensure(sandbox: SandboxRow, profile: Profile, opts: EnsureOptions = {}): Promise<ShipConnection> {
    const inflight = this.#starting.get(sandbox.id);
    if (inflight) return inflight;
    const p = this.#ensure(sandbox, profile, opts).finally(() => this.#starting.delete(sandbox.id));
    this.#starting.set(sandbox.id, p);
    return p;
  }

  async #ensure(
    sandbox: SandboxRow,
    profile: Profile,
    opts: EnsureOptions,
  ): Promise<ShipConnection> {
    const { db, hub, driver, config } = this.#d;
    const sid = sandbox.current_session_id;
    if (sid) {
      const live = hub.get(sid);
      if (live) return live;
      const s = await getSession(db, sid);
      if (
        s && s.instance_id && s.instance_id !== this.#d.instanceId &&
        await this.#alive(s.instance_id)
      ) {
        // Another live replica holds this session; never take it over.
        throw new BayError("session_not_ready", "the session is held by another Bay replica", {
          sandbox_id: sandbox.id,
          retry_after_ms: 500,
        });
      }
      if (s && (s.status === "ready" || s.status === "starting") && s.runtime_id) {
        const info = await driver.inspect(s.runtime_id).catch(() => null);
        if (info?.state === "running") {
          // The ship may be reconnecting (channel cut, Bay restart): give it the heartbeat deadline.
          const watch = watchStart(this.#d, sid, s.runtime_id);
          try {
            // Long enough for a ship's reconnect backoff (capped at 5 s) after a Bay restart.
            return await hub.waitFor(sid, Math.max(this.#d.config.heartbeatTimeoutMs, 6_000));
          } catch {
            /* fall through: replace it */
          } finally {
            watch.stop();
          }
        }
        await this.#end(sid, s.runtime_id, "failed", info?.reason ?? "runtime gone");
      } else if (s && (s.status === "ready" || s.status === "starting")) {
        await this.#end(sid, s.runtime_id, "failed", "runtime never started");
      }
    }
    // Wait for a start slot before anything is recorded: a queued start leaves no trace.
    const release = await this.startQueue.acquire(config.sessionStartTimeoutMs, sandbox.id)
      .catch((e) => this.#cancelled(sandbox.id, e));
    try {
      return await this.#start(sandbox, profile, opts);
    } finally {
      release();
    }
  }

  /** A queued start was cancelled (stop, delete): say which, or rethrow anything else. */
  async #cancelled(sandboxId: string, e: unknown): Promise<never> {
    if (!(e instanceof StartCancelled)) throw e;
    const [row] = await this.#d.db.query<{ deleted_at: Date | null }>(
      `SELECT deleted_at FROM sandboxes WHERE id = $1`,
      [sandboxId],
    );
    if (!row || row.deleted_at) throw notFound("sandbox", sandboxId);
    throw new BayError("session_not_ready", "the sandbox was stopped before its session started", {
      sandbox_id: sandboxId,
      retry_after_ms: 0,
    });
  }

  async #start(
    sandbox: SandboxRow,
    profile: Profile,
    opts: EnsureOptions,
  ): Promise<ShipConnection> {
    const { db, hub, driver, config, log } = this.#d;
    const sessionId = newId("session");
    const token = randomHex(32);
    await db.transaction(async (tx) => {
      const [cur] = await tx.query<{ current_session_id: string | null; deleted_at: Date | null }>(
        `SELECT current_session_id, deleted_at FROM sandboxes WHERE id = $1 FOR UPDATE`,
        [sandbox.id],
      );
      // Deleted after the caller read it (a DELETE raced this call): start nothing, or its
      // runtime and a recreated cargo would outlive the sandbox.
      if (!cur || cur.deleted_at) throw notFound("sandbox", sandbox.id);
      if (cur.current_session_id && cur.current_session_id !== sandbox.current_session_id) {
        const other = await getSession(tx, cur.current_session_id);
        if (other && (other.status === "starting" || other.status === "ready")) {
          throw new BayError("session_not_ready", "another replica is starting this session", {
            sandbox_id: sandbox.id,
            retry_after_ms: 500,
          });
        }
      }
      await insertSession(tx, {
        id: sessionId,
        sandbox_id: sandbox.id,
        driver: driver.name,
        token_hash: await hashKey(token),
        instance_id: this.#d.instanceId,
      });
      await updateSandbox(tx, sandbox.id, { current_session_id: sessionId });
    });
    const cargo = await getCargo(db, sandbox.owner, sandbox.cargo_id);
    const eager = opts.capability === "python" && profile.capabilities.includes("python");
    const started = Date.now();
    let runtimeId: string | null = null;
    try {
      await driver.ensureCargo({
        id: sandbox.cargo_id,
        owner: sandbox.owner,
        sizeLimitMb: cargo?.size_limit_mb ?? 1024,
      });
      const waiting = hub.waitFor(sessionId, config.sessionStartTimeoutMs);
      waiting.catch(() => {});
      const r = await driver.startSession({
        sessionId,
        sandboxId: sandbox.id,
        owner: sandbox.owner,
        cargoId: sandbox.cargo_id,
        cargoSizeLimitMb: cargo?.size_limit_mb ?? 1024,
        profile,
        channel: { socketPath: this.#d.shipSocketPath, url: this.#d.shipUrl, token },
        instanceId: this.#d.instanceId,
        eagerKernel: opts.capability ? eager : undefined,
      });
      runtimeId = r.runtimeId;
      await setRuntime(db, sessionId, runtimeId);
      const watch = watchStart(this.#d, sessionId, runtimeId);
      const conn = await waiting.finally(() => watch.stop());
      await markReady(db, sessionId, this.#d.instanceId);
      this.#d.metrics?.sessionStart.observe(
        { driver: driver.name, outcome: "ready" },
        (Date.now() - started) / 1000,
      );
      log.info("session ready", {
        sandbox_id: sandbox.id,
        session_id: sessionId,
        start_ms: Date.now() - started,
      });
      // A Python call's start holds its slot until the kernel is up too (failures are the
      // call's to report): a burst then boots a bounded number of kernels at a time.
      if (eager) await awaitKernel(conn, started + config.sessionStartTimeoutMs - Date.now());
      return conn;
    } catch (e) {
      if (e instanceof BayError && e.code === "session_not_ready" && e.details?.held_by) {
        throw e; // started fine; another replica holds it (the retry is forwarded there)
      }
      const reason = e instanceof Error ? e.message : String(e);
      this.#d.metrics?.sessionStart.observe(
        { driver: driver.name, outcome: "failed" },
        (Date.now() - started) / 1000,
      );
      log.warn("session start failed", { sandbox_id: sandbox.id, session_id: sessionId, reason });
      await this.#end(sessionId, runtimeId, "failed", reason);
      if (e instanceof BayError) throw e;
      throw new BayError("ship_error", `session start failed: ${reason}`);
    }
  }

  async #end(
    sessionId: string,
    runtimeId: string | null,
    status: "failed" | "stopped",
    reason: string | null,
  ): Promise<void> {
    this.#d.hub.disconnect(sessionId, status === "stopped" ? "session stopped" : "session failed");
    if (runtimeId) await this.#d.driver.stopSession(runtimeId).catch(() => {});
    await endSession(this.#d.db, sessionId, status, reason);
    await this.#d.db.query(
      `UPDATE sandboxes SET current_session_id = NULL WHERE current_session_id = $1`,
      [sessionId],
    );
  }

  /** True when replica `id` has a fresh heartbeat. */
  async #alive(id: string): Promise<boolean> {
    const rows = await this.#d.db.query(
      `SELECT 1 FROM instances WHERE id = $1 AND seen_at > now() - ($2 || ' milliseconds')::interval`,
      [id, String(this.#d.config.heartbeatTimeoutMs)],
    );
    return rows.length > 0;
  }

  /**
   * Stop the sandbox's session if any (files stay). With `unlessBusy` (GC), nothing is
   * stopped when a call is in flight at the last moment; returns whether it stopped one.
   */
  async stop(sandbox: SandboxRow, opts: { unlessBusy?: boolean } = {}): Promise<boolean> {
    // A start still waiting for a slot has created nothing yet: cancel it instead of waiting.
    if (!opts.unlessBusy) this.startQueue.cancel(sandbox.id);
    await this.#starting.get(sandbox.id)?.catch(() => {});
    const sid = sandbox.current_session_id ??
      (await this.#d.db.query<{ current_session_id: string | null }>(
        `SELECT current_session_id FROM sandboxes WHERE id = $1`,
        [sandbox.id],
      ))[0]?.current_session_id;
    if (!sid) return false;
    const s = await getSession(this.#d.db, sid);
    // Checked in the same tick as #end's disconnect: a call that arrived meanwhile keeps it.
    if (opts.unlessBusy && this.busy(sandbox.id)) return false;
    await this.#end(sid, s?.runtime_id ?? null, "stopped", null);
    return true;
  }

  /** A ship went away: pending calls already failed; the session stays for a reconnect. */
  onDetach(sessionId: string, reason: string): void {
    this.#d.log.warn("ship detached", { session_id: sessionId, reason });
  }
}
