/**
 * Skill releases (API §7): promotion of an evaluated candidate, listing,
 * rollback, soft deletion and health. Every write that numbers versions or
 * switches the active release runs in one transaction under the skill key's
 * lock, so concurrent writers of a key cannot collide.
 *
 * @module
 */
import { BayError, notFound } from "../errors.ts";
import type { Db } from "../store/db.ts";
import {
  getRelease,
  insertActiveRelease,
  listReleases,
  lockSkillKey,
  markReleaseDeleted,
  previousRelease,
} from "../store/releases.ts";
import { RELEASE_STAGES, type ReleaseStage } from "../store/skill_rows.ts";
import { getCandidate, updateCandidate } from "../store/skills.ts";
import { newId } from "./ids.ts";
import { type ReleaseHealth, releaseHealth } from "./release_health.ts";
import { deletedView, type ReleaseView, releaseView } from "./skill_views.ts";

/** Body of `POST …/promote`. */
export interface PromoteInput {
  stage: string;
  upgrade_of_release_id?: string | null;
  upgrade_reason?: string | null;
  change_summary?: string | null;
}

/** Query of `GET /v1/skills/releases`. */
export interface ListReleasesQuery {
  skill_key?: string;
  active_only?: boolean;
  stage?: string;
  limit: number;
  offset: number;
}

function stageOf(stage: string): ReleaseStage {
  if (!RELEASE_STAGES.includes(stage as ReleaseStage)) {
    throw new BayError("validation_error", `unknown release stage: ${stage}`, {
      field: "stage",
      allowed: [...RELEASE_STAGES],
    });
  }
  return stage as ReleaseStage;
}

/** Releases of owners. */
export class ReleaseService {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /**
   * Release a candidate whose latest evaluation passed (409 otherwise) as the
   * next version of its key, active, deactivating every other release of the
   * key; the candidate becomes `promoted`.
   */
  async promote(owner: string, candidateId: string, input: PromoteInput): Promise<ReleaseView> {
    const stage = stageOf(input.stage);
    const found = await getCandidate(this.#db, owner, candidateId);
    if (!found) throw notFound("candidate", candidateId);
    return await this.#db.transaction(async (tx) => {
      await lockSkillKey(tx, owner, found.skill_key);
      const cand = await getCandidate(tx, owner, candidateId, true);
      if (!cand) throw notFound("candidate", candidateId);
      if (cand.latest_pass !== true) {
        throw new BayError("conflict", `candidate ${candidateId} has no passing evaluation`, {
          candidate_id: candidateId,
        });
      }
      const upgradeOf = input.upgrade_of_release_id ?? null;
      if (upgradeOf !== null && !await getRelease(tx, owner, upgradeOf)) {
        throw new BayError("validation_error", `unknown upgrade_of_release_id: ${upgradeOf}`, {
          field: "upgrade_of_release_id",
        });
      }
      const release = await insertActiveRelease(tx, {
        id: newId("release"),
        owner,
        skill_key: cand.skill_key,
        candidate_id: cand.id,
        stage,
        promoted_by: owner,
        rollback_of: null,
        upgrade_of_release_id: upgradeOf,
        upgrade_reason: input.upgrade_reason ?? null,
        change_summary: input.change_summary ?? null,
      });
      await updateCandidate(tx, cand.id, {
        status: "promoted",
        promotion_release_id: release.id,
      });
      return releaseView(release);
    });
  }

  /** A page of live releases by `promoted_at` descending; an unknown `stage` is 400. */
  async list(
    owner: string,
    q: ListReleasesQuery,
  ): Promise<{ items: ReleaseView[]; total: number }> {
    const stage = q.stage === undefined ? undefined : stageOf(q.stage);
    const { rows, total } = await listReleases(
      this.#db,
      owner,
      {
        skillKey: q.skill_key,
        activeOnly: q.active_only,
        stage,
      },
      q.limit,
      q.offset,
    );
    return { items: rows.map(releaseView), total };
  }

  /**
   * Roll a release back: a new active release (next version) of the
   * candidate and stage of the newest earlier live release of the key whose
   * candidate is not deleted, with `rollback_of` set; the rolled-back
   * release's candidate becomes `rolled_back`. 409 when there is none.
   */
  async rollback(owner: string, releaseId: string): Promise<ReleaseView> {
    const found = await getRelease(this.#db, owner, releaseId);
    if (!found) throw notFound("release", releaseId);
    return await this.#db.transaction(async (tx) => {
      await lockSkillKey(tx, owner, found.skill_key);
      const current = await getRelease(tx, owner, releaseId, true);
      if (!current) throw notFound("release", releaseId);
      const previous = await previousRelease(tx, current, true);
      if (!previous) {
        throw new BayError("conflict", `release ${releaseId} has no earlier release to restore`, {
          release_id: releaseId,
        });
      }
      const release = await insertActiveRelease(tx, {
        id: newId("release"),
        owner,
        skill_key: current.skill_key,
        candidate_id: previous.candidate_id,
        stage: previous.stage,
        promoted_by: owner,
        rollback_of: current.id,
        upgrade_of_release_id: null,
        upgrade_reason: null,
        change_summary: null,
      });
      await updateCandidate(tx, current.candidate_id, { status: "rolled_back" });
      return releaseView(release);
    });
  }

  /** Soft-delete a release, deactivating it when active. */
  async delete(owner: string, releaseId: string, reason: string | null) {
    const found = await getRelease(this.#db, owner, releaseId);
    if (!found) throw notFound("release", releaseId);
    return await this.#db.transaction(async (tx) => {
      await lockSkillKey(tx, owner, found.skill_key);
      const current = await getRelease(tx, owner, releaseId, true);
      if (!current) throw notFound("release", releaseId);
      return deletedView(await markReleaseDeleted(tx, current.id, owner, reason));
    });
  }

  /** Health of a live release over its window (see {@link releaseHealth}). */
  async health(owner: string, releaseId: string): Promise<ReleaseHealth> {
    const release = await getRelease(this.#db, owner, releaseId);
    if (!release) throw notFound("release", releaseId);
    return await releaseHealth(this.#db, release);
  }
}
