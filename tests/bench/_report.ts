/**
 * Turns the raw samples into the summary table and the JSON document.
 *
 * @module
 */
import type { ExecSamples } from "./_exec.ts";
import type { FirstExecSamples } from "./_first_exec.ts";
import { summarize, type Summary } from "./_stats.ts";
import type { Row } from "./_table.ts";
import type { TransferResult } from "./_transfer.ts";
import type { RssPeak } from "./_rss.ts";

const MiB = 1024 * 1024;
/** Exec: through-Bay median at most this many times the direct median. */
export const EXEC_RATIO_MAX = 2;
/** Transfer: through-Bay throughput at least this share of loopback. */
export const TRANSFER_RATIO_MIN = 0.5;
/**
 * Memory: Bay's RSS growth while moving the large file (peak minus the RSS
 * when the phase started) may exceed the growth for the small file by at most
 * this share of the size difference. A design that buffers the file would
 * need the whole difference (or more); a streaming one needs a few MiB, plus
 * whatever garbage V8 lets pile up before it collects.
 */
export const RSS_GROWTH_DIFF_SHARE = 0.25;

/** Everything measured in one run. */
export interface Measured {
  firstExec: { python: FirstExecSamples; shell: FirstExecSamples };
  directKernelStartMs: number;
  exec: { shell: ExecSamples; python: ExecSamples };
  transfer: TransferResult;
}

const ms = (v: number) => v.toFixed(2);
const mib = (v: number) => (v / MiB).toFixed(1);

function execRows(label: string, s: ExecSamples): Row[] {
  const bay = summarize(s.bay_ms);
  const direct = summarize(s.direct_ms);
  const ratio = bay.median / direct.median;
  return [
    {
      metric: `exec ${label} p50 ms (n=${bay.n})`,
      bay: ms(bay.median),
      direct: ms(direct.median),
      ratio: `${ratio.toFixed(2)}x`,
      target: `<= ${EXEC_RATIO_MAX}x`,
      ok: ratio <= EXEC_RATIO_MAX,
    },
    ...(["p90", "p99"] as const).map((p) => ({
      metric: `exec ${label} ${p} ms`,
      bay: ms(bay[p]),
      direct: ms(direct[p]),
      ratio: `${(bay[p] / direct[p]).toFixed(2)}x`,
      target: "",
      ok: null,
    })),
    (() => {
      const w = summarize(s.inprocess_ms);
      return {
        metric: `exec ${label} p50 ms, direct = in process, no ship`,
        bay: ms(bay.median),
        direct: ms(w.median),
        ratio: `${(bay.median / w.median).toFixed(2)}x`,
        target: "",
        ok: null,
      };
    })(),
    {
      metric: `exec ${label} overhead ms (bay - direct, p50)`,
      bay: ms(bay.median - direct.median),
      direct: "",
      ratio: "",
      target: "",
      ok: null,
    },
  ];
}

function rate(size: number, seconds: number[]): Summary {
  return summarize(seconds.map((s) => size / MiB / s));
}

function transferRows(t: TransferResult): Row[] {
  const size = `${mib(t.size_bytes)} MiB`;
  return (["upload", "download"] as const).map((dir) => {
    const bay = rate(t.size_bytes, t.big[`bay_${dir}_s`]);
    const direct = rate(t.size_bytes, t.big[`direct_${dir}_s`]);
    const ratio = bay.median / direct.median;
    return {
      metric: `${dir} ${size} MiB/s (n=${bay.n})`,
      bay: bay.median.toFixed(0),
      direct: direct.median.toFixed(0),
      ratio: `${(ratio * 100).toFixed(0)}%`,
      target: `>= ${TRANSFER_RATIO_MIN * 100}%`,
      ok: ratio >= TRANSFER_RATIO_MIN,
    };
  });
}

function rssRows(t: TransferResult): Row[] {
  const { baseline, small, big } = t.rss;
  const peak = (p: RssPeak) =>
    `${mib(p.peak)} (+${mib(p.peak - p.start)})${p.hwm === null ? "" : ` hwm ${mib(p.hwm)}`}`;
  const diff = (big.peak - big.start) - (small.peak - small.start);
  const sizeDiff = t.size_bytes - t.small_size_bytes;
  const max = sizeDiff * RSS_GROWTH_DIFF_SHARE;
  const info = (metric: string, bay: string): Row => ({
    metric,
    bay,
    direct: "",
    ratio: "",
    target: "",
    ok: null,
  });
  return [
    info("Bay RSS baseline MiB", mib(baseline)),
    info(`Bay RSS peak MiB (+growth), ${mib(t.small_size_bytes)} MiB transfers`, peak(small)),
    info(`Bay RSS peak MiB (+growth), ${mib(t.size_bytes)} MiB transfers`, peak(big)),
    {
      metric: `Bay RSS growth difference MiB (file +${mib(sizeDiff)} MiB)`,
      bay: mib(diff),
      direct: "",
      ratio: "",
      target: `<= ${mib(max)}`,
      ok: diff <= max,
    },
    {
      metric: "downloads' SHA-256 = upload's",
      bay: t.hashes_ok ? "match" : "MISMATCH",
      direct: "",
      ratio: "",
      target: "match",
      ok: t.hashes_ok,
    },
  ];
}

/** The table rows. */
export function buildRows(m: Measured): Row[] {
  const fp = summarize(m.firstExec.python.total_ms);
  const fs = summarize(m.firstExec.shell.total_ms);
  return [
    {
      metric: `first exec python print(1) ms (n=${fp.n}, cold)`,
      bay: ms(fp.median),
      direct: `${ms(m.directKernelStartMs)} kernel start`,
      ratio: "",
      target: "",
      ok: null,
    },
    {
      metric: `first exec shell true ms (n=${fs.n}, cold)`,
      bay: ms(fs.median),
      direct: "",
      ratio: "",
      target: "",
      ok: null,
    },
    {
      metric: "  of which POST /v1/sandboxes ms",
      bay: ms(summarize([...m.firstExec.python.create_ms, ...m.firstExec.shell.create_ms]).median),
      direct: "",
      ratio: "",
      target: "",
      ok: null,
    },
    ...execRows("shell true", m.exec.shell),
    ...execRows("python 1+1", m.exec.python),
    ...transferRows(m.transfer),
    ...rssRows(m.transfer),
  ];
}
