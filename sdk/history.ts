/**
 * A sandbox's execution history: every exec that returned a result.
 *
 * @module
 */
import type { CallOptions, Transport } from "./_http.ts";
import type { ExecType, HistoryEntry, HistoryPage } from "./types_skills.ts";

/**
 * Filters and paging of {@link History.list}.
 *
 * @example
 * ```ts
 * const q: HistoryListOptions = { execType: "python", successOnly: true, limit: 10 };
 * ```
 */
export interface HistoryListOptions extends CallOptions {
  execType?: ExecType;
  successOnly?: boolean;
  /** Comma list; an entry matches when any tag contains any term (case-insensitive). */
  tags?: string;
  hasNotes?: boolean;
  hasDescription?: boolean;
  /** Page size, 1–500 (default 100). */
  limit?: number;
  offset?: number;
}

/**
 * Fields of {@link History.annotate}; omitted or null fields stay as they are.
 *
 * @example
 * ```ts
 * const a: Annotation = { description: "loads the CSV", tags: ["etl", "good"] };
 * ```
 */
export interface Annotation {
  description?: string | null;
  tags?: string | string[] | null;
  notes?: string | null;
}

/**
 * `sandbox.history`.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "@shipyard/sdk";
 * async function demo(sb: Sandbox) {
 *   const r = await sb.python.exec("1 + 1");
 *   await sb.history.annotate(r.execution_id, { tags: "math", notes: "works" });
 *   const page = await sb.history.list({ tags: "math" });
 *   console.log(page.total, page.entries[0].notes);
 *   console.log((await sb.history.last({ execType: "python" })).id);
 * }
 * ```
 */
export class History {
  readonly #t: Transport;
  readonly #id: string;

  constructor(transport: Transport, sandboxId: string) {
    this.#t = transport;
    this.#id = sandboxId;
  }

  /** Entries newest first, with the total number of matches. */
  list(opts: HistoryListOptions = {}): Promise<HistoryPage> {
    const flag = (v: boolean | undefined) => (v === undefined ? undefined : String(v));
    return this.#t.json({
      route: "listHistory",
      params: { id: this.#id },
      query: {
        exec_type: opts.execType,
        success_only: flag(opts.successOnly),
        tags: opts.tags,
        has_notes: flag(opts.hasNotes),
        has_description: flag(opts.hasDescription),
        limit: opts.limit,
        offset: opts.offset,
      },
    }, opts);
  }

  /** One entry by execution id. */
  get(executionId: string, opts: CallOptions = {}): Promise<HistoryEntry> {
    return this.#t.json({
      route: "getHistory",
      params: { id: this.#id, execution_id: executionId },
    }, opts);
  }

  /** The newest entry (of one type when given); `NotFoundError` when none. */
  last(opts: CallOptions & { execType?: ExecType } = {}): Promise<HistoryEntry> {
    return this.#t.json({
      route: "lastHistory",
      params: { id: this.#id },
      query: { exec_type: opts.execType },
    }, opts);
  }

  /** Set an entry's description, tags or notes; returns the entry. Not retried. */
  annotate(
    executionId: string,
    fields: Annotation,
    opts: CallOptions = {},
  ): Promise<HistoryEntry> {
    return this.#t.json({
      route: "annotateHistory",
      params: { id: this.#id, execution_id: executionId },
      json: { description: fields.description, tags: fields.tags, notes: fields.notes },
    }, opts);
  }
}
