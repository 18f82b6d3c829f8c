/**
 * Idempotency records: a key is claimed (pending) before the work runs and
 * completed with the response afterwards, so two concurrent first uses of one
 * key produce one resource.
 *
 * @module
 */
import type { Sql } from "./db.ts";

/** What a claim found. */
export type Claim =
  | { kind: "claimed" }
  | { kind: "replay"; status: number; body: unknown }
  | { kind: "conflict" }
  | { kind: "pending" };

interface Row {
  fingerprint: string;
  state: "pending" | "done";
  status_code: number | null;
  body: unknown;
  expires_at: Date;
}

/** Claim `(owner, key)` for a request with `fingerprint`. Expired records are replaced. */
export async function claimKey(
  sql: Sql,
  owner: string,
  key: string,
  fingerprint: string,
  ttlMs: number,
): Promise<Claim> {
  await sql.query(
    `DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND expires_at < now()`,
    [owner, key],
  );
  const inserted = await sql.query(
    `INSERT INTO idempotency_keys (owner, key, fingerprint, state, expires_at)
     VALUES ($1, $2, $3, 'pending', now() + ($4 || ' milliseconds')::interval)
     ON CONFLICT (owner, key) DO NOTHING RETURNING key`,
    [owner, key, fingerprint, String(ttlMs)],
  );
  if (inserted.length > 0) return { kind: "claimed" };
  const [row] = await sql.query<Row>(
    `SELECT fingerprint, state, status_code, body, expires_at FROM idempotency_keys
     WHERE owner = $1 AND key = $2`,
    [owner, key],
  );
  if (!row) return claimKey(sql, owner, key, fingerprint, ttlMs);
  if (row.fingerprint !== fingerprint) return { kind: "conflict" };
  if (row.state === "pending") return { kind: "pending" };
  return { kind: "replay", status: row.status_code ?? 200, body: row.body };
}

/** Store the successful response of a claimed key. */
export async function completeKey(
  sql: Sql,
  owner: string,
  key: string,
  status: number,
  body: unknown,
): Promise<void> {
  await sql.query(
    `UPDATE idempotency_keys SET state = 'done', status_code = $3, body = $4::jsonb
     WHERE owner = $1 AND key = $2`,
    [owner, key, status, JSON.stringify(body)],
  );
}

/** Forget a claim whose request failed, so the key can be used again. */
export async function releaseKey(sql: Sql, owner: string, key: string): Promise<void> {
  await sql.query(
    `DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND state = 'pending'`,
    [owner, key],
  );
}

/** Delete expired records; returns how many. */
export async function purgeExpiredKeys(sql: Sql): Promise<number> {
  const rows = await sql.query(
    `DELETE FROM idempotency_keys WHERE expires_at < now() RETURNING key`,
  );
  return rows.length;
}
