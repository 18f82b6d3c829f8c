/**
 * Samples Bay's /metrics every few seconds and keeps the last minutes as
 * chartable points: sessions by state, exec latency per interval, HTTP rate.
 * One sampler per tab; it runs while someone subscribes (the operator view).
 */
import { metricsText } from "../api/bay.ts";
import { type Histogram, histogram, mean, quantile, subtract } from "./histogram.ts";
import { byLabel, parseProm, total } from "./prom.ts";

export const INTERVAL_MS = 2000;
export const WINDOW_MS = 5 * 60_000;

export interface Point {
  /** Epoch ms of the scrape. */
  t: number;
  sessions: Record<string, number>;
  ships: number;
  /** Exec latency (ms) of executions that finished since the previous point. */
  exec: { count: number; p50: number | null; p95: number | null; mean: number | null };
  /** HTTP requests per second since the previous point. */
  httpRate: number | null;
}

export interface Snapshot {
  points: Point[];
  /** Exec latency since Bay started, per exec type. */
  execTotals: { type: string; count: number; p50: number | null; p95: number | null }[];
  error: string | null;
}

type Listener = (s: Snapshot) => void;

const toMs = (s: number | null) => (s === null ? null : s * 1000);

export class MetricsSampler {
  #points: Point[] = [];
  #execTotals: Snapshot["execTotals"] = [];
  #error: string | null = null;
  #prev: { t: number; exec: Histogram; http: number } | null = null;
  #listeners = new Set<Listener>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #inFlight = false;

  constructor(private readonly fetchText: () => Promise<string> = () => metricsText()) {}

  subscribe(fn: Listener): () => void {
    this.#listeners.add(fn);
    fn(this.snapshot());
    if (this.#listeners.size === 1 && !this.#inFlight && this.#timer === null) void this.#tick();
    return () => {
      this.#listeners.delete(fn);
      if (this.#listeners.size === 0 && this.#timer !== null) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
    };
  }

  snapshot(): Snapshot {
    return { points: this.#points, execTotals: this.#execTotals, error: this.#error };
  }

  /** Fold one scrape taken at `t` into the series. */
  ingest(text: string, t: number): void {
    const samples = parseProm(text);
    const exec = histogram(samples, "bay_exec_duration_seconds");
    const http = total(samples, "bay_http_requests_total");
    const prev = this.#prev;
    let execPoint: Point["exec"] = { count: 0, p50: null, p95: null, mean: null };
    let httpRate: number | null = null;
    if (prev && t > prev.t) {
      const d = subtract(exec, prev.exec);
      execPoint = {
        count: d.count,
        p50: toMs(quantile(0.5, d)),
        p95: toMs(quantile(0.95, d)),
        mean: toMs(mean(d)),
      };
      httpRate = Math.max(0, http - prev.http) / ((t - prev.t) / 1000);
    }
    this.#prev = { t, exec, http };
    const point: Point = {
      t,
      sessions: byLabel(samples, "bay_sessions", "state"),
      ships: total(samples, "bay_ships_connected"),
      exec: execPoint,
      httpRate,
    };
    this.#points = [...this.#points.filter((p) => p.t >= t - WINDOW_MS), point];
    const types = Object.keys(byLabel(samples, "bay_exec_duration_seconds_count", "type")).sort();
    this.#execTotals = types.map((type) => {
      const h = histogram(samples, "bay_exec_duration_seconds", (l) => l.type === type);
      return {
        type,
        count: h.count,
        p50: toMs(quantile(0.5, h)),
        p95: toMs(quantile(0.95, h)),
      };
    });
  }

  async #tick(): Promise<void> {
    this.#timer = null;
    this.#inFlight = true;
    try {
      this.ingest(await this.fetchText(), Date.now());
      this.#error = null;
    } catch (e) {
      this.#error = e instanceof Error ? e.message : String(e);
    } finally {
      this.#inFlight = false;
    }
    const snap = this.snapshot();
    for (const fn of this.#listeners) fn(snap);
    if (this.#listeners.size > 0 && this.#timer === null) {
      this.#timer = setTimeout(() => void this.#tick(), INTERVAL_MS);
    }
  }
}

/** The tab's sampler. */
export const sampler = new MetricsSampler();
