/** Prometheus histograms: merge label sets, subtract snapshots, estimate quantiles. */
import type { Sample } from "./prom.ts";

/** Cumulative bucket counts by upper bound, plus count and sum. */
export interface Histogram {
  buckets: Map<number, number>;
  count: number;
  sum: number;
}

/** `base`'s histogram over every label set accepted by `keep` (default: all). */
export function histogram(
  samples: Sample[],
  base: string,
  keep: (labels: Record<string, string>) => boolean = () => true,
): Histogram {
  const h: Histogram = { buckets: new Map(), count: 0, sum: 0 };
  for (const s of samples) {
    if (!keep(s.labels)) continue;
    if (s.name === `${base}_bucket`) {
      const le = s.labels.le === "+Inf" ? Infinity : Number(s.labels.le);
      h.buckets.set(le, (h.buckets.get(le) ?? 0) + s.value);
    } else if (s.name === `${base}_count`) h.count += s.value;
    else if (s.name === `${base}_sum`) h.sum += s.value;
  }
  return h;
}

/** What happened between two snapshots (`later - earlier`). */
export function subtract(later: Histogram, earlier: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [le, n] of later.buckets) {
    buckets.set(le, Math.max(0, n - (earlier.buckets.get(le) ?? 0)));
  }
  return {
    buckets,
    count: Math.max(0, later.count - earlier.count),
    sum: Math.max(0, later.sum - earlier.sum),
  };
}

/**
 * The q-quantile, interpolated inside its bucket like PromQL's
 * histogram_quantile; null without observations. Observations past the last
 * finite bound report that bound.
 */
export function quantile(q: number, h: Histogram): number | null {
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  const count = h.buckets.get(Infinity) ?? h.count;
  if (count <= 0 || bounds.length === 0) return null;
  const rank = q * count;
  let prevBound = 0;
  let prevCount = 0;
  for (const le of bounds) {
    const c = h.buckets.get(le) ?? 0;
    if (c >= rank) {
      if (le === Infinity) return prevBound;
      const inBucket = c - prevCount;
      return inBucket <= 0 ? le : prevBound + (le - prevBound) * ((rank - prevCount) / inBucket);
    }
    prevBound = le;
    prevCount = c;
  }
  return prevBound;
}

export function mean(h: Histogram): number | null {
  return h.count > 0 ? h.sum / h.count : null;
}
