/**
 * Skills: evidence (executions, payloads) turned into candidates, evaluated,
 * released as canary or stable versions, rolled back, and watched.
 *
 * @module
 */
import type { CallOptions, Transport } from "./_http.ts";
import type {
  Candidate,
  CandidateStatus,
  DeletedRecord,
  Evaluation,
  OffsetPage,
  Payload,
  PayloadRef,
  Release,
  ReleaseHealth,
  ReleaseStage,
} from "./types_skills.ts";

/**
 * Fields of {@link Skills.createCandidate}.
 *
 * @example
 * ```ts
 * const c: CandidateInput = { skill_key: "csv.load", source_execution_ids: ["exec-1f2e3d4c5b6a"] };
 * ```
 */
export interface CandidateInput {
  skill_key: string;
  source_execution_ids: string[];
  scenario_key?: string | null;
  payload_ref?: string | null;
  summary?: string | null;
  usage_notes?: string | null;
  preconditions?: Record<string, unknown> | null;
  postconditions?: Record<string, unknown> | null;
}

/**
 * Fields of {@link Skills.evaluate}.
 *
 * @example
 * ```ts
 * const e: EvaluationInput = { passed: true, score: 0.97, report: { replay_success: 1 } };
 * ```
 */
export interface EvaluationInput {
  passed: boolean;
  score?: number | null;
  benchmark_id?: string | null;
  /** Text (usually JSON) or an object; stored as JSON text. */
  report?: string | Record<string, unknown> | null;
}

/**
 * Fields of {@link Skills.promote}.
 *
 * @example
 * ```ts
 * const p: PromoteInput = { stage: "stable", change_summary: "faster parsing" };
 * ```
 */
export interface PromoteInput {
  stage?: ReleaseStage;
  upgrade_of_release_id?: string | null;
  upgrade_reason?: string | null;
  change_summary?: string | null;
}

/**
 * Paging shared by the candidate and release listings.
 *
 * @example
 * ```ts
 * const p: Paging = { limit: 20, offset: 40 };
 * ```
 */
export interface Paging extends CallOptions {
  /** Page size 1–500 (default 100). */
  limit?: number;
  offset?: number;
}

/**
 * `bay.skills`.
 *
 * @example
 * ```ts
 * import type { BayClient, Sandbox } from "@shipyard/sdk";
 * async function demo(bay: BayClient, sb: Sandbox) {
 *   const run = await sb.python.exec("import csv");
 *   const cand = await bay.skills.createCandidate({
 *     skill_key: "csv.load",
 *     source_execution_ids: [run.execution_id],
 *   });
 *   await bay.skills.evaluate(cand.id, { passed: true, score: 1 });
 *   const rel = await bay.skills.promote(cand.id, { stage: "canary" });
 *   const health = await bay.skills.releaseHealth(rel.id);
 *   if (health.should_rollback) await bay.skills.rollback(rel.id);
 * }
 * ```
 */
export class Skills {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Store a JSON payload; returns its `blob:` reference. Not retried. */
  createPayload(
    payload: Record<string, unknown> | unknown[],
    opts: CallOptions & { kind?: string } = {},
  ): Promise<PayloadRef> {
    return this.#t.json({ route: "createPayload", json: { payload, kind: opts.kind } }, opts);
  }

  /** A payload by its `blob:` reference. */
  getPayload(payloadRef: string, opts: CallOptions = {}): Promise<Payload> {
    return this.#t.json({ route: "getPayload", params: { payload_ref: payloadRef } }, opts);
  }

  /** Create a candidate from executions of yours. Not retried. */
  createCandidate(input: CandidateInput, opts: CallOptions = {}): Promise<Candidate> {
    return this.#t.json({ route: "createCandidate", json: input }, opts);
  }

  /** Candidates newest first. */
  listCandidates(
    opts: Paging & { status?: CandidateStatus; skillKey?: string } = {},
  ): Promise<OffsetPage<Candidate>> {
    return this.#t.json({
      route: "listCandidates",
      query: {
        status: opts.status,
        skill_key: opts.skillKey,
        limit: opts.limit,
        offset: opts.offset,
      },
    }, opts);
  }

  /** One candidate. */
  getCandidate(id: string, opts: CallOptions = {}): Promise<Candidate> {
    return this.#t.json({ route: "getCandidate", params: { id } }, opts);
  }

  /** Record an evaluation (`passed: false` rejects the candidate). Not retried. */
  evaluate(id: string, input: EvaluationInput, opts: CallOptions = {}): Promise<Evaluation> {
    return this.#t.json({ route: "evaluateCandidate", params: { id }, json: input }, opts);
  }

  /** Release a candidate that passed an evaluation (`ConflictError` otherwise). Not retried. */
  promote(id: string, input: PromoteInput = {}, opts: CallOptions = {}): Promise<Release> {
    return this.#t.json({ route: "promoteCandidate", params: { id }, json: input }, opts);
  }

  /** Soft-delete a candidate (`ConflictError` while an active release uses it). */
  deleteCandidate(
    id: string,
    opts: CallOptions & { reason?: string } = {},
  ): Promise<DeletedRecord> {
    return this.#t.json({
      route: "deleteCandidate",
      params: { id },
      json: { reason: opts.reason },
    }, opts);
  }

  /** Releases newest first. */
  listReleases(
    opts: Paging & { skillKey?: string; activeOnly?: boolean; stage?: ReleaseStage } = {},
  ): Promise<OffsetPage<Release>> {
    return this.#t.json({
      route: "listReleases",
      query: {
        skill_key: opts.skillKey,
        active_only: opts.activeOnly === undefined ? undefined : String(opts.activeOnly),
        stage: opts.stage,
        limit: opts.limit,
        offset: opts.offset,
      },
    }, opts);
  }

  /** Restore the newest earlier release of the key as a new active version. Not retried. */
  rollback(id: string, opts: CallOptions = {}): Promise<Release> {
    return this.#t.json({ route: "rollbackRelease", params: { id } }, opts);
  }

  /** Soft-delete a release (deactivating it when active). */
  deleteRelease(id: string, opts: CallOptions & { reason?: string } = {}): Promise<DeletedRecord> {
    return this.#t.json({
      route: "deleteRelease",
      params: { id },
      json: { reason: opts.reason },
    }, opts);
  }

  /** A release's health over its window against its baseline. */
  releaseHealth(id: string, opts: CallOptions = {}): Promise<ReleaseHealth> {
    return this.#t.json({ route: "releaseHealth", params: { id } }, opts);
  }
}
