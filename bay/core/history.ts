/**
 * Execution history of a sandbox (API §5): filtered pages, the newest entry,
 * one entry, annotations. Only live sandboxes of the caller answer; entries
 * themselves outlive their sandbox (skills cite them).
 *
 * @module
 */
import { notFound } from "../errors.ts";
import type { Db } from "../store/db.ts";
import { normalizeTags } from "../store/executions.ts";
import { annotateExecution, getEntry, lastExecution, listHistory } from "../store/history.ts";
import type { ExecutionRow } from "../store/rows.ts";
import { getSandbox } from "../store/sandboxes.ts";
import { iso } from "./views.ts";

/** Execution types an entry can have. */
export const EXEC_TYPES = ["python", "shell", "browser", "browser_batch"] as const;

/** An execution type. */
export type ExecType = typeof EXEC_TYPES[number];

/**
 * The history entry object of the API. `tags` is the normalised tag list
 * joined with commas, or null when there are none (as the original API).
 */
export function historyView(r: ExecutionRow) {
  return {
    id: r.id,
    session_id: r.session_id,
    exec_type: r.exec_type,
    code: r.code,
    success: r.success,
    execution_time_ms: r.execution_time_ms,
    output: r.output,
    error: r.error,
    payload_ref: r.payload_ref,
    description: r.description,
    tags: r.tags.length > 0 ? r.tags.join(",") : null,
    notes: r.notes,
    created_at: iso(r.created_at)!,
  };
}

/** The API's history entry. */
export type HistoryEntry = ReturnType<typeof historyView>;

/** Query of a history page. */
export interface HistoryQuery {
  exec_type?: ExecType;
  success_only?: boolean;
  /** Comma list; an entry matches when any tag contains any term, case-insensitively. */
  tags?: string;
  has_notes?: boolean;
  has_description?: boolean;
  limit: number;
  offset: number;
}

/** Body of an annotation; null or missing fields stay as they are. */
export interface AnnotateInput {
  description?: string | null;
  tags?: string | string[] | null;
  notes?: string | null;
}

/** Reads and annotates execution history. */
export class HistoryService {
  #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  async #sandbox(owner: string, id: string): Promise<void> {
    if (!await getSandbox(this.#db, owner, id)) throw notFound("sandbox", id);
  }

  /** A page of the sandbox's history, newest first, with the matching count. */
  async list(
    owner: string,
    sandboxId: string,
    q: HistoryQuery,
  ): Promise<{ entries: HistoryEntry[]; total: number }> {
    await this.#sandbox(owner, sandboxId);
    const { rows, total } = await listHistory(
      this.#db,
      {
        owner,
        sandboxId,
        execType: q.exec_type,
        successOnly: q.success_only,
        tagTerms: normalizeTags(q.tags),
        hasNotes: q.has_notes,
        hasDescription: q.has_description,
      },
      q.limit,
      q.offset,
    );
    return { entries: rows.map(historyView), total };
  }

  /** The newest entry (of one type when given); 404 when there is none. */
  async last(owner: string, sandboxId: string, execType?: ExecType): Promise<HistoryEntry> {
    await this.#sandbox(owner, sandboxId);
    const row = await lastExecution(this.#db, owner, sandboxId, execType);
    if (!row) throw notFound("execution history of sandbox", sandboxId);
    return historyView(row);
  }

  /** One entry of the sandbox; 404 when it belongs to another sandbox or owner. */
  async get(owner: string, sandboxId: string, executionId: string): Promise<HistoryEntry> {
    await this.#sandbox(owner, sandboxId);
    const row = await getEntry(this.#db, owner, sandboxId, executionId);
    if (!row) throw notFound("execution", executionId);
    return historyView(row);
  }

  /** Set description, tags (normalised) and notes; null fields stay as they are. */
  async annotate(
    owner: string,
    sandboxId: string,
    executionId: string,
    input: AnnotateInput,
  ): Promise<HistoryEntry> {
    await this.#sandbox(owner, sandboxId);
    const row = await annotateExecution(this.#db, owner, sandboxId, executionId, {
      description: input.description ?? undefined,
      tags: input.tags == null ? undefined : normalizeTags(input.tags),
      notes: input.notes ?? undefined,
    });
    if (!row) throw notFound("execution", executionId);
    return historyView(row);
  }
}
