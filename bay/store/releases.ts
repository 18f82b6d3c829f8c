/**
 * Skill release rows: versioned, at most one active per (owner, skill key),
 * soft-deleted. Writers that number versions or switch the active release
 * first take {@link lockSkillKey} in their transaction.
 *
 * @module
 */
import { plausibleId } from "../errors.ts";
import type { Sql } from "./db.ts";
import { pgText } from "./executions.ts";
import type { ReleaseRow, ReleaseStage } from "./skill_rows.ts";

/**
 * Serialise writers of one skill key until the transaction ends. Always
 * taken before any row lock of that key, so writers cannot deadlock.
 */
export async function lockSkillKey(tx: Sql, owner: string, skillKey: string): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7302119003))`, [
    `${owner}\n${pgText(skillKey)}`,
  ]);
}

/** A live (not deleted) release of `owner`, optionally locked for update. */
export async function getRelease(
  sql: Sql,
  owner: string,
  id: string,
  forUpdate = false,
): Promise<ReleaseRow | undefined> {
  if (!plausibleId(id)) return undefined;
  const rows = await sql.query<ReleaseRow>(
    `SELECT * FROM skill_releases WHERE id = $1 AND owner = $2 AND deleted_at IS NULL${
      forUpdate ? " FOR UPDATE" : ""
    }`,
    [id, owner],
  );
  return rows[0];
}

/** Fields of a new release; it is inserted active. */
export type NewRelease = Pick<
  ReleaseRow,
  | "id"
  | "owner"
  | "skill_key"
  | "candidate_id"
  | "stage"
  | "promoted_by"
  | "rollback_of"
  | "upgrade_of_release_id"
  | "upgrade_reason"
  | "change_summary"
>;

/**
 * Insert the next version of a skill key as its only active release:
 * version = max(version of the key, deleted included) + 1, every other
 * active release of the key deactivated, health window 24 h. Call under
 * {@link lockSkillKey}.
 */
export async function insertActiveRelease(tx: Sql, r: NewRelease): Promise<ReleaseRow> {
  await tx.query(
    `UPDATE skill_releases SET is_active = false
     WHERE owner = $1 AND skill_key = $2 AND is_active`,
    [r.owner, r.skill_key],
  );
  const [row] = await tx.query<ReleaseRow>(
    `INSERT INTO skill_releases (id, owner, skill_key, candidate_id, version, stage, is_active,
       promoted_by, health_window_end_at, rollback_of, upgrade_of_release_id, upgrade_reason,
       change_summary)
     SELECT $1, $2, $3, $4, coalesce(max(version), 0) + 1, $5, true, $6,
            now() + interval '24 hours', $7, $8, $9, $10
     FROM skill_releases WHERE owner = $2 AND skill_key = $3
     RETURNING *`,
    [
      r.id,
      r.owner,
      r.skill_key,
      r.candidate_id,
      r.stage,
      r.promoted_by,
      r.rollback_of,
      r.upgrade_of_release_id,
      pgText(r.upgrade_reason),
      pgText(r.change_summary),
    ],
  );
  return row;
}

/** Filters of a release page. */
export interface ReleaseFilter {
  skillKey?: string;
  activeOnly?: boolean;
  stage?: ReleaseStage;
}

/** A page of live releases by `promoted_at` descending, and the number of matching rows. */
export async function listReleases(
  sql: Sql,
  owner: string,
  f: ReleaseFilter,
  limit: number,
  offset: number,
): Promise<{ rows: ReleaseRow[]; total: number }> {
  const cond = `owner = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR skill_key = $2)
    AND (NOT $3::boolean OR is_active) AND ($4::text IS NULL OR stage = $4)`;
  const params = [
    owner,
    f.skillKey == null ? null : pgText(f.skillKey),
    !!f.activeOnly,
    f.stage ?? null,
  ];
  const [{ n }] = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM skill_releases WHERE ${cond}`,
    params,
  );
  const rows = await sql.query<ReleaseRow>(
    `SELECT * FROM skill_releases WHERE ${cond}
     ORDER BY promoted_at DESC, version DESC, id DESC LIMIT $5 OFFSET $6`,
    [...params, limit, offset],
  );
  return { rows, total: n };
}

/**
 * The newest live release of the same key with a lower version than
 * `release`; with `liveCandidate`, only one whose candidate is not deleted.
 */
export async function previousRelease(
  sql: Sql,
  release: ReleaseRow,
  liveCandidate = false,
): Promise<ReleaseRow | undefined> {
  const rows = await sql.query<ReleaseRow>(
    `SELECT r.* FROM skill_releases r
     ${liveCandidate ? "JOIN skill_candidates c ON c.id = r.candidate_id" : ""}
     WHERE r.owner = $1 AND r.skill_key = $2 AND r.version < $3 AND r.deleted_at IS NULL
       ${liveCandidate ? "AND c.deleted_at IS NULL" : ""}
     ORDER BY r.version DESC LIMIT 1`,
    [release.owner, release.skill_key, release.version],
  );
  return rows[0];
}

/** True when a live, active release uses the candidate. */
export async function candidateHasActiveRelease(sql: Sql, candidateId: string): Promise<boolean> {
  const rows = await sql.query(
    `SELECT 1 FROM skill_releases WHERE candidate_id = $1 AND is_active AND deleted_at IS NULL`,
    [candidateId],
  );
  return rows.length > 0;
}

/**
 * Soft-delete a release (deactivating it) and clear the promotion pointer of
 * candidates that point at it. Returns the deleted row.
 */
export async function markReleaseDeleted(
  tx: Sql,
  id: string,
  by: string,
  reason: string | null,
): Promise<ReleaseRow> {
  const [row] = await tx.query<ReleaseRow>(
    `UPDATE skill_releases SET is_active = false, deleted_at = now(), deleted_by = $2,
       delete_reason = $3
     WHERE id = $1 RETURNING *`,
    [id, by, pgText(reason)],
  );
  await tx.query(
    `UPDATE skill_candidates SET promotion_release_id = NULL, updated_at = now()
     WHERE promotion_release_id = $1`,
    [id],
  );
  return row;
}
