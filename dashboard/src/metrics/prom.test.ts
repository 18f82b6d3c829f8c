import { describe, expect, it } from "vitest";
import { byLabel, parseProm, total } from "./prom.ts";

const TEXT = `# HELP bay_sessions Sessions by state (store-wide)
# TYPE bay_sessions gauge
bay_sessions{state="ready"} 2
bay_sessions{state="stopped"} 5
bay_ships_connected 2
bay_http_requests_total{method="GET",route="/v1/sandboxes/:id",status="200"} 7
bay_http_requests_total{method="POST",route="/v1/sandboxes",status="201"} 3 1700000000000
weird{msg="a \\"quoted\\" \\\\ and\\nnewline, comma"} 1.5e3
bay_exec_duration_seconds_bucket{le="+Inf",type="shell",success="true"} 4
not a sample line
bad_value{} NaN
`;

describe("parseProm", () => {
  const samples = parseProm(TEXT);

  it("reads names, labels and values, skipping comments and junk", () => {
    expect(samples.map((s) => s.name)).toEqual([
      "bay_sessions",
      "bay_sessions",
      "bay_ships_connected",
      "bay_http_requests_total",
      "bay_http_requests_total",
      "weird",
      "bay_exec_duration_seconds_bucket",
    ]);
    expect(samples[0]).toEqual({ name: "bay_sessions", labels: { state: "ready" }, value: 2 });
    expect(samples[2]!.labels).toEqual({});
  });

  it("unescapes label values and parses exponents, timestamps and +Inf", () => {
    expect(samples[5]).toEqual({
      name: "weird",
      labels: { msg: 'a "quoted" \\ and\nnewline, comma' },
      value: 1500,
    });
    expect(samples[4]!.value).toBe(3);
    expect(samples[6]!.labels.le).toBe("+Inf");
  });

  it("sums and groups", () => {
    expect(total(samples, "bay_http_requests_total")).toBe(10);
    expect(total(samples, "absent")).toBe(0);
    expect(byLabel(samples, "bay_sessions", "state")).toEqual({ ready: 2, stopped: 5 });
  });
});
