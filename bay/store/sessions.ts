/**
 * Session rows: the compute currently behind a sandbox.
 *
 * @module
 */
import type { Sql } from "./db.ts";
import type { SessionRow, SessionStatus } from "./rows.ts";

/** Insert a session in state `starting`. */
export async function insertSession(
  sql: Sql,
  row: Pick<SessionRow, "id" | "sandbox_id" | "driver" | "token_hash" | "instance_id">,
): Promise<SessionRow> {
  const [r] = await sql.query<SessionRow>(
    `INSERT INTO sessions (id, sandbox_id, status, driver, token_hash, instance_id)
     VALUES ($1, $2, 'starting', $3, $4, $5) RETURNING *`,
    [row.id, row.sandbox_id, row.driver, row.token_hash, row.instance_id],
  );
  return r;
}

/** A session by id. */
export async function getSession(sql: Sql, id: string): Promise<SessionRow | undefined> {
  const rows = await sql.query<SessionRow>(`SELECT * FROM sessions WHERE id = $1`, [id]);
  return rows[0];
}

/** Record the runtime a driver started for a session. */
export async function setRuntime(sql: Sql, id: string, runtimeId: string): Promise<void> {
  await sql.query(`UPDATE sessions SET runtime_id = $2 WHERE id = $1`, [id, runtimeId]);
}

/** Mark a starting session ready and record which Bay instance holds its ship. */
export async function markReady(sql: Sql, id: string, instanceId: string): Promise<void> {
  await sql.query(
    `UPDATE sessions SET status = 'ready', ready_at = COALESCE(ready_at, now()), instance_id = $2
     WHERE id = $1 AND status IN ('starting', 'ready')`,
    [id, instanceId],
  );
}

/** End a session (failed or stopped) unless it already ended. */
export async function endSession(
  sql: Sql,
  id: string,
  status: Extract<SessionStatus, "failed" | "stopped">,
  error: string | null = null,
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE sessions SET status = $2, error = COALESCE($3, error), ended_at = now()
     WHERE id = $1 AND status IN ('starting', 'ready') RETURNING id`,
    [id, status, error],
  );
  return rows.length > 0;
}

/** Sessions not yet ended, optionally of one sandbox. */
export function liveSessions(sql: Sql, sandboxId?: string): Promise<SessionRow[]> {
  return sandboxId === undefined
    ? sql.query<SessionRow>(`SELECT * FROM sessions WHERE status IN ('starting', 'ready')`)
    : sql.query<SessionRow>(
      `SELECT * FROM sessions WHERE sandbox_id = $1 AND status IN ('starting', 'ready')`,
      [sandboxId],
    );
}
