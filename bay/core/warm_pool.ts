/**
 * The warm pool: per profile, N sandboxes with a started session and a fresh
 * managed cargo, owned by the pool (`#pool`, a name no API key can have).
 * `POST /v1/sandboxes` without a cargo claims one under a row lock (owner,
 * TTL and cargo bound at claim time), then the pool refills in the
 * background. Pool members are invisible to listings and GC, and rotated
 * after `warmPoolMaxAgeMs`.
 *
 * @module
 */
import type { Config, Profile } from "../config/schema.ts";
import type { Driver } from "../drivers/driver.ts";
import type { Db } from "../store/db.ts";
import type { SandboxRow } from "../store/rows.ts";
import { newId } from "./ids.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { SessionManager } from "./sessions.ts";

/**
 * Delay of the refill a claim triggers. Starting a runtime and a kernel takes
 * CPU for a second or more; started at once it competes with the claimed
 * sandbox's first exec, the call the pool exists to make fast.
 */
export const REFILL_AFTER_CLAIM_MS = 300;

/** Owner of pooled sandboxes. */
export const POOL_OWNER = "#pool";

/** What the pool needs. */
export interface WarmPoolDeps {
  config: Config;
  db: Db;
  driver: Driver;
  sessions: SessionManager;
  log: Logger;
  metrics?: Metrics;
  /** Delete a sandbox (and its managed cargo) of any owner. */
  deleteSandbox: (owner: string, id: string) => Promise<void>;
  /** This replica's id: {@link WarmPool.drain} removes only the members it holds. */
  instanceId?: string;
}

/** Pre-started sandboxes per profile. */
export class WarmPool {
  #d: WarmPoolDeps;
  #timer: ReturnType<typeof setInterval> | undefined;
  #refilling = new Map<string, Promise<void>>();
  #stopped = false;
  /** Refills scheduled by claims, not yet started. */
  #pending = new Set<ReturnType<typeof setTimeout>>();
  /** Claims served and misses, by profile (for metrics and tests). */
  readonly stats = { claims: 0, misses: 0 };

  constructor(deps: WarmPoolDeps) {
    this.#d = deps;
  }

  /** Profiles with a pool. */
  #pooled(): Profile[] {
    return this.#d.config.profiles.filter((p) => p.warmPoolSize > 0);
  }

  /** Fill the pools now and keep them filled. */
  start(): void {
    if (this.#pooled().length === 0) return;
    const tick = () => {
      for (const p of this.#pooled()) this.refill(p.id).catch(() => {});
    };
    tick();
    this.#timer = setInterval(tick, this.#d.config.warmPoolCheckMs);
  }

  /** Stop refilling (members stay until {@link WarmPool.drain}). */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
  }

  /**
   * Delete the pool members whose sessions this replica holds (graceful shutdown).
   * A member is capacity, not data: left behind, its runtime would idle without a
   * Bay to serve it. The next start refills. Returns how many were deleted.
   */
  async drain(): Promise<number> {
    const rows = await this.#d.db.query<{ id: string }>(
      `SELECT s.id FROM sandboxes s LEFT JOIN sessions se ON se.id = s.current_session_id
       WHERE s.owner = $1 AND s.deleted_at IS NULL
         AND ($2::text IS NULL OR se.instance_id IS NULL OR se.instance_id = $2)`,
      [POOL_OWNER, this.#d.instanceId ?? null],
    );
    await Promise.all(rows.map(({ id }) => this.#d.deleteSandbox(POOL_OWNER, id).catch(() => {})));
    return rows.length;
  }

  /** Wait for running refills (tests). */
  async settle(): Promise<void> {
    await Promise.all([...this.#refilling.values()].map((p) => p.catch(() => {})));
  }

  /**
   * Claim a ready pool member of `profile` for `owner`. Returns the claimed
   * row, or null when the pool is empty (the caller starts cold).
   */
  async claim(owner: string, profile: Profile, expiresAt: Date | null): Promise<SandboxRow | null> {
    if (profile.warmPoolSize === 0) return null;
    const row = await this.#d.db.transaction(async (tx) => {
      const [free] = await tx.query<SandboxRow>(
        `SELECT s.* FROM sandboxes s JOIN sessions se ON se.id = s.current_session_id
         WHERE s.owner = $1 AND s.profile = $2 AND s.deleted_at IS NULL AND se.status = 'ready'
           AND s.warmed_at IS NOT NULL
         ORDER BY s.created_at LIMIT 1 FOR UPDATE OF s SKIP LOCKED`,
        [POOL_OWNER, profile.id],
      );
      if (!free) return null;
      await tx.query(`UPDATE cargos SET owner = $2 WHERE id = $1`, [free.cargo_id, owner]);
      const [claimed] = await tx.query<SandboxRow>(
        `UPDATE sandboxes SET owner = $2, created_at = now(), expires_at = $3,
           idle_expires_at = now() + ($4 || ' milliseconds')::interval
         WHERE id = $1 RETURNING *`,
        [free.id, owner, expiresAt, String(profile.idleTimeoutMs)],
      );
      return claimed;
    });
    if (row) this.stats.claims++;
    else this.stats.misses++;
    (row ? this.#d.metrics?.poolClaims : this.#d.metrics?.poolMisses)?.inc({ profile: profile.id });
    if (!this.#stopped) {
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        if (!this.#stopped) this.refill(profile.id).catch(() => {});
      }, REFILL_AFTER_CLAIM_MS);
      this.#pending.add(timer);
    }
    return row;
  }

  /** Top the pool of `profileId` up to its size (one refill at a time per profile). */
  refill(profileId: string): Promise<void> {
    const running = this.#refilling.get(profileId);
    if (running) return running;
    const p = this.#refill(profileId).finally(() => this.#refilling.delete(profileId));
    this.#refilling.set(profileId, p);
    return p;
  }

  async #refill(profileId: string): Promise<void> {
    const { db, config, log } = this.#d;
    const profile = config.profiles.find((p) => p.id === profileId);
    if (!profile || profile.warmPoolSize === 0) return;
    // Rotate members that are too old or whose session is gone.
    const stale = await db.query<{ id: string }>(
      `SELECT s.id FROM sandboxes s LEFT JOIN sessions se ON se.id = s.current_session_id
       WHERE s.owner = $1 AND s.profile = $2 AND s.deleted_at IS NULL
         AND (s.created_at < now() - ($3 || ' milliseconds')::interval
              OR (s.current_session_id IS NOT NULL AND se.status NOT IN ('starting', 'ready')))`,
      [POOL_OWNER, profileId, String(config.warmPoolMaxAgeMs)],
    );
    for (const { id } of stale) await this.#d.deleteSandbox(POOL_OWNER, id).catch(() => {});
    const created = await db.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`warm-pool:${profileId}`]);
      const [{ n }] = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM sandboxes WHERE owner = $1 AND profile = $2
           AND deleted_at IS NULL`,
        [POOL_OWNER, profileId],
      );
      const rows: SandboxRow[] = [];
      for (let i = n; i < profile.warmPoolSize; i++) {
        const id = newId("sandbox");
        const cargoId = newId("cargo");
        await tx.query(
          `INSERT INTO cargos (id, owner, managed, managed_by_sandbox_id, backend, size_limit_mb)
           VALUES ($1, $2, true, $3, $4, 1024)`,
          [cargoId, POOL_OWNER, id, this.#d.driver.cargoBackend],
        );
        const [row] = await tx.query<SandboxRow>(
          `INSERT INTO sandboxes (id, owner, profile, cargo_id) VALUES ($1, $2, $3, $4) RETURNING *`,
          [id, POOL_OWNER, profileId, cargoId],
        );
        rows.push(row);
      }
      return rows;
    });
    await Promise.all(created.map(async (row) => {
      try {
        await this.#d.driver.ensureCargo({
          id: row.cargo_id,
          owner: POOL_OWNER,
          sizeLimitMb: 1024,
        });
        const python = profile.capabilities.includes("python");
        // A python start boots the kernel and holds its start slot until it is up (see
        // SessionManager); python_ready then confirms it (it throws when the kernel failed),
        // so a claimed sandbox answers its first exec at once. Only then may it be claimed.
        const ship = await this.#d.sessions.ensure(
          row,
          profile,
          python ? { capability: "python" } : {},
        );
        if (python) await ship.call({ op: "python_ready" });
        await db.query(`UPDATE sandboxes SET warmed_at = now() WHERE id = $1 AND owner = $2`, [
          row.id,
          POOL_OWNER,
        ]);
      } catch (e) {
        log.warn("warm pool start failed", {
          profile: profileId,
          sandbox_id: row.id,
          error: String(e),
        });
        await this.#d.deleteSandbox(POOL_OWNER, row.id).catch(() => {});
      }
    }));
  }
}
