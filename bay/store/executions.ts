/**
 * Execution history rows: one per python or shell exec that produced a result.
 *
 * @module
 */
import type { Sql } from "./db.ts";
import type { ExecutionRow } from "./rows.ts";

/** Fields of a new execution row. */
export type NewExecution = Omit<ExecutionRow, "created_at" | "notes" | "payload_ref">;

/** Normalise tags: split on commas, trim, drop empties, de-duplicate, sort. */
export function normalizeTags(tags: string | string[] | null | undefined): string[] {
  if (tags == null) return [];
  const parts = (Array.isArray(tags) ? tags : [tags]).flatMap((t) => t.split(","));
  return [...new Set(parts.map((t) => t.trim()).filter((t) => t.length > 0))].sort();
}

/** PostgreSQL text cannot hold NUL: replace it (binary output, hostile code) with U+FFFD. */
export function pgText<T extends string | null | undefined>(s: T): T {
  return (typeof s === "string" && s.includes("\u0000")
    ? s.replaceAll("\u0000", "\uFFFD")
    : s) as T;
}

/** Insert one execution row. */
export async function insertExecution(sql: Sql, row: NewExecution): Promise<ExecutionRow> {
  const [r] = await sql.query<ExecutionRow>(
    `INSERT INTO executions (id, owner, sandbox_id, session_id, exec_type, code, success,
       execution_time_ms, output, error, description, tags)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
    [
      row.id,
      row.owner,
      row.sandbox_id,
      row.session_id,
      row.exec_type,
      pgText(row.code),
      row.success,
      row.execution_time_ms,
      pgText(row.output),
      pgText(row.error),
      pgText(row.description),
      row.tags.map(pgText),
    ],
  );
  return r;
}

/** One execution of a sandbox. */
export async function getExecution(
  sql: Sql,
  owner: string,
  sandboxId: string,
  id: string,
): Promise<ExecutionRow | undefined> {
  const rows = await sql.query<ExecutionRow>(
    `SELECT * FROM executions WHERE id = $1 AND owner = $2 AND sandbox_id = $3`,
    [id, owner, sandboxId],
  );
  return rows[0];
}
