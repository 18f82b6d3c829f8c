import assert from "node:assert/strict";
import { reportMetrics } from "./release_health.ts";

Deno.test("reportMetrics: evaluation report fields become a baseline", () => {
  assert.deepEqual(
    reportMetrics('{"replay_success":0.9,"error_rate":0.05,"samples":12.7,"p95_duration":80}'),
    { samples: 12, success_rate: 0.9, error_rate: 0.05, p95_duration: 80 },
  );
  assert.deepEqual(reportMetrics('{"replay_success":0.8}'), {
    samples: 0,
    success_rate: 0.8,
    error_rate: 1 - 0.8,
    p95_duration: 0,
  });
  assert.deepEqual(reportMetrics('{"error_rate":0.25}'), {
    samples: 0,
    success_rate: 0.75,
    error_rate: 0.25,
    p95_duration: 0,
  });
  assert.deepEqual(reportMetrics('{"replay_success":7,"error_rate":-1,"samples":-3}'), {
    samples: 0,
    success_rate: 1,
    error_rate: 0,
    p95_duration: 0,
  }, "clamped");
  for (const r of [null, "", "not json", "[1]", "3", '{"score":1}', '{"replay_success":"x"}']) {
    assert.equal(reportMetrics(r), undefined, String(r));
  }
});
