/**
 * Machine-readable outcome of one load or fault test: what it tried, which
 * checks held and the numbers it measured, written to
 * `tests/.results/<suite>-<name>.json` (git-ignored) whether the test passed
 * or not. `deno task results` turns these files into `tests/RESULTS.md`.
 *
 * ```ts
 * const rec = new Recorder("faults", "ship_kill", "kill -9 of a ship mid-exec");
 * await rec.run(async () => {
 *   rec.tried("kill the ship while `sleep 30` runs");
 *   rec.num("fail_ms", 120);
 *   rec.held("the pending call failed with 502 ship_error");
 * });
 * ```
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** Directory of the JSON summaries. */
export const RESULTS_DIR = fileURLToPath(new URL("./.results/", import.meta.url));

/** True for the long `deno task soak` variant (env `SOAK` set and not `0`). */
export const SOAK = !!Deno.env.get("SOAK") && Deno.env.get("SOAK") !== "0";

/** `ci` in the bounded run, `soak` in the long one. */
export function scaled(ci: number, soak: number): number {
  return SOAK ? soak : ci;
}

/** One test's summary file. */
export interface Summary {
  suite: string;
  name: string;
  title: string;
  driver: string;
  soak: boolean;
  tried: string[];
  held: string[];
  /** Measured values; the key names their unit (`_ms`, `_mib`, `_count`). */
  numbers: Record<string, number>;
  notes: string[];
  ok: boolean;
  error: string | null;
  started_at: string;
  duration_ms: number;
}

/** Collects one test's summary and writes it when the test ends. */
export class Recorder {
  readonly summary: Summary;
  #t0 = performance.now();

  constructor(suite: string, name: string, title: string) {
    this.summary = {
      suite,
      name,
      title,
      driver: Deno.env.get("E2E_DRIVER") || "local",
      soak: SOAK,
      tried: [],
      held: [],
      numbers: {},
      notes: [],
      ok: false,
      error: null,
      started_at: new Date().toISOString(),
      duration_ms: 0,
    };
  }

  /** Something the test did to the system. */
  tried(what: string): void {
    this.summary.tried.push(what);
  }

  /** A check that passed (call right after its assertions). */
  held(what: string): void {
    this.summary.held.push(what);
  }

  /** A measured value (rounded to 0.1). */
  num(key: string, value: number): void {
    this.summary.numbers[key] = Math.round(value * 10) / 10;
  }

  /** A free-form observation (e.g. which of two allowed outcomes happened). */
  note(what: string): void {
    this.summary.notes.push(what);
  }

  /** Run the test body; the summary is written afterwards, also when it throws. */
  async run(fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      this.summary.ok = true;
    } catch (e) {
      this.summary.error = e instanceof Error ? e.message.slice(0, 2000) : String(e);
      throw e;
    } finally {
      this.summary.duration_ms = Math.round(performance.now() - this.#t0);
      await Deno.mkdir(RESULTS_DIR, { recursive: true });
      const file = `${RESULTS_DIR}${this.summary.suite}-${this.summary.name}.json`;
      await Deno.writeTextFile(file, JSON.stringify(this.summary, null, 2) + "\n");
    }
  }
}
