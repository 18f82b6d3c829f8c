import { describe, expect, it } from "vitest";
import { MetricsSampler } from "./sampler.ts";

const scrape = (requests: number, execs: number, ready: number) => `
bay_sessions{state="ready"} ${ready}
bay_ships_connected ${ready}
bay_http_requests_total{method="GET",route="/x",status="200"} ${requests}
bay_exec_duration_seconds_bucket{le="0.01",type="shell",success="true"} 0
bay_exec_duration_seconds_bucket{le="0.05",type="shell",success="true"} ${execs}
bay_exec_duration_seconds_bucket{le="+Inf",type="shell",success="true"} ${execs}
bay_exec_duration_seconds_sum{type="shell",success="true"} ${execs * 0.03}
bay_exec_duration_seconds_count{type="shell",success="true"} ${execs}
`;

describe("MetricsSampler.ingest", () => {
  it("turns scrapes into per-interval points", () => {
    const s = new MetricsSampler(() => Promise.reject(new Error("unused")));
    s.ingest(scrape(10, 2, 1), 1_000);
    s.ingest(scrape(30, 2, 2), 3_000);
    s.ingest(scrape(31, 6, 2), 5_000);
    const { points, execTotals } = s.snapshot();
    expect(points.map((p) => p.sessions.ready)).toEqual([1, 2, 2]);
    expect(points.map((p) => p.httpRate)).toEqual([null, 10, 0.5]);
    // No executions in the second interval: a gap, not a zero.
    expect(points[1]!.exec).toEqual({ count: 0, p50: null, p95: null, mean: null });
    expect(points[2]!.exec.count).toBe(4);
    expect(points[2]!.exec.mean).toBeCloseTo(30);
    expect(points[2]!.exec.p50).toBeCloseTo(30);
    expect(execTotals).toEqual([
      { type: "shell", count: 6, p50: expect.closeTo(30), p95: expect.closeTo(48) },
    ]);
  });

  it("keeps only the window", () => {
    const s = new MetricsSampler(() => Promise.reject(new Error("unused")));
    s.ingest(scrape(1, 0, 0), 0);
    s.ingest(scrape(2, 0, 0), 10 * 60_000);
    expect(s.snapshot().points).toHaveLength(1);
  });
});
