/**
 * The JSON results document: summaries, ratios against their targets, every
 * sample, and the printed table.
 *
 * @module
 */
import type { ExecSamples } from "./_exec.ts";
import type { FirstExecSamples } from "./_first_exec.ts";
import {
  EXEC_RATIO_MAX,
  type Measured,
  RSS_GROWTH_DIFF_SHARE,
  TRANSFER_RATIO_MIN,
} from "./_report.ts";
import { round, summarize, type Summary } from "./_stats.ts";
import type { Row } from "./_table.ts";

const MiB = 1024 * 1024;

function rate(size: number, seconds: number[]): Summary {
  return summarize(seconds.map((s) => size / MiB / s));
}

function roundAll(s: Summary): Summary {
  return Object.fromEntries(
    Object.entries(s).map(([k, v]) => [k, round(v, 3)]),
  ) as unknown as Summary;
}

/** The JSON document: summaries, ratios, every sample and the table. */
export function buildJson(m: Measured, rows: Row[], meta: Record<string, unknown>) {
  const exec = (s: ExecSamples) => {
    const bay = summarize(s.bay_ms);
    const direct = summarize(s.direct_ms);
    return {
      bay_ms: roundAll(bay),
      direct_ms: roundAll(direct),
      ratio: round(bay.median / direct.median, 3),
      overhead_ms: round(bay.median - direct.median, 3),
      baseline: "the same call sent to a ship directly",
      inprocess_ms: roundAll(summarize(s.inprocess_ms)),
      target_ratio_max: EXEC_RATIO_MAX,
      samples: {
        bay_ms: s.bay_ms.map((v) => round(v, 3)),
        direct_ms: s.direct_ms.map((v) => round(v, 3)),
        inprocess_ms: s.inprocess_ms.map((v) => round(v, 3)),
      },
    };
  };
  const first = (s: FirstExecSamples) => ({
    median_ms: round(summarize(s.total_ms).median, 1),
    samples_ms: s.total_ms.map((v) => round(v, 1)),
    create_ms: s.create_ms.map((v) => round(v, 1)),
  });
  const t = m.transfer;
  const dir = (d: "upload" | "download") => {
    const bay = rate(t.size_bytes, t.big[`bay_${d}_s`]).median;
    const direct = rate(t.size_bytes, t.big[`direct_${d}_s`]).median;
    return {
      bay_mib_s: round(bay, 1),
      direct_mib_s: round(direct, 1),
      ratio: round(bay / direct, 3),
      target_ratio_min: TRANSFER_RATIO_MIN,
      samples_s: {
        bay: t.big[`bay_${d}_s`].map((v) => round(v, 3)),
        direct: t.big[`direct_${d}_s`].map((v) => round(v, 3)),
      },
    };
  };
  return {
    meta,
    first_exec: {
      python: first(m.firstExec.python),
      shell: first(m.firstExec.shell),
      direct_kernel_start_ms: round(m.directKernelStartMs, 1),
    },
    exec: { shell_true: exec(m.exec.shell), python_1_plus_1: exec(m.exec.python) },
    transfer: {
      size_bytes: t.size_bytes,
      sha256: t.sha256,
      hashes_ok: t.hashes_ok,
      upload: dir("upload"),
      download: dir("download"),
      small: {
        size_bytes: t.small_size_bytes,
        bay_upload_mib_s: round(rate(t.small_size_bytes, t.small.bay_upload_s).median, 1),
        bay_download_mib_s: round(rate(t.small_size_bytes, t.small.bay_download_s).median, 1),
      },
    },
    bay_rss_bytes: {
      baseline: t.rss.baseline,
      small: t.rss.small,
      big: t.rss.big,
      peak_difference: t.rss.big.peak - t.rss.small.peak,
      growth_difference: (t.rss.big.peak - t.rss.big.start) -
        (t.rss.small.peak - t.rss.small.start),
      growth_difference_max: (t.size_bytes - t.small_size_bytes) * RSS_GROWTH_DIFF_SHARE,
    },
    table: rows,
    ok: rows.every((r) => r.ok !== false),
  };
}
