/** A parser for the Prometheus text exposition format (what Bay's /metrics serves). */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;

function unescape(v: string): string {
  return v.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(v: string): number {
  if (v === "+Inf" || v === "Inf") return Infinity;
  if (v === "-Inf") return -Infinity;
  return Number(v);
}

function parseLabels(body: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < body.length) {
    const m = LABEL.exec(body);
    if (!m) return body.slice(LABEL.lastIndex).trim() === "" ? labels : null;
    labels[m[1]!] = unescape(m[2]!);
  }
  return labels;
}

/** Every sample of `text`; comment lines and malformed lines are skipped. */
export function parseProm(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = m[2] ? parseLabels(m[2]) : {};
    const value = parseValue(m[3]!);
    if (labels && !Number.isNaN(value)) out.push({ name: m[1]!, labels, value });
  }
  return out;
}

/** Sum of `name` over all label sets (0 when absent). */
export function total(samples: Sample[], name: string): number {
  return samples.reduce((n, s) => (s.name === name ? n + s.value : n), 0);
}

/** `name` summed per value of `label`. */
export function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    if (s.name !== name) continue;
    const k = s.labels[label] ?? "";
    out[k] = (out[k] ?? 0) + s.value;
  }
  return out;
}
