/**
 * API key rows: stored as SHA-256 hashes, never in clear.
 *
 * @module
 */
import type { Sql } from "./db.ts";
import type { ApiKeyRow } from "./rows.ts";

/** Insert a key row. */
export async function insertKey(
  sql: Sql,
  row: Pick<ApiKeyRow, "id" | "owner" | "name" | "key_hash" | "prefix" | "is_admin">,
): Promise<ApiKeyRow> {
  const [r] = await sql.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, owner, name, key_hash, prefix, is_admin)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (key_hash) DO UPDATE SET key_hash = EXCLUDED.key_hash RETURNING *`,
    [row.id, row.owner, row.name, row.key_hash, row.prefix, row.is_admin],
  );
  return r;
}

/** The live (not revoked) key with this hash, if any. */
export async function findKeyByHash(sql: Sql, hash: string): Promise<ApiKeyRow | undefined> {
  const rows = await sql.query<ApiKeyRow>(
    `SELECT * FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hash],
  );
  return rows[0];
}

/** Keys, optionally of one owner, oldest first. */
export function listKeys(sql: Sql, owner?: string): Promise<ApiKeyRow[]> {
  return owner === undefined
    ? sql.query<ApiKeyRow>(`SELECT * FROM api_keys ORDER BY created_at, id`)
    : sql.query<ApiKeyRow>(`SELECT * FROM api_keys WHERE owner = $1 ORDER BY created_at, id`, [
      owner,
    ]);
}

/** Revoke a key; true when a live key was revoked. */
export async function revokeKey(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
    [id],
  );
  return rows.length > 0;
}

/** Number of live keys. */
export async function countLiveKeys(sql: Sql): Promise<number> {
  const [r] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM api_keys WHERE revoked_at IS NULL`,
  );
  return r.n;
}
