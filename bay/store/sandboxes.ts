/**
 * Sandbox rows.
 *
 * @module
 */
import { plausibleId } from "../errors.ts";
import type { Sql } from "./db.ts";
import type { SandboxRow } from "./rows.ts";

/** Insert a sandbox row. */
export async function insertSandbox(
  sql: Sql,
  row: Pick<SandboxRow, "id" | "owner" | "profile" | "cargo_id" | "expires_at" | "idle_expires_at">,
): Promise<SandboxRow> {
  const [r] = await sql.query<SandboxRow>(
    `INSERT INTO sandboxes (id, owner, profile, cargo_id, expires_at, idle_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [row.id, row.owner, row.profile, row.cargo_id, row.expires_at, row.idle_expires_at],
  );
  return r;
}

/** A live sandbox of `owner`, optionally locked for update. */
export async function getSandbox(
  sql: Sql,
  owner: string,
  id: string,
  forUpdate = false,
): Promise<SandboxRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<SandboxRow>(
    `SELECT * FROM sandboxes WHERE id = $1 AND owner = $2 AND deleted_at IS NULL${
      forUpdate ? " FOR UPDATE" : ""
    }`,
    [id, owner],
  );
  return rows[0];
}

/** A sandbox by id whatever its owner or state (internal use). */
export async function getSandboxAny(sql: Sql, id: string): Promise<SandboxRow | undefined> {
  const rows = await sql.query<SandboxRow>(`SELECT * FROM sandboxes WHERE id = $1`, [id]);
  return rows[0];
}

/** True when `owner` has (or had) a sandbox with this id, deleted included. */
export async function ownedEver(sql: Sql, owner: string, id: string): Promise<boolean> {
  if (!plausibleId(id)) return false;
  const rows = await sql.query(`SELECT 1 FROM sandboxes WHERE id = $1 AND owner = $2`, [id, owner]);
  return rows.length > 0;
}

/** A page of live sandboxes of `owner`, ids ascending after `cursor`. */
export function listSandboxes(
  sql: Sql,
  owner: string,
  limit: number,
  cursor?: string,
): Promise<SandboxRow[]> {
  return sql.query<SandboxRow>(
    `SELECT * FROM sandboxes WHERE owner = $1 AND deleted_at IS NULL
       AND ($2::text IS NULL OR id > $2) ORDER BY id LIMIT $3`,
    [owner, cursor ?? null, limit],
  );
}

/** Set fields of a sandbox; returns the updated row. */
export async function updateSandbox(
  sql: Sql,
  id: string,
  fields: Partial<Pick<SandboxRow, "expires_at" | "idle_expires_at" | "current_session_id">>,
): Promise<SandboxRow> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, v] of Object.entries(fields)) {
    params.push(v);
    sets.push(`${k} = $${params.length}`);
  }
  const [r] = await sql.query<SandboxRow>(
    `UPDATE sandboxes SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
    params,
  );
  return r;
}

/** Mark a sandbox deleted. */
export async function markSandboxDeleted(sql: Sql, id: string): Promise<void> {
  await sql.query(
    `UPDATE sandboxes SET deleted_at = now(), current_session_id = NULL
     WHERE id = $1 AND deleted_at IS NULL`,
    [id],
  );
}
