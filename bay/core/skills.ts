/**
 * Skill evidence and candidates (API §7): JSON payload blobs, candidates
 * built from the caller's executions, evaluations, and candidate deletion.
 * Releases are in `releases.ts`.
 *
 * @module
 */
import { BayError, notFound } from "../errors.ts";
import type { Db } from "../store/db.ts";
import { ownedExecutionIds } from "../store/history.ts";
import { candidateHasActiveRelease, lockSkillKey } from "../store/releases.ts";
import { CANDIDATE_STATUSES, type CandidateStatus } from "../store/skill_rows.ts";
import {
  getBlob,
  getCandidate,
  insertBlob,
  insertCandidate,
  insertEvaluation,
  listCandidates,
  updateCandidate,
} from "../store/skills.ts";
import { newId } from "./ids.ts";
import {
  type CandidateView,
  candidateView,
  deletedView,
  type EvaluationView,
  evaluationView,
} from "./skill_views.ts";

const BLOB_REF = "blob:";

/** Body of `POST /v1/skills/candidates`. */
export interface CreateCandidateInput {
  skill_key: string;
  source_execution_ids: string[];
  scenario_key?: string | null;
  payload_ref?: string | null;
  summary?: string | null;
  usage_notes?: string | null;
  preconditions?: Record<string, unknown> | null;
  postconditions?: Record<string, unknown> | null;
}

/** Body of `POST …/evaluate`; an object `report` is stored as its JSON text. */
export interface EvaluateInput {
  passed: boolean;
  score?: number | null;
  benchmark_id?: string | null;
  report?: string | Record<string, unknown> | null;
}

/** Payloads, candidates and evaluations of owners. */
export class SkillService {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Store a JSON payload; returns its `blob:` reference. */
  async createPayload(
    owner: string,
    payload: unknown,
    kind: string,
  ): Promise<{ payload_ref: string; kind: string }> {
    const row = await insertBlob(this.#db, { id: newId("blob"), owner, kind, payload });
    return { payload_ref: BLOB_REF + row.id, kind: row.kind };
  }

  /** A payload by reference: 400 unless it is a `blob:` reference, 404 when unknown. */
  async getPayload(
    owner: string,
    ref: string,
  ): Promise<{ payload_ref: string; kind: string; payload: unknown }> {
    if (!ref.startsWith(BLOB_REF)) {
      throw new BayError("validation_error", "payload_ref must look like blob:<id>", {
        field: "payload_ref",
      });
    }
    const row = await getBlob(this.#db, owner, ref.slice(BLOB_REF.length));
    if (!row) throw notFound("payload", ref);
    return { payload_ref: ref, kind: row.kind, payload: row.payload };
  }

  /** Create a draft candidate from executions of the caller (deleted sandboxes included). */
  async createCandidate(owner: string, input: CreateCandidateInput): Promise<CandidateView> {
    const skillKey = input.skill_key.trim();
    if (!skillKey) {
      throw new BayError("validation_error", "skill_key must not be blank", {
        field: "skill_key",
      });
    }
    const ids = [...new Set(input.source_execution_ids)];
    if (ids.length === 0) {
      throw new BayError("validation_error", "source_execution_ids must not be empty", {
        field: "source_execution_ids",
      });
    }
    const owned = await ownedExecutionIds(this.#db, owner, ids);
    const unknown = ids.filter((id) => !owned.has(id));
    if (unknown.length > 0) {
      throw new BayError("validation_error", `not an execution of yours: ${unknown.join(", ")}`, {
        field: "source_execution_ids",
        unknown_ids: unknown,
      });
    }
    if (input.payload_ref != null) {
      const ref = input.payload_ref;
      const ok = ref.startsWith(BLOB_REF) &&
        await getBlob(this.#db, owner, ref.slice(BLOB_REF.length));
      if (!ok) {
        throw new BayError("validation_error", `unknown payload_ref: ${ref}`, {
          field: "payload_ref",
        });
      }
    }
    const row = await insertCandidate(this.#db, {
      id: newId("candidate"),
      owner,
      skill_key: skillKey,
      scenario_key: input.scenario_key ?? null,
      payload_ref: input.payload_ref ?? null,
      summary: input.summary ?? null,
      usage_notes: input.usage_notes ?? null,
      preconditions: input.preconditions ?? null,
      postconditions: input.postconditions ?? null,
      source_execution_ids: ids,
      created_by: owner,
    });
    return candidateView(row);
  }

  /** A page of live candidates, newest first; an unknown `status` is 400. */
  async listCandidates(
    owner: string,
    q: { status?: string; skill_key?: string; limit: number; offset: number },
  ): Promise<{ items: CandidateView[]; total: number }> {
    if (q.status !== undefined && !CANDIDATE_STATUSES.includes(q.status as CandidateStatus)) {
      throw new BayError("validation_error", `unknown candidate status: ${q.status}`, {
        field: "status",
        allowed: [...CANDIDATE_STATUSES],
      });
    }
    const { rows, total } = await listCandidates(
      this.#db,
      owner,
      {
        status: q.status as CandidateStatus | undefined,
        skillKey: q.skill_key,
      },
      q.limit,
      q.offset,
    );
    return { items: rows.map(candidateView), total };
  }

  /** One live candidate. */
  async getCandidate(owner: string, id: string): Promise<CandidateView> {
    const row = await getCandidate(this.#db, owner, id);
    if (!row) throw notFound("candidate", id);
    return candidateView(row);
  }

  /**
   * Record an evaluation. The candidate becomes `evaluating` (`rejected` when
   * it did not pass) and remembers the score, the verdict and the time.
   */
  evaluate(owner: string, id: string, input: EvaluateInput): Promise<EvaluationView> {
    return this.#db.transaction(async (tx) => {
      const cand = await getCandidate(tx, owner, id, true);
      if (!cand) throw notFound("candidate", id);
      const report = input.report == null
        ? null
        : typeof input.report === "string"
        ? input.report
        : JSON.stringify(input.report);
      const ev = await insertEvaluation(tx, {
        id: newId("evaluation"),
        owner,
        candidate_id: cand.id,
        benchmark_id: input.benchmark_id ?? null,
        score: input.score ?? null,
        passed: input.passed,
        report,
        evaluated_by: owner,
      });
      await updateCandidate(tx, cand.id, {
        status: input.passed ? "evaluating" : "rejected",
        latest_score: ev.score,
        latest_pass: ev.passed,
        last_evaluated_at: ev.created_at,
      });
      return evaluationView(ev);
    });
  }

  /** Soft-delete a candidate; 409 while an active release uses it. */
  async deleteCandidate(owner: string, id: string, reason: string | null) {
    const found = await getCandidate(this.#db, owner, id);
    if (!found) throw notFound("candidate", id);
    return await this.#db.transaction(async (tx) => {
      await lockSkillKey(tx, owner, found.skill_key);
      const cand = await getCandidate(tx, owner, id, true);
      if (!cand) throw notFound("candidate", id);
      if (await candidateHasActiveRelease(tx, id)) {
        throw new BayError("conflict", `candidate ${id} is used by an active release`, {
          candidate_id: id,
        });
      }
      const row = await updateCandidate(tx, id, {
        deleted_at: new Date(),
        deleted_by: owner,
        delete_reason: reason,
      });
      return deletedView(row);
    });
  }
}
