import { describe, expect, it } from "vitest";
import { histogram, mean, quantile, subtract } from "./histogram.ts";
import { parseProm } from "./prom.ts";

function scrape(counts: [string, number][], type = "shell", sum = 0) {
  const lines = counts.map(([le, n]) =>
    `bay_exec_duration_seconds_bucket{le="${le}",type="${type}",success="true"} ${n}`
  );
  const count = counts.at(-1)![1];
  lines.push(`bay_exec_duration_seconds_sum{type="${type}",success="true"} ${sum}`);
  lines.push(`bay_exec_duration_seconds_count{type="${type}",success="true"} ${count}`);
  return lines.join("\n");
}

describe("histograms", () => {
  it("interpolates quantiles inside the bucket like histogram_quantile", () => {
    const h = histogram(
      parseProm(scrape([["0.1", 0], ["0.5", 10], ["1", 20], ["+Inf", 20]], "shell", 10)),
      "bay_exec_duration_seconds",
    );
    expect(h.count).toBe(20);
    expect(quantile(0.5, h)).toBeCloseTo(0.5);
    expect(quantile(0.25, h)).toBeCloseTo(0.3);
    expect(quantile(0.95, h)).toBeCloseTo(0.95);
    expect(mean(h)).toBeCloseTo(0.5);
  });

  it("reports the last finite bound for observations past it, null when empty", () => {
    const h = histogram(
      parseProm(scrape([["1", 0], ["+Inf", 3]])),
      "bay_exec_duration_seconds",
    );
    expect(quantile(0.5, h)).toBe(1);
    const empty = histogram(
      parseProm(scrape([["1", 0], ["+Inf", 0]])),
      "bay_exec_duration_seconds",
    );
    expect(quantile(0.5, empty)).toBeNull();
    expect(mean(empty)).toBeNull();
  });

  it("merges label sets and subtracts snapshots", () => {
    const text = (a: number, b: number) =>
      scrape([["0.1", a], ["+Inf", a]], "shell", a * 0.05) + "\n" +
      scrape([["0.1", 0], ["+Inf", b]], "python", b * 2);
    const before = histogram(parseProm(text(2, 1)), "bay_exec_duration_seconds");
    const after = histogram(parseProm(text(5, 1)), "bay_exec_duration_seconds");
    expect(after.count).toBe(6);
    const d = subtract(after, before);
    expect(d.count).toBe(3);
    expect(d.buckets.get(0.1)).toBe(3);
    expect(mean(d)).toBeCloseTo(0.05);
    const shell = histogram(
      parseProm(text(5, 1)),
      "bay_exec_duration_seconds",
      (l) => l.type === "python",
    );
    expect(shell.count).toBe(1);
  });
});
