/**
 * Shared shape of the extra sections (warm pool, burst, docker): table rows
 * plus a JSON fragment.
 *
 * @module
 */
import type { Row } from "./_table.ts";

/** What an extra section contributes to the table and the JSON. */
export interface Section {
  rows: Row[];
  json: Record<string, unknown>;
}

/** An informational row. */
export function info(metric: string, bay: string, direct = "", ratio = ""): Row {
  return { metric, bay, direct, ratio, target: "", ok: null };
}

/** Milliseconds with two decimals. */
export const ms = (v: number): string => Number.isFinite(v) ? v.toFixed(2) : "n/a";

/** A row saying why a section was skipped. */
export function skipped(metric: string, why: string): Row {
  return info(metric, "skipped", why);
}
