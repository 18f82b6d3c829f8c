/**
 * Skill lifecycle tools: payloads, candidates (create, get, list, evaluate,
 * promote, delete) and releases (list, rollback, delete, health).
 *
 * @module
 */
import { CANDIDATE_STATUSES, RELEASE_STAGES } from "@shipyard/sdk";
import { z } from "zod";
import type { ToolFamily } from "./_context.ts";
import { guard, jsonResult } from "./_format.ts";
import { deleteReason, pageLimit, pageOffset } from "./_schemas.ts";

const jsonObject = z.record(z.string(), z.unknown());
const candidateId = z.string().min(1).describe("Skill candidate ID (sc-…).");
const releaseId = z.string().min(1).describe("Skill release ID (sr-…).");

/** Register the skill tools. */
export const skillTools: ToolFamily = (server, ctx) => {
  const { bay, limits } = ctx;
  const ok = (v: unknown) => jsonResult(v, limits);

  server.registerTool(
    "create_skill_payload",
    {
      description: "Store a JSON payload (object or array) for a skill and return its stable " +
        "payload_ref (blob:…), to pass to create_skill_candidate.",
      inputSchema: {
        payload: z.union([jsonObject, z.array(z.unknown())]).describe("JSON object or array."),
        kind: z.string().optional().describe("Payload kind. Defaults to 'generic'."),
      },
    },
    ({ payload, kind }, { signal }) =>
      guard(async () => ok(await bay.skills.createPayload(payload, { kind, signal }))),
  );

  server.registerTool(
    "get_skill_payload",
    {
      description: "Get a skill payload by its payload_ref.",
      inputSchema: {
        payload_ref: z.string().min(1).describe("Payload reference (blob:blob-…)."),
      },
      annotations: { readOnlyHint: true },
    },
    ({ payload_ref }, { signal }) =>
      guard(async () => ok(await bay.skills.getPayload(payload_ref, { signal }))),
  );

  server.registerTool(
    "create_skill_candidate",
    {
      description: "Create a reusable skill candidate from executions of yours (their IDs are " +
        "the evidence), with an optional payload, summary, usage notes and pre/postconditions.",
      inputSchema: {
        skill_key: z.string().min(1).describe("Skill identifier, e.g. 'csv-loader'."),
        source_execution_ids: z.array(z.string()).min(1).describe(
          "Execution IDs used as source evidence.",
        ),
        scenario_key: z.string().optional().describe("Optional scenario key."),
        payload_ref: z.string().optional().describe("Optional payload reference."),
        summary: z.string().optional().describe("Optional human-readable summary."),
        usage_notes: z.string().optional().describe("Optional usage notes."),
        preconditions: jsonObject.optional().describe("Optional JSON object of preconditions."),
        postconditions: jsonObject.optional().describe("Optional JSON object of postconditions."),
      },
    },
    (input, { signal }) =>
      guard(async () => ok(await bay.skills.createCandidate(input, { signal }))),
  );

  server.registerTool(
    "get_skill_candidate",
    {
      description: "Get one skill candidate with its status and latest evaluation.",
      inputSchema: { candidate_id: candidateId },
      annotations: { readOnlyHint: true },
    },
    ({ candidate_id }, { signal }) =>
      guard(async () => ok(await bay.skills.getCandidate(candidate_id, { signal }))),
  );

  server.registerTool("list_skill_candidates", {
    description: "List skill candidates, newest first, with optional filters.",
    inputSchema: {
      status: z.enum(CANDIDATE_STATUSES).optional().describe("Status filter."),
      skill_key: z.string().optional().describe("Skill key filter."),
      limit: pageLimit,
      offset: pageOffset,
    },
    annotations: { readOnlyHint: true },
  }, ({ status, skill_key, limit, offset }, { signal }) =>
    guard(async () =>
      ok(
        await bay.skills.listCandidates({
          status,
          skillKey: skill_key,
          limit: limit ?? 50,
          offset,
          signal,
        }),
      )
    ));

  server.registerTool(
    "evaluate_skill_candidate",
    {
      description: "Record an evaluation of a skill candidate (passed=false rejects it).",
      inputSchema: {
        candidate_id: candidateId,
        passed: z.boolean().describe("Whether the evaluation passed."),
        score: z.number().optional().describe("Optional score, e.g. 0.0-1.0."),
        benchmark_id: z.string().optional().describe("Optional benchmark ID."),
        report: z.union([z.string(), jsonObject]).optional().describe(
          "Optional report: text, or a JSON object (e.g. replay_success, error_rate, samples).",
        ),
      },
    },
    ({ candidate_id, ...input }, { signal }) =>
      guard(async () => ok(await bay.skills.evaluate(candidate_id, input, { signal }))),
  );

  server.registerTool(
    "promote_skill_candidate",
    {
      description: "Promote a candidate with a passing evaluation to a release (canary or " +
        "stable); it becomes the active version of its skill_key.",
      inputSchema: {
        candidate_id: candidateId,
        stage: z.enum(RELEASE_STAGES).optional().describe("Release stage. Defaults to canary."),
        upgrade_of_release_id: z.string().optional().describe(
          "Optional parent release this promotion upgrades.",
        ),
        upgrade_reason: z.string().optional().describe("Optional reason for the upgrade."),
        change_summary: z.string().optional().describe("Optional change summary."),
      },
    },
    ({ candidate_id, ...input }, { signal }) =>
      guard(async () => ok(await bay.skills.promote(candidate_id, input, { signal }))),
  );

  server.registerTool(
    "delete_skill_candidate",
    {
      description: "Soft-delete a skill candidate (refused while an active release uses it).",
      inputSchema: { candidate_id: candidateId, reason: deleteReason },
      annotations: { destructiveHint: true },
    },
    ({ candidate_id, reason }, { signal }) =>
      guard(async () => ok(await bay.skills.deleteCandidate(candidate_id, { reason, signal }))),
  );

  server.registerTool("list_skill_releases", {
    description: "List skill releases, newest first, with optional filters.",
    inputSchema: {
      skill_key: z.string().optional().describe("Skill key filter."),
      active_only: z.boolean().optional().describe("Only active releases."),
      stage: z.enum(RELEASE_STAGES).optional().describe("Stage filter."),
      limit: pageLimit,
      offset: pageOffset,
    },
    annotations: { readOnlyHint: true },
  }, ({ skill_key, active_only, stage, limit, offset }, { signal }) =>
    guard(async () =>
      ok(
        await bay.skills.listReleases({
          skillKey: skill_key,
          activeOnly: active_only,
          stage,
          limit: limit ?? 50,
          offset,
          signal,
        }),
      )
    ));

  server.registerTool(
    "rollback_skill_release",
    {
      description: "Roll back a release: the newest earlier release of the same skill_key is " +
        "restored as a new active version.",
      inputSchema: { release_id: releaseId },
    },
    ({ release_id }, { signal }) =>
      guard(async () => ok(await bay.skills.rollback(release_id, { signal }))),
  );

  server.registerTool(
    "delete_skill_release",
    {
      description: "Soft-delete a skill release (deactivating it if active).",
      inputSchema: { release_id: releaseId, reason: deleteReason },
      annotations: { destructiveHint: true },
    },
    ({ release_id, reason }, { signal }) =>
      guard(async () => ok(await bay.skills.deleteRelease(release_id, { reason, signal }))),
  );

  server.registerTool(
    "get_skill_release_health",
    {
      description: "A release's health over its observation window against its baseline: " +
        "samples, success and error rates, p95 duration, and whether it should be rolled back.",
      inputSchema: { release_id: releaseId },
      annotations: { readOnlyHint: true },
    },
    ({ release_id }, { signal }) =>
      guard(async () => ok(await bay.skills.releaseHealth(release_id, { signal }))),
  );
};
