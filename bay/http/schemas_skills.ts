/**
 * Request and response schemas of the skills API (API §7). Enumerations
 * whose bad values are semantic failures (candidate status, release stage)
 * are plain strings here and checked by the services (400, not 422).
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { OffsetQuery, QueryFlag } from "./schemas_history.ts";

const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });
const Text = (max: number) => z.string().max(max).nullish();
const JsonObject = z.record(z.string(), z.unknown());

/** Deepest nesting accepted in free-form JSON input (deeper input broke storage: a 500). */
export const MAX_JSON_DEPTH = 128;

/** Whether `value` nests at most `max` arrays/objects deep (iterative: no stack to overflow). */
export function withinDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d >= max) return false;
    for (const x of Array.isArray(v) ? v : Object.values(v)) stack.push([x, d + 1]);
  }
  return true;
}
const shallow = { message: `nested deeper than ${MAX_JSON_DEPTH} levels` };
/** Free-form JSON object of a request, depth-bounded. */
const JsonInput = JsonObject.refine((v) => withinDepth(v), shallow);

/** Path parameter `{id}` of a candidate or release. */
export const SkillIdParam = z.object({ id: z.string().max(64) });

/** Path parameter `{payload_ref}`. */
export const PayloadParam = z.object({
  payload_ref: z.string().max(200).openapi({ example: "blob:blob-1f2e3d4c5b6a" }),
});

/** Body of `POST /v1/skills/payloads`. */
export const CreatePayloadBody = z.object({
  payload: z.union([JsonObject, z.array(z.unknown())]).refine((v) => withinDepth(v), shallow),
  kind: z.string().min(1).max(64).default("generic"),
}).strict().openapi("CreatePayload");

/** A payload reference. */
export const PayloadRef = z.object({
  payload_ref: z.string().openapi({ example: "blob:blob-1f2e3d4c5b6a" }),
  kind: z.string(),
}).openapi("PayloadRef");

/** A payload with its content. */
export const Payload = PayloadRef.extend({ payload: z.unknown() }).openapi("Payload");

/** Body of `POST /v1/skills/candidates`. */
export const CreateCandidateBody = z.object({
  skill_key: z.string().max(200),
  source_execution_ids: z.array(z.string().max(64)).max(1000),
  scenario_key: Text(200),
  payload_ref: Text(200),
  summary: Text(20_000),
  usage_notes: Text(20_000),
  preconditions: JsonInput.nullish(),
  postconditions: JsonInput.nullish(),
}).strict().openapi("CreateCandidate");

/** A skill candidate. */
export const Candidate = z.object({
  id: z.string().openapi({ example: "sc-1f2e3d4c5b6a" }),
  skill_key: z.string(),
  scenario_key: z.string().nullable(),
  payload_ref: z.string().nullable(),
  skill_type: z.string(),
  summary: z.string().nullable(),
  usage_notes: z.string().nullable(),
  preconditions: JsonObject.nullable(),
  postconditions: JsonObject.nullable(),
  source_execution_ids: z.array(z.string()),
  status: z.enum(["draft", "evaluating", "rejected", "promoted", "rolled_back"]),
  latest_score: z.number().nullable(),
  latest_pass: z.boolean().nullable(),
  last_evaluated_at: Iso.nullable(),
  promotion_release_id: z.string().nullable(),
  created_by: z.string(),
  created_at: Iso,
  updated_at: Iso,
}).openapi("Candidate");

/** A page of candidates. */
export const CandidateList = z.object({ items: z.array(Candidate), total: z.number().int() })
  .openapi("CandidateList");

/** Query of `GET /v1/skills/candidates`. */
export const ListCandidatesQuery = OffsetQuery.extend({
  status: z.string().max(64).optional().openapi({
    description: "draft|evaluating|rejected|promoted|rolled_back (anything else is 400)",
  }),
  skill_key: z.string().max(200).optional(),
});

/** Body of `POST …/evaluate`. */
export const EvaluateBody = z.object({
  passed: z.boolean(),
  score: z.number().nullish(),
  benchmark_id: Text(200),
  report: z.union([z.string().max(1024 * 1024), JsonInput]).nullish().openapi({
    description: "text (usually JSON) or an object, stored as JSON text",
  }),
}).strict().openapi("Evaluate");

/** An evaluation. */
export const Evaluation = z.object({
  id: z.string().openapi({ example: "se-1f2e3d4c5b6a" }),
  candidate_id: z.string(),
  benchmark_id: z.string().nullable(),
  score: z.number().nullable(),
  passed: z.boolean(),
  report: z.string().nullable(),
  evaluated_by: z.string(),
  created_at: Iso,
}).openapi("Evaluation");

/** Body of `POST …/promote`. */
export const PromoteBody = z.object({
  stage: z.string().max(32).default("canary").openapi({
    description: "canary|stable (anything else is 400)",
  }),
  upgrade_of_release_id: Text(64),
  upgrade_reason: Text(4000),
  change_summary: Text(20_000),
}).strict().openapi("Promote");

/** A release. */
export const Release = z.object({
  id: z.string().openapi({ example: "sr-1f2e3d4c5b6a" }),
  skill_key: z.string(),
  candidate_id: z.string(),
  version: z.number().int(),
  stage: z.enum(["canary", "stable"]),
  is_active: z.boolean(),
  release_mode: z.string(),
  promoted_by: z.string(),
  promoted_at: Iso,
  rollback_of: z.string().nullable(),
  health_window_end_at: Iso.nullable(),
  upgrade_of_release_id: z.string().nullable(),
  upgrade_reason: z.string().nullable(),
  change_summary: z.string().nullable(),
}).openapi("Release");

/** A page of releases. */
export const ReleaseList = z.object({ items: z.array(Release), total: z.number().int() })
  .openapi("ReleaseList");

/** Query of `GET /v1/skills/releases`. */
export const ListReleasesQuery = OffsetQuery.extend({
  skill_key: z.string().max(200).optional(),
  active_only: QueryFlag,
  stage: z.string().max(32).optional().openapi({
    description: "canary|stable (anything else is 400)",
  }),
});

/** Body of a soft delete. */
export const DeleteBody = z.object({ reason: Text(4000) }).strict().openapi("SoftDelete");

/** What a soft delete answers. */
export const Deleted = z.object({
  id: z.string(),
  deleted_at: Iso,
  deleted_by: z.string().nullable(),
  delete_reason: z.string().nullable(),
}).openapi("Deleted");

/** The health of a release over its window. */
export const ReleaseHealth = z.object({
  release_id: z.string(),
  skill_key: z.string(),
  stage: z.enum(["canary", "stable"]),
  window_start_at: Iso,
  window_end_at: Iso,
  window_complete: z.boolean(),
  samples: z.number().int(),
  success_rate: z.number(),
  error_rate: z.number(),
  p95_duration: z.number().int(),
  baseline_success_rate: z.number(),
  baseline_error_rate: z.number(),
  baseline_samples: z.number().int(),
  success_drop: z.number(),
  error_rate_multiplier: z.number(),
  healthy: z.boolean(),
  should_rollback: z.boolean(),
  rollback_reasons: z.array(z.enum(["success_rate_drop", "error_rate_regression"])),
  thresholds: z.object({ success_drop: z.number(), error_rate_multiplier: z.number() }),
}).openapi("ReleaseHealth");
