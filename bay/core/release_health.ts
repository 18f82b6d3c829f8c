/**
 * Release health (API §7): how the history entries tagged `release:<id>`
 * inside the release's window (promoted_at → +24 h) compare with a baseline.
 *
 * Baseline, in order: the entries of the previous live release of the key
 * (by version) in its own window, cut at this release's promotion, when
 * there are any; else the fields `replay_success`, `error_rate`, `samples`,
 * `p95_duration` of the latest evaluation report of this release's
 * candidate; else a perfect record (success 1, error 0, no samples).
 *
 * @module
 */
import type { Db } from "../store/db.ts";
import { tagMetrics } from "../store/history.ts";
import { previousRelease } from "../store/releases.ts";
import type { ReleaseRow } from "../store/skill_rows.ts";
import { latestEvaluation } from "../store/skills.ts";
import { iso } from "./views.ts";

/** When a release should be rolled back. */
export const HEALTH_THRESHOLDS = {
  /** Roll back when the success rate drops by more than this (absolute). */
  success_drop: 0.03,
  /** Roll back when the error rate exceeds this multiple of the baseline's. */
  error_rate_multiplier: 2,
} as const;

/** Sentinel multiplier for "errors where the baseline had none" (JSON has no Infinity). */
export const UNBOUNDED_MULTIPLIER = 1_000_000;

/** Why a release should be rolled back. */
export type RollbackReason = "success_rate_drop" | "error_rate_regression";

/** Success and error rates over some samples. */
export interface Metrics {
  samples: number;
  success_rate: number;
  error_rate: number;
  p95_duration: number;
}

const PERFECT: Metrics = { samples: 0, success_rate: 1, error_rate: 0, p95_duration: 0 };

/** Round away float noise (0.030000000000000027 → 0.03) so thresholds compare as meant. */
function tidy(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

async function observed(db: Db, owner: string, releaseId: string, start: Date, end: Date) {
  const m = await tagMetrics(db, owner, `release:${releaseId}`, start, end);
  if (m.samples === 0) return { samples: 0, success_rate: 0, error_rate: 0, p95_duration: 0 };
  return {
    samples: m.samples,
    success_rate: tidy(m.successes / m.samples),
    error_rate: tidy((m.samples - m.successes) / m.samples),
    p95_duration: m.p95,
  };
}

/** Baseline metrics from an evaluation report (JSON text); undefined when it has none. */
export function reportMetrics(report: string | null): Metrics | undefined {
  if (report == null) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(report);
  } catch {
    return undefined;
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) return undefined;
  const d = data as Record<string, unknown>;
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v) ? v : undefined;
  const clamp = (v: number) => Math.min(Math.max(v, 0), 1);
  const success = num(d.replay_success);
  const error = num(d.error_rate);
  if (success === undefined && error === undefined) return undefined;
  const successRate = clamp(success ?? 1 - (error ?? 0));
  return {
    samples: Math.max(0, Math.floor(num(d.samples) ?? 0)),
    success_rate: successRate,
    error_rate: clamp(error ?? 1 - successRate),
    p95_duration: Math.max(0, Math.round(num(d.p95_duration) ?? 0)),
  };
}

async function baseline(db: Db, release: ReleaseRow): Promise<Metrics> {
  const prev = await previousRelease(db, release);
  if (prev) {
    const end = prev.health_window_end_at < release.promoted_at
      ? prev.health_window_end_at
      : release.promoted_at;
    const m = await observed(db, release.owner, prev.id, prev.promoted_at, end);
    if (m.samples > 0) return m;
  }
  const ev = await latestEvaluation(db, release.candidate_id);
  return reportMetrics(ev?.report ?? null) ?? PERFECT;
}

/** The health report of a release. */
export async function releaseHealth(db: Db, release: ReleaseRow, now = new Date()) {
  const start = release.promoted_at;
  const end = release.health_window_end_at;
  const obs = await observed(db, release.owner, release.id, start, end);
  const base = await baseline(db, release);
  const successDrop = tidy(base.success_rate - obs.success_rate);
  const multiplier = base.error_rate > 0
    ? tidy(obs.error_rate / base.error_rate)
    : obs.error_rate > 0
    ? UNBOUNDED_MULTIPLIER
    : 1;
  const reasons: RollbackReason[] = [];
  if (obs.samples > 0) {
    if (successDrop > HEALTH_THRESHOLDS.success_drop) reasons.push("success_rate_drop");
    if (multiplier > HEALTH_THRESHOLDS.error_rate_multiplier) {
      reasons.push("error_rate_regression");
    }
  }
  return {
    release_id: release.id,
    skill_key: release.skill_key,
    stage: release.stage,
    window_start_at: iso(start)!,
    window_end_at: iso(end)!,
    window_complete: now.getTime() >= end.getTime(),
    samples: obs.samples,
    success_rate: obs.success_rate,
    error_rate: obs.error_rate,
    p95_duration: obs.p95_duration,
    baseline_success_rate: base.success_rate,
    baseline_error_rate: base.error_rate,
    baseline_samples: base.samples,
    success_drop: successDrop,
    error_rate_multiplier: multiplier,
    healthy: obs.samples > 0 && reasons.length === 0,
    should_rollback: reasons.length > 0,
    rollback_reasons: reasons,
    thresholds: { ...HEALTH_THRESHOLDS },
  };
}

/** The API's release health object. */
export type ReleaseHealth = Awaited<ReturnType<typeof releaseHealth>>;
