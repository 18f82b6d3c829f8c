/**
 * Row shapes of the skill tables (migration 003), as the query interface
 * returns them, and the JSON guard every jsonb value passes.
 *
 * @module
 */
import { pgText } from "./executions.ts";

/** Candidate states. */
export const CANDIDATE_STATUSES = [
  "draft",
  "evaluating",
  "rejected",
  "promoted",
  "rolled_back",
] as const;

/** A candidate state. */
export type CandidateStatus = typeof CANDIDATE_STATUSES[number];

/** Release stages. */
export const RELEASE_STAGES = ["canary", "stable"] as const;

/** A release stage. */
export type ReleaseStage = typeof RELEASE_STAGES[number];

/** A stored JSON payload (`blob:blob-…`). */
export interface BlobRow {
  id: string;
  owner: string;
  kind: string;
  payload: unknown;
  created_at: Date;
}

/** A skill candidate row. */
export interface CandidateRow {
  id: string;
  owner: string;
  skill_key: string;
  scenario_key: string | null;
  payload_ref: string | null;
  skill_type: string;
  summary: string | null;
  usage_notes: string | null;
  preconditions: Record<string, unknown> | null;
  postconditions: Record<string, unknown> | null;
  source_execution_ids: string[];
  status: CandidateStatus;
  latest_score: number | null;
  latest_pass: boolean | null;
  last_evaluated_at: Date | null;
  promotion_release_id: string | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  deleted_by: string | null;
  delete_reason: string | null;
}

/** An evaluation row. */
export interface EvaluationRow {
  id: string;
  owner: string;
  candidate_id: string;
  benchmark_id: string | null;
  score: number | null;
  passed: boolean;
  report: string | null;
  evaluated_by: string;
  created_at: Date;
}

/** A release row. */
export interface ReleaseRow {
  id: string;
  owner: string;
  skill_key: string;
  candidate_id: string;
  version: number;
  stage: ReleaseStage;
  is_active: boolean;
  release_mode: string;
  promoted_by: string;
  promoted_at: Date;
  rollback_of: string | null;
  health_window_end_at: Date;
  upgrade_of_release_id: string | null;
  upgrade_reason: string | null;
  change_summary: string | null;
  deleted_at: Date | null;
  deleted_by: string | null;
  delete_reason: string | null;
}

/**
 * JSON text for a jsonb parameter. PostgreSQL's jsonb cannot hold U+0000, so
 * NUL in any string or key becomes U+FFFD (as {@link pgText} does for text).
 */
export function pgJson(value: unknown): string {
  const clean = (v: unknown): unknown => {
    if (typeof v === "string") return pgText(v);
    if (Array.isArray(v)) return v.map(clean);
    if (v && typeof v === "object") {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [pgText(k), clean(x)]));
    }
    return v;
  };
  return JSON.stringify(clean(value));
}
