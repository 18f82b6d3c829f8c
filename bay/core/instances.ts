/**
 * The replica registry: every Bay records where it can be reached and keeps
 * a heartbeat, so a replica that receives a request for a session whose ship
 * is connected elsewhere can forward it there.
 *
 * @module
 */
import type { Db } from "../store/db.ts";
import type { Logger } from "./log.ts";

/** A live replica holding a session's ship. */
export interface Holder {
  instanceId: string;
  url: string;
  status: "starting" | "ready";
}

/** This replica's entry in the registry. */
export class InstanceRegistry {
  #db: Db;
  #log: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** This replica's id. */
  readonly id: string;
  /** Where other replicas reach this one (null: forwarding to it is impossible). */
  url: string | null;
  /** A replica silent for longer than this is considered dead. */
  readonly staleMs: number;

  constructor(db: Db, log: Logger, id: string, url: string | null, heartbeatMs: number) {
    this.#db = db;
    this.#log = log;
    this.id = id;
    this.url = url;
    this.staleMs = heartbeatMs * 3;
    this.#timer = undefined;
    this.#beatMs = heartbeatMs;
  }
  #beatMs: number;

  /** Register (optionally with the URL known once listening) and start the heartbeat. */
  async start(url?: string | null): Promise<void> {
    if (url !== undefined && this.url === null) this.url = url;
    await this.#beat();
    this.#timer = setInterval(() => {
      this.#beat().catch((e) => this.#log.warn("instance heartbeat failed", { error: String(e) }));
    }, this.#beatMs);
  }

  async #beat(): Promise<void> {
    await this.#db.query(
      `INSERT INTO instances (id, url, seen_at) VALUES ($1, $2, now())
       ON CONFLICT (id) DO UPDATE SET url = $2, seen_at = now()`,
      [this.id, this.url],
    );
  }

  /** Stop the heartbeat and leave the registry. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#db.query(`DELETE FROM instances WHERE id = $1`, [this.id]).catch(() => {});
  }

  /**
   * The other live replica that holds the current session of `sandboxId`
   * (owned by `owner`), or null when it is this one, nobody, or a dead one.
   */
  async holderOf(owner: string, sandboxId: string): Promise<Holder | null> {
    const rows = await this.#db.query<{ instance_id: string; url: string | null; status: string }>(
      `SELECT se.instance_id, i.url, se.status FROM sandboxes s
         JOIN sessions se ON se.id = s.current_session_id
         JOIN instances i ON i.id = se.instance_id
       WHERE s.id = $1 AND s.owner = $2 AND s.deleted_at IS NULL
         AND se.status IN ('starting', 'ready') AND se.instance_id <> $3
         AND i.seen_at > now() - ($4 || ' milliseconds')::interval`,
      [sandboxId, owner, this.id, String(this.staleMs)],
    );
    const r = rows[0];
    if (!r || !r.url) return null;
    return { instanceId: r.instance_id, url: r.url, status: r.status as Holder["status"] };
  }
}
