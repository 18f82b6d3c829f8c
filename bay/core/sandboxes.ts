/**
 * Sandbox lifecycle: create (with a managed or external cargo), read, list,
 * TTL, keepalive, stop, delete, and the gate every capability call passes.
 *
 * @module
 */
import type { Capability, Config, Profile } from "../config/schema.ts";
import type { Driver } from "../drivers/driver.ts";
import { BayError, notFound } from "../errors.ts";
import type { ShipConnection } from "../ship_hub/connection.ts";
import type { ShipHub } from "../ship_hub/hub.ts";
import { getCargo, insertCargo, markCargoDeleted, touchCargo } from "../store/cargos.ts";
import type { Db } from "../store/db.ts";
import type { SandboxRow } from "../store/rows.ts";
import {
  getSandbox,
  insertSandbox,
  listSandboxes,
  markSandboxDeleted,
  ownedEver,
  updateSandbox,
} from "../store/sandboxes.ts";
import { getSession } from "../store/sessions.ts";
import { newId } from "./ids.ts";
import type { SessionManager } from "./sessions.ts";
import type { WarmPool } from "./warm_pool.ts";
import { type ContainerView, sandboxStatus, sandboxView } from "./views.ts";

/** What the sandbox service needs. */
export interface SandboxDeps {
  config: Config;
  db: Db;
  driver: Driver;
  hub: ShipHub;
  sessions: SessionManager;
}

/** The API's sandbox object. */
export type SandboxView = ReturnType<typeof sandboxView>;

/** Sandboxes of owners. */
/** Longest an activity {@link SandboxService.touch} may leave the stored idle deadline behind. */
const ACTIVITY_SLACK_MAX_MS = 5_000;

export class SandboxService {
  #d: SandboxDeps;
  #pool: WarmPool | null = null;

  /** Attach the warm pool (claims serve creates without a cargo). */
  setPool(pool: WarmPool): void {
    this.#pool = pool;
  }

  constructor(deps: SandboxDeps) {
    this.#d = deps;
  }

  /** The profile named `id`, if configured. */
  profile(id: string): Profile | undefined {
    return this.#d.config.profiles.find((p) => p.id === id);
  }

  async #row(owner: string, id: string): Promise<SandboxRow> {
    const row = await getSandbox(this.#d.db, owner, id);
    if (!row) throw notFound("sandbox", id);
    return row;
  }

  /** Turn a row into the API object (`containers` only when asked and live). */
  async view(row: SandboxRow, withContainers = false): Promise<SandboxView> {
    const profile = this.profile(row.profile);
    const session = row.current_session_id
      ? await getSession(this.#d.db, row.current_session_id)
      : undefined;
    let containers: ContainerView[] | null = null;
    if (
      withContainers && session && (session.status === "ready" || session.status === "starting")
    ) {
      const conn = this.#d.hub.get(session.id);
      containers = [{
        name: "ship",
        runtime_type: this.#d.driver.name,
        status: session.status === "ready" ? "running" : "starting",
        version: null,
        capabilities: profile ? [...profile.capabilities] : [],
        healthy: conn !== undefined,
      }];
    }
    return sandboxView(row, profile, session, containers);
  }

  /** Create a sandbox; without `cargoId` a managed cargo is created with it. */
  async create(
    owner: string,
    body: { profile: string; cargo_id?: string | null; ttl?: number | null },
  ): Promise<SandboxView> {
    const { db, driver } = this.#d;
    const profile = this.profile(body.profile);
    if (!profile) {
      throw new BayError("validation_error", `unknown profile: ${body.profile}`, {
        available: this.#d.config.profiles.map((p) => p.id),
      });
    }
    const id = newId("sandbox");
    const ttl = body.ttl ?? 0;
    const expiresAt = ttl > 0 ? new Date(Date.now() + ttl * 1000) : null;
    if (!body.cargo_id && this.#pool) {
      const claimed = await this.#pool.claim(owner, profile, expiresAt);
      if (claimed) return this.view(claimed);
    }
    let managedCargo: string | null = null;
    const row = await db.transaction(async (tx) => {
      let cargoId = body.cargo_id ?? null;
      if (cargoId) {
        const cargo = await getCargo(tx, owner, cargoId, true);
        if (!cargo) throw notFound("cargo", cargoId);
        if (cargo.managed) {
          throw new BayError("conflict", `cargo ${cargoId} is managed by another sandbox`, {
            managed_by_sandbox_id: cargo.managed_by_sandbox_id,
          });
        }
        await touchCargo(tx, cargoId);
      } else {
        cargoId = newId("cargo");
        managedCargo = cargoId;
        await insertCargo(tx, {
          id: cargoId,
          owner,
          managed: true,
          managed_by_sandbox_id: id,
          backend: driver.cargoBackend,
          size_limit_mb: 1024,
        });
      }
      return await insertSandbox(tx, {
        id,
        owner,
        profile: profile.id,
        cargo_id: cargoId,
        expires_at: expiresAt,
        idle_expires_at: null,
      });
    });
    if (managedCargo) {
      try {
        await driver.ensureCargo({ id: managedCargo, owner, sizeLimitMb: 1024 });
      } catch (e) {
        await markSandboxDeleted(db, id);
        await markCargoDeleted(db, managedCargo);
        throw new BayError("internal_error", `could not create the cargo: ${(e as Error).message}`);
      }
    }
    return this.view(row);
  }

  /** One sandbox with its containers. */
  async get(owner: string, id: string): Promise<SandboxView> {
    return this.view(await this.#row(owner, id), true);
  }

  /** A page of sandboxes, optionally of one status. */
  async list(
    owner: string,
    limit: number,
    cursor?: string,
    status?: string,
  ): Promise<{ items: SandboxView[]; next_cursor: string | null }> {
    const items: SandboxView[] = [];
    let after = cursor;
    while (items.length < limit) {
      const rows = await listSandboxes(this.#d.db, owner, limit + 1, after);
      for (const r of rows) {
        if (items.length === limit) return { items, next_cursor: items[items.length - 1].id };
        const v = await this.view(r);
        if (!status || v.status === status) items.push(v);
        after = r.id;
      }
      if (rows.length <= limit) return { items, next_cursor: null };
    }
    return { items, next_cursor: items[items.length - 1]?.id ?? null };
  }

  /** Push `expires_at` forward. */
  async extendTtl(owner: string, id: string, extendBy: number): Promise<SandboxView> {
    const updated = await this.#d.db.transaction(async (tx) => {
      const row = await getSandbox(tx, owner, id, true);
      if (!row) throw notFound("sandbox", id);
      if (!row.expires_at) {
        throw new BayError("sandbox_ttl_infinite", `sandbox ${id} never expires`);
      }
      if (row.expires_at.getTime() <= Date.now()) throw expired(row);
      const base = Math.max(row.expires_at.getTime(), Date.now());
      return await updateSandbox(tx, id, {
        expires_at: new Date(base + extendBy * 1000),
      });
    });
    // Outside the transaction: the view reads the session through the pool.
    return this.view(updated);
  }

  /** Push the idle deadline forward without starting compute. */
  async keepalive(owner: string, id: string): Promise<void> {
    const row = await this.#row(owner, id);
    if (row.expires_at && row.expires_at.getTime() <= Date.now()) throw expired(row);
    await this.#setIdleDeadline(row);
  }

  /**
   * Record activity: the idle deadline moves to now + the profile's idle
   * timeout. The write is skipped while the stored deadline is already within
   * {@link ACTIVITY_SLACK_MAX_MS} (and 1% of the timeout) of the new one, so a
   * burst of calls (each touches before and after) costs no write per call.
   * `row` is updated in place when written.
   */
  async touch(row: SandboxRow): Promise<void> {
    const idle = this.#idleTimeoutMs(row);
    const stored = row.idle_expires_at?.getTime() ?? -Infinity;
    if (Date.now() + idle - stored < Math.min(ACTIVITY_SLACK_MAX_MS, idle / 100)) return;
    await this.#setIdleDeadline(row);
  }

  #idleTimeoutMs(row: SandboxRow): number {
    return this.profile(row.profile)?.idleTimeoutMs ?? 30 * 60_000;
  }

  /** Move the idle deadline to now + the idle timeout (exact; keepalive). */
  async #setIdleDeadline(row: SandboxRow): Promise<void> {
    const deadline = new Date(Date.now() + this.#idleTimeoutMs(row));
    await updateSandbox(this.#d.db, row.id, { idle_expires_at: deadline });
    row.idle_expires_at = deadline;
  }

  /** Stop the session; the cargo stays. */
  async stop(owner: string, id: string): Promise<void> {
    await this.#d.sessions.stop(await this.#row(owner, id));
  }

  /** Delete the sandbox, its session and its managed cargo (idempotent). */
  async delete(owner: string, id: string): Promise<void> {
    const { db, driver } = this.#d;
    const row = await getSandbox(db, owner, id);
    if (!row) {
      if (await ownedEver(db, owner, id)) return;
      throw notFound("sandbox", id);
    }
    await markSandboxDeleted(db, id);
    await this.#d.sessions.stop(row);
    const cargo = await getCargo(db, owner, row.cargo_id);
    if (cargo?.managed && cargo.managed_by_sandbox_id === id) {
      await markCargoDeleted(db, cargo.id);
      await driver.deleteCargo(cargo.id);
    }
  }

  /**
   * The gate of every capability call: ownership (404), capability (400),
   * expiry (409), then a live session (started if needed), counted as activity.
   */
  async acquire(
    owner: string,
    id: string,
    capability: Capability,
  ): Promise<
    { sandbox: SandboxRow; ship: ShipConnection; sessionId: string; release: () => void }
  > {
    const row = await this.#row(owner, id);
    const profile = this.profile(row.profile);
    if (!profile || !profile.capabilities.includes(capability)) {
      throw new BayError(
        "capability_not_supported",
        `profile ${row.profile} has no ${capability}`,
        {
          capability,
          available: profile ? [...profile.capabilities] : [],
        },
      );
    }
    if (sandboxStatus(row, undefined) === "expired") throw expired(row);
    const release = this.#d.sessions.track(row.id);
    try {
      await this.touch(row);
      const ship = await this.#d.sessions.ensure(row, profile, { capability });
      return { sandbox: row, ship, sessionId: ship.sessionId!, release };
    } catch (e) {
      release();
      throw e;
    }
  }
}

function expired(row: SandboxRow): BayError {
  return new BayError("sandbox_expired", `sandbox ${row.id} has expired`, {
    sandbox_id: row.id,
    expires_at: row.expires_at?.toISOString() ?? null,
  });
}
