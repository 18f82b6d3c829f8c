/**
 * The printed results table: metric | bay | direct | ratio | target | ok.
 *
 * @module
 */

/** One table row; empty strings for columns that do not apply. */
export interface Row {
  metric: string;
  bay: string;
  direct: string;
  ratio: string;
  target: string;
  /** null: informational, no target. */
  ok: boolean | null;
}

const HEAD: Row = {
  metric: "metric",
  bay: "bay",
  direct: "direct",
  ratio: "ratio",
  target: "target",
  ok: null,
};

function cells(r: Row, head = false): string[] {
  const ok = head ? "ok" : r.ok === null ? "" : r.ok ? "yes" : "NO";
  return [r.metric, r.bay, r.direct, r.ratio, r.target, ok];
}

/** Render `rows` as an aligned plain-text table. */
export function renderTable(rows: readonly Row[]): string {
  const all = [cells(HEAD, true), ...rows.map((r) => cells(r))];
  const widths = all[0].map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join(" | ");
  const sep = widths.map((w) => "-".repeat(w)).join("-+-");
  return [line(all[0]), sep, ...all.slice(1).map(line)].join("\n");
}
