/**
 * Payload blobs, skill candidates and their evaluations. Every read is
 * scoped to an owner; soft-deleted candidates are invisible.
 *
 * @module
 */
import { plausibleId } from "../errors.ts";
import type { Sql } from "./db.ts";
import { pgText } from "./executions.ts";
import {
  type BlobRow,
  type CandidateRow,
  type CandidateStatus,
  type EvaluationRow,
  pgJson,
} from "./skill_rows.ts";

/** Store a JSON payload. */
export async function insertBlob(
  sql: Sql,
  row: { id: string; owner: string; kind: string; payload: unknown },
): Promise<BlobRow> {
  const [r] = await sql.query<BlobRow>(
    `INSERT INTO artifact_blobs (id, owner, kind, payload) VALUES ($1, $2, $3, $4::jsonb)
     RETURNING *`,
    [row.id, row.owner, pgText(row.kind), pgJson(row.payload)],
  );
  return r;
}

/** A blob of `owner`. */
export async function getBlob(sql: Sql, owner: string, id: string): Promise<BlobRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<BlobRow>(
    `SELECT * FROM artifact_blobs WHERE id = $1 AND owner = $2`,
    [id, owner],
  );
  return rows[0];
}

/** Fields of a new candidate. */
export type NewCandidate = Pick<
  CandidateRow,
  | "id"
  | "owner"
  | "skill_key"
  | "scenario_key"
  | "payload_ref"
  | "summary"
  | "usage_notes"
  | "preconditions"
  | "postconditions"
  | "source_execution_ids"
  | "created_by"
>;

/** Insert a candidate in state `draft`. */
export async function insertCandidate(sql: Sql, c: NewCandidate): Promise<CandidateRow> {
  const [r] = await sql.query<CandidateRow>(
    `INSERT INTO skill_candidates (id, owner, skill_key, scenario_key, payload_ref, summary,
       usage_notes, preconditions, postconditions, source_execution_ids, status, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::text[], 'draft', $11)
     RETURNING *`,
    [
      c.id,
      c.owner,
      pgText(c.skill_key),
      pgText(c.scenario_key),
      c.payload_ref,
      pgText(c.summary),
      pgText(c.usage_notes),
      c.preconditions == null ? null : pgJson(c.preconditions),
      c.postconditions == null ? null : pgJson(c.postconditions),
      c.source_execution_ids,
      c.created_by,
    ],
  );
  return r;
}

/** A live (not deleted) candidate of `owner`, optionally locked for update. */
export async function getCandidate(
  sql: Sql,
  owner: string,
  id: string,
  forUpdate = false,
): Promise<CandidateRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<CandidateRow>(
    `SELECT * FROM skill_candidates WHERE id = $1 AND owner = $2 AND deleted_at IS NULL${
      forUpdate ? " FOR UPDATE" : ""
    }`,
    [id, owner],
  );
  return rows[0];
}

/** A page of live candidates, newest first, and the number of matching rows. */
export async function listCandidates(
  sql: Sql,
  owner: string,
  f: { status?: CandidateStatus; skillKey?: string },
  limit: number,
  offset: number,
): Promise<{ rows: CandidateRow[]; total: number }> {
  const cond = `owner = $1 AND deleted_at IS NULL
    AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR skill_key = $3)`;
  const params = [owner, f.status ?? null, f.skillKey == null ? null : pgText(f.skillKey)];
  const [{ n }] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM skill_candidates WHERE ${cond}`,
    params,
  );
  const rows = await sql.query<CandidateRow>(
    `SELECT * FROM skill_candidates WHERE ${cond}
     ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`,
    [...params, limit, offset],
  );
  return { rows, total: n };
}

/** Set columns of a candidate (and `updated_at`); returns the updated row. */
export async function updateCandidate(
  sql: Sql,
  id: string,
  fields: Partial<
    Pick<
      CandidateRow,
      | "status"
      | "latest_score"
      | "latest_pass"
      | "last_evaluated_at"
      | "promotion_release_id"
      | "deleted_at"
      | "deleted_by"
      | "delete_reason"
    >
  >,
): Promise<CandidateRow> {
  const sets = ["updated_at = now()"];
  const params: unknown[] = [id];
  for (const [k, v] of Object.entries(fields)) {
    params.push(typeof v === "string" ? pgText(v) : v);
    sets.push(`${k} = $${params.length}`);
  }
  const [r] = await sql.query<CandidateRow>(
    `UPDATE skill_candidates SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
    params,
  );
  return r;
}

/** Record an evaluation. */
export async function insertEvaluation(
  sql: Sql,
  e: Omit<EvaluationRow, "created_at">,
): Promise<EvaluationRow> {
  const [r] = await sql.query<EvaluationRow>(
    `INSERT INTO skill_evaluations (id, owner, candidate_id, benchmark_id, score, passed, report,
       evaluated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      e.id,
      e.owner,
      e.candidate_id,
      pgText(e.benchmark_id),
      e.score,
      e.passed,
      pgText(e.report),
      e.evaluated_by,
    ],
  );
  return r;
}

/** The newest evaluation of a candidate. */
export async function latestEvaluation(
  sql: Sql,
  candidateId: string,
): Promise<EvaluationRow | undefined> {
  const rows = await sql.query<EvaluationRow>(
    `SELECT * FROM skill_evaluations WHERE candidate_id = $1
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [candidateId],
  );
  return rows[0];
}
