/**
 * Request and response schemas of the history API (API §5).
 *
 * @module
 */
import { z } from "@hono/zod-openapi";
import { EXEC_TYPES } from "../core/history.ts";

const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });

/** A boolean query flag. */
export const QueryFlag = z.enum(["true", "false", "1", "0"]).optional();

/** True when a {@link QueryFlag} value is set. */
export function flag(v: string | undefined): boolean {
  return v === "true" || v === "1";
}

/** Offset pagination query (history, candidates, releases). */
export const OffsetQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
});

/** Path parameters `{id}` (sandbox). */
export const SandboxParam = z.object({ id: z.string().max(64) });

/** Path parameters `{id}` (sandbox) and `{execution_id}`. */
export const ExecutionParam = z.object({
  id: z.string().max(64),
  execution_id: z.string().max(64),
});

/** An execution history entry. */
export const HistoryEntry = z.object({
  id: z.string().openapi({ example: "exec-1f2e3d4c5b6a" }),
  session_id: z.string().nullable(),
  exec_type: z.string().openapi({ example: "shell" }),
  code: z.string(),
  success: z.boolean(),
  execution_time_ms: z.number().int(),
  output: z.string().nullable(),
  error: z.string().nullable(),
  payload_ref: z.string().nullable(),
  description: z.string().nullable(),
  tags: z.string().nullable().openapi({
    description: "normalised tags (trimmed, de-duplicated, sorted) joined with commas",
    example: "etl,good",
  }),
  notes: z.string().nullable(),
  created_at: Iso,
}).openapi("HistoryEntry");

/** A page of history. */
export const HistoryList = z.object({ entries: z.array(HistoryEntry), total: z.number().int() })
  .openapi("HistoryList");

/** Query of `GET …/history`. */
export const HistoryQuery = OffsetQuery.extend({
  exec_type: z.enum(EXEC_TYPES).optional(),
  success_only: QueryFlag,
  tags: z.string().max(2000).optional().openapi({
    description: "comma list; matches when any tag contains any term (case-insensitive)",
  }),
  has_notes: QueryFlag,
  has_description: QueryFlag,
});

/** Query of `GET …/history/last`. */
export const LastQuery = z.object({ exec_type: z.enum(EXEC_TYPES).optional() });

/** Body of `PATCH …/history/{execution_id}`; null or missing fields stay as they are. */
export const AnnotateBody = z.object({
  description: z.string().max(4000).nullish(),
  tags: z.union([z.string().max(2000), z.array(z.string().max(200)).max(50)]).nullish(),
  notes: z.string().max(64 * 1024).nullish(),
}).strict().openapi("AnnotateExecution");
