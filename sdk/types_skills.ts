/**
 * Wire types of Bay's answers for execution history and skills (payloads,
 * candidates, evaluations, releases). Field names are exactly the API's;
 * `openapi_test.ts` checks them against `/openapi.json`.
 *
 * @module
 */

/**
 * Every kind of recorded execution.
 *
 * @example
 * ```ts
 * console.log(EXEC_TYPES.includes("python"));
 * ```
 */
export const EXEC_TYPES = ["python", "shell", "browser", "browser_batch"] as const;

/**
 * A kind of recorded execution.
 *
 * @example
 * ```ts
 * const t: ExecType = "shell";
 * ```
 */
export type ExecType = typeof EXEC_TYPES[number];

/**
 * One execution history entry. `tags` is the normalised comma list.
 *
 * @example
 * ```ts
 * const label = (e: HistoryEntry) => `${e.exec_type} ${e.success ? "ok" : "failed"}: ${e.code}`;
 * ```
 */
export interface HistoryEntry {
  id: string;
  session_id: string | null;
  exec_type: string;
  code: string;
  success: boolean;
  execution_time_ms: number;
  output: string | null;
  error: string | null;
  payload_ref: string | null;
  description: string | null;
  tags: string | null;
  notes: string | null;
  created_at: string;
}

/**
 * A page of history, newest first, with the total count of matches.
 *
 * @example
 * ```ts
 * const ids = (p: HistoryPage) => p.entries.map((e) => e.id);
 * ```
 */
export interface HistoryPage {
  entries: HistoryEntry[];
  total: number;
}

/**
 * An offset page (candidates, releases) with the total count of matches.
 *
 * @example
 * ```ts
 * const p: OffsetPage<number> = { items: [1, 2], total: 2 };
 * ```
 */
export interface OffsetPage<T> {
  items: T[];
  total: number;
}

/**
 * A stored payload's reference (`blob:blob-…`).
 *
 * @example
 * ```ts
 * const r: PayloadRef = { payload_ref: "blob:blob-1f2e3d4c5b6a", kind: "generic" };
 * ```
 */
export interface PayloadRef {
  payload_ref: string;
  kind: string;
}

/**
 * A stored payload with its content.
 *
 * @example
 * ```ts
 * const content = (p: Payload) => p.payload;
 * ```
 */
export interface Payload extends PayloadRef {
  payload: unknown;
}

/**
 * Every candidate status.
 *
 * @example
 * ```ts
 * console.log(CANDIDATE_STATUSES.length);
 * ```
 */
export const CANDIDATE_STATUSES = [
  "draft",
  "evaluating",
  "rejected",
  "promoted",
  "rolled_back",
] as const;

/**
 * A candidate status.
 *
 * @example
 * ```ts
 * const s: CandidateStatus = "draft";
 * ```
 */
export type CandidateStatus = typeof CANDIDATE_STATUSES[number];

/**
 * A skill candidate built from executions.
 *
 * @example
 * ```ts
 * const ready = (c: Candidate) => c.status === "evaluating" && c.latest_pass === true;
 * ```
 */
export interface Candidate {
  id: string;
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
  last_evaluated_at: string | null;
  promotion_release_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/**
 * An evaluation of a candidate.
 *
 * @example
 * ```ts
 * const passed = (e: Evaluation) => e.passed;
 * ```
 */
export interface Evaluation {
  id: string;
  candidate_id: string;
  benchmark_id: string | null;
  score: number | null;
  passed: boolean;
  report: string | null;
  evaluated_by: string;
  created_at: string;
}

/**
 * Every release stage.
 *
 * @example
 * ```ts
 * console.log(RELEASE_STAGES[0]);
 * ```
 */
export const RELEASE_STAGES = ["canary", "stable"] as const;

/**
 * A release stage.
 *
 * @example
 * ```ts
 * const s: ReleaseStage = "stable";
 * ```
 */
export type ReleaseStage = typeof RELEASE_STAGES[number];

/**
 * A versioned release of a skill.
 *
 * @example
 * ```ts
 * const label = (r: Release) => `${r.skill_key}@${r.version} (${r.stage})`;
 * ```
 */
export interface Release {
  id: string;
  skill_key: string;
  candidate_id: string;
  version: number;
  stage: ReleaseStage;
  is_active: boolean;
  release_mode: string;
  promoted_by: string;
  promoted_at: string;
  rollback_of: string | null;
  health_window_end_at: string | null;
  upgrade_of_release_id: string | null;
  upgrade_reason: string | null;
  change_summary: string | null;
}

/**
 * What a soft delete answers.
 *
 * @example
 * ```ts
 * const when = (d: DeletedRecord) => d.deleted_at;
 * ```
 */
export interface DeletedRecord {
  id: string;
  deleted_at: string;
  deleted_by: string | null;
  delete_reason: string | null;
}

/**
 * The health of a release over its window against a baseline.
 *
 * @example
 * ```ts
 * const act = (h: ReleaseHealth) => (h.should_rollback ? h.rollback_reasons : []);
 * ```
 */
export interface ReleaseHealth {
  release_id: string;
  skill_key: string;
  stage: ReleaseStage;
  window_start_at: string;
  window_end_at: string;
  window_complete: boolean;
  samples: number;
  success_rate: number;
  error_rate: number;
  p95_duration: number;
  baseline_success_rate: number;
  baseline_error_rate: number;
  baseline_samples: number;
  success_drop: number;
  error_rate_multiplier: number;
  healthy: boolean;
  should_rollback: boolean;
  rollback_reasons: ("success_rate_drop" | "error_rate_regression")[];
  thresholds: { success_drop: number; error_rate_multiplier: number };
}
