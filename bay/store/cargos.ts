/**
 * Cargo rows: the persistent volumes behind `/workspace`.
 *
 * @module
 */
import { plausibleId } from "../errors.ts";
import type { Sql } from "./db.ts";
import type { CargoRow } from "./rows.ts";

/** Insert a cargo row. */
export async function insertCargo(
  sql: Sql,
  row: Pick<
    CargoRow,
    "id" | "owner" | "managed" | "managed_by_sandbox_id" | "backend" | "size_limit_mb"
  >,
): Promise<CargoRow> {
  const [r] = await sql.query<CargoRow>(
    `INSERT INTO cargos (id, owner, managed, managed_by_sandbox_id, backend, size_limit_mb)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
    [row.id, row.owner, row.managed, row.managed_by_sandbox_id, row.backend, row.size_limit_mb],
  );
  return r;
}

/** A live cargo of `owner`, optionally locked for update. */
export async function getCargo(
  sql: Sql,
  owner: string,
  id: string,
  forUpdate = false,
): Promise<CargoRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<CargoRow>(
    `SELECT * FROM cargos WHERE id = $1 AND owner = $2 AND deleted_at IS NULL${
      forUpdate ? " FOR UPDATE" : ""
    }`,
    [id, owner],
  );
  return rows[0];
}

/** A page of live cargos of `owner`, ids ascending after `cursor`. */
export function listCargos(
  sql: Sql,
  owner: string,
  managed: boolean,
  limit: number,
  cursor?: string,
): Promise<CargoRow[]> {
  return sql.query<CargoRow>(
    `SELECT * FROM cargos WHERE owner = $1 AND managed = $2 AND deleted_at IS NULL
       AND ($3::text IS NULL OR id > $3) ORDER BY id LIMIT $4`,
    [owner, managed, cursor ?? null, limit],
  );
}

/** Ids of live sandboxes that use the cargo. */
export async function activeSandboxIds(sql: Sql, cargoId: string): Promise<string[]> {
  const rows = await sql.query<{ id: string }>(
    `SELECT id FROM sandboxes WHERE cargo_id = $1 AND deleted_at IS NULL ORDER BY id`,
    [cargoId],
  );
  return rows.map((r) => r.id);
}

/** Mark a cargo deleted. */
export async function markCargoDeleted(sql: Sql, id: string): Promise<void> {
  await sql.query(`UPDATE cargos SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, [
    id,
  ]);
}

/** Record use of a cargo. */
export async function touchCargo(sql: Sql, id: string): Promise<void> {
  await sql.query(`UPDATE cargos SET last_accessed_at = now() WHERE id = $1`, [id]);
}

/** Hard-delete a cargo row once its storage is gone (only rows already marked deleted). */
export async function purgeCargo(sql: Sql, id: string): Promise<void> {
  await sql.query(
    `DELETE FROM cargos WHERE id = $1 AND deleted_at IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM sandboxes WHERE cargo_id = $1)`,
    [id],
  );
}
