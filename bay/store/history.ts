/**
 * Queries over execution history rows: filtered pages, the newest entry,
 * annotations, ownership checks for cited ids, and release samples.
 *
 * @module
 */
import { plausibleId } from "../errors.ts";
import type { Sql } from "./db.ts";
import { pgText } from "./executions.ts";
import type { ExecutionRow } from "./rows.ts";

/** Filters of a history page. */
export interface HistoryFilter {
  owner: string;
  sandboxId: string;
  execType?: string;
  successOnly?: boolean;
  /** Match when any tag contains any of these terms, case-insensitively. */
  tagTerms?: string[];
  hasNotes?: boolean;
  hasDescription?: boolean;
}

function where(f: HistoryFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.owner, f.sandboxId];
  const conds = ["owner = $1", "sandbox_id = $2"];
  if (f.execType) {
    params.push(f.execType);
    conds.push(`exec_type = $${params.length}`);
  }
  if (f.successOnly) conds.push("success");
  if (f.hasNotes) conds.push("notes IS NOT NULL AND notes <> ''");
  if (f.hasDescription) conds.push("description IS NOT NULL AND description <> ''");
  if (f.tagTerms && f.tagTerms.length > 0) {
    params.push(f.tagTerms.map(pgText));
    conds.push(
      `EXISTS (SELECT 1 FROM unnest(tags) AS t(tag), unnest($${params.length}::text[]) AS q(term)
               WHERE strpos(lower(t.tag), lower(q.term)) > 0)`,
    );
  }
  return { sql: conds.join(" AND "), params };
}

/** A page of a sandbox's history, newest first, and the number of matching rows. */
export async function listHistory(
  sql: Sql,
  f: HistoryFilter,
  limit: number,
  offset: number,
): Promise<{ rows: ExecutionRow[]; total: number }> {
  const w = where(f);
  const [{ n }] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM executions WHERE ${w.sql}`,
    w.params,
  );
  const rows = await sql.query<ExecutionRow>(
    `SELECT * FROM executions WHERE ${w.sql}
     ORDER BY created_at DESC, id DESC LIMIT $${w.params.length + 1} OFFSET $${
      w.params.length + 2
    }`,
    [...w.params, limit, offset],
  );
  return { rows, total: n };
}

/** The newest entry of a sandbox, optionally of one type. */
export async function lastExecution(
  sql: Sql,
  owner: string,
  sandboxId: string,
  execType?: string,
): Promise<ExecutionRow | undefined> {
  const w = where({ owner, sandboxId, execType });
  const rows = await sql.query<ExecutionRow>(
    `SELECT * FROM executions WHERE ${w.sql} ORDER BY created_at DESC, id DESC LIMIT 1`,
    w.params,
  );
  return rows[0];
}

/** One entry of a sandbox of `owner`. */
export async function getEntry(
  sql: Sql,
  owner: string,
  sandboxId: string,
  id: string,
): Promise<ExecutionRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<ExecutionRow>(
    `SELECT * FROM executions WHERE id = $1 AND owner = $2 AND sandbox_id = $3`,
    [id, owner, sandboxId],
  );
  return rows[0];
}

/** Annotation fields; `undefined` leaves a column as it is. */
export interface Annotation {
  description?: string;
  tags?: string[];
  notes?: string;
}

/** Set annotation fields of one entry of a sandbox; undefined when there is no such entry. */
export async function annotateExecution(
  sql: Sql,
  owner: string,
  sandboxId: string,
  id: string,
  a: Annotation,
): Promise<ExecutionRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<ExecutionRow>(
    `UPDATE executions SET
       description = CASE WHEN $4::boolean THEN $5::text ELSE description END,
       tags = CASE WHEN $6::boolean THEN $7::text[] ELSE tags END,
       notes = CASE WHEN $8::boolean THEN $9::text ELSE notes END
     WHERE id = $1 AND owner = $2 AND sandbox_id = $3 RETURNING *`,
    [
      id,
      owner,
      sandboxId,
      a.description !== undefined,
      pgText(a.description ?? null),
      a.tags !== undefined,
      (a.tags ?? []).map(pgText),
      a.notes !== undefined,
      pgText(a.notes ?? null),
    ],
  );
  return rows[0];
}

/** The ids among `ids` that are executions of `owner` (in any sandbox, deleted ones included). */
export async function ownedExecutionIds(
  sql: Sql,
  owner: string,
  ids: string[],
): Promise<Set<string>> {
  const plausible = ids.filter(plausibleId);
  if (plausible.length === 0) return new Set();
  const rows = await sql.query<{ id: string }>(
    `SELECT id FROM executions WHERE owner = $1 AND id = ANY($2::text[])`,
    [owner, plausible],
  );
  return new Set(rows.map((r) => r.id));
}

/** Aggregates over the entries tagged `tag` in a time window. */
export interface TagMetrics {
  samples: number;
  successes: number;
  /** Nearest-rank 95th percentile of `execution_time_ms` (0 without samples). */
  p95: number;
}

/**
 * Count the entries of `owner` tagged exactly `tag` with `start <= created_at
 * <= min(end, now)`, their successes and their p95 duration.
 */
export async function tagMetrics(
  sql: Sql,
  owner: string,
  tag: string,
  start: Date,
  end: Date,
): Promise<TagMetrics> {
  const [r] = await sql.query<{ samples: number; successes: number; p95: number | null }>(
    `SELECT count(*)::int AS samples,
            count(*) FILTER (WHERE success)::int AS successes,
            percentile_disc(0.95) WITHIN GROUP (ORDER BY execution_time_ms) AS p95
     FROM executions
     WHERE owner = $1 AND tags @> ARRAY[$2::text]
       AND created_at >= $3 AND created_at <= LEAST($4::timestamptz, now())`,
    [owner, tag, start, end],
  );
  return { samples: r.samples, successes: r.successes, p95: r.p95 ?? 0 };
}
