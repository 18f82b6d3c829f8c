/**
 * A look into a stopped Bay's store (its PGlite directory, or a PostgreSQL
 * URL) and the invariants that must hold there whatever crashed when.
 *
 * @module
 */
import { join } from "node:path";
import type { Db } from "../../bay/store/db.ts";
import { openPglite } from "../../bay/store/pglite.ts";
import { openPostgres } from "../../bay/store/postgres.ts";

/** The rows the invariants are about. */
export interface StoreRows {
  sandboxes: {
    id: string;
    cargo_id: string;
    current_session_id: string | null;
    deleted: boolean;
  }[];
  cargos: {
    id: string;
    managed: boolean;
    managed_by_sandbox_id: string | null;
    deleted: boolean;
  }[];
  sessions: { id: string; sandbox_id: string; status: string }[];
}

/** Open the store of a Bay that has stopped (PGlite under `dataDir`, or `databaseUrl`). */
export function openStore(dataDir: string, databaseUrl?: string): Promise<Db> {
  return databaseUrl
    ? openPostgres(databaseUrl, { max: 2 })
    : openPglite({ dataDir: join(dataDir, "pgdata") });
}

/** Read the rows the invariants need. */
export async function readRows(db: Db): Promise<StoreRows> {
  return {
    sandboxes: await db.query(
      `SELECT id, cargo_id, current_session_id, deleted_at IS NOT NULL AS deleted FROM sandboxes`,
    ),
    cargos: await db.query(
      `SELECT id, managed, managed_by_sandbox_id, deleted_at IS NOT NULL AS deleted FROM cargos`,
    ),
    sessions: await db.query(`SELECT id, sandbox_id, status FROM sessions`),
  };
}

/**
 * Every broken invariant, described (empty when consistent):
 * a live sandbox has a live cargo; a managed cargo is live exactly while its
 * sandbox is; a sandbox's current session is its own; a live session
 * (`starting`/`ready`) belongs to a live sandbox and is its current one.
 */
export function inconsistencies(rows: StoreRows): string[] {
  const out: string[] = [];
  const sandboxes = new Map(rows.sandboxes.map((s) => [s.id, s]));
  const cargos = new Map(rows.cargos.map((c) => [c.id, c]));
  const sessions = new Map(rows.sessions.map((s) => [s.id, s]));
  for (const sb of rows.sandboxes) {
    if (sb.deleted) continue;
    const c = cargos.get(sb.cargo_id);
    if (!c || c.deleted) out.push(`live sandbox ${sb.id} has no live cargo ${sb.cargo_id}`);
    if (sb.current_session_id) {
      const s = sessions.get(sb.current_session_id);
      if (!s || s.sandbox_id !== sb.id) {
        out.push(`sandbox ${sb.id} points at a foreign session ${sb.current_session_id}`);
      }
    }
  }
  for (const c of rows.cargos) {
    if (!c.managed) continue;
    const sb = c.managed_by_sandbox_id ? sandboxes.get(c.managed_by_sandbox_id) : undefined;
    const sandboxLive = !!sb && !sb.deleted;
    if (sandboxLive && c.deleted) out.push(`managed cargo ${c.id} deleted under a live sandbox`);
    if (!sandboxLive && !c.deleted) out.push(`managed cargo ${c.id} outlives its sandbox`);
  }
  for (const s of rows.sessions) {
    if (s.status !== "starting" && s.status !== "ready") continue;
    const sb = sandboxes.get(s.sandbox_id);
    if (!sb || sb.deleted) out.push(`live session ${s.id} of deleted sandbox ${s.sandbox_id}`);
    else if (sb.current_session_id !== s.id) {
      out.push(`live session ${s.id} is not the current one of ${s.sandbox_id}`);
    }
  }
  return out;
}
