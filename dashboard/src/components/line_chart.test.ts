import { describe, expect, it } from "vitest";
import { isolated, niceCeil, pathData, xTicks, yTicks } from "./line_chart.tsx";

describe("chart helpers", () => {
  it("rounds axes to nice numbers", () => {
    expect([0, 0.3, 1, 3, 7, 12.2, 48].map(niceCeil)).toEqual([1, 0.5, 1, 5, 10, 20, 50]);
    expect(yTicks(4, true)).toEqual([0, 1, 2, 3, 4]);
    expect(yTicks(48.8)).toEqual([0, 20, 40, 60]);
    expect(yTicks(0, true)).toEqual([0, 1]);
  });

  it("labels time ticks back from now", () => {
    expect(xTicks(0, 20_000).map(([, l]) => l)).toEqual(["now", "-5s", "-10s", "-15s", "-20s"]);
    expect(xTicks(0, 300_000).map(([, l]) => l)).toEqual([
      "now",
      "-1m",
      "-2m",
      "-3m",
      "-4m",
      "-5m",
    ]);
  });

  it("breaks paths at gaps and finds lone points", () => {
    const pts: [number, number | null][] = [[0, 1], [1, 2], [2, null], [3, 4], [4, null]];
    expect(pathData(pts, (t) => t * 10, (v) => v)).toBe("M0.0,1.0L10.0,2.0M30.0,4.0");
    expect(isolated(pts)).toEqual([[3, 4]]);
  });
});
