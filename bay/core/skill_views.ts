/**
 * Skill rows turned into the API's JSON objects (API §7).
 *
 * @module
 */
import type { CandidateRow, EvaluationRow, ReleaseRow } from "../store/skill_rows.ts";
import { iso } from "./views.ts";

/** The candidate object of the API. */
export function candidateView(r: CandidateRow) {
  return {
    id: r.id,
    skill_key: r.skill_key,
    scenario_key: r.scenario_key,
    payload_ref: r.payload_ref,
    skill_type: r.skill_type,
    summary: r.summary,
    usage_notes: r.usage_notes,
    preconditions: r.preconditions,
    postconditions: r.postconditions,
    source_execution_ids: [...r.source_execution_ids],
    status: r.status,
    latest_score: r.latest_score,
    latest_pass: r.latest_pass,
    last_evaluated_at: iso(r.last_evaluated_at),
    promotion_release_id: r.promotion_release_id,
    created_by: r.created_by,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

/** The API's candidate object. */
export type CandidateView = ReturnType<typeof candidateView>;

/** The evaluation object of the API. */
export function evaluationView(r: EvaluationRow) {
  return {
    id: r.id,
    candidate_id: r.candidate_id,
    benchmark_id: r.benchmark_id,
    score: r.score,
    passed: r.passed,
    report: r.report,
    evaluated_by: r.evaluated_by,
    created_at: iso(r.created_at)!,
  };
}

/** The API's evaluation object. */
export type EvaluationView = ReturnType<typeof evaluationView>;

/** The release object of the API. */
export function releaseView(r: ReleaseRow) {
  return {
    id: r.id,
    skill_key: r.skill_key,
    candidate_id: r.candidate_id,
    version: r.version,
    stage: r.stage,
    is_active: r.is_active,
    release_mode: r.release_mode,
    promoted_by: r.promoted_by,
    promoted_at: iso(r.promoted_at)!,
    rollback_of: r.rollback_of,
    health_window_end_at: iso(r.health_window_end_at),
    upgrade_of_release_id: r.upgrade_of_release_id,
    upgrade_reason: r.upgrade_reason,
    change_summary: r.change_summary,
  };
}

/** The API's release object. */
export type ReleaseView = ReturnType<typeof releaseView>;

/** What a soft delete answers. */
export function deletedView(
  r: {
    id: string;
    deleted_at: Date | null;
    deleted_by: string | null;
    delete_reason: string | null;
  },
) {
  return {
    id: r.id,
    deleted_at: iso(r.deleted_at)!,
    deleted_by: r.deleted_by,
    delete_reason: r.delete_reason,
  };
}
