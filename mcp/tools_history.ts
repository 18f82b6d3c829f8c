/**
 * Execution history tools: list, get one, get the last, annotate.
 *
 * @module
 */
import type { HistoryEntry } from "@shipyard/sdk";
import { z } from "zod";
import type { ToolFamily } from "./_context.ts";
import { guard, jsonResult } from "./_format.ts";
import { execType, pageLimit, pageOffset, sandboxId } from "./_schemas.ts";

const executionId = z.string().min(1).describe("Execution record ID (exec-…).");

/** The short form of an entry used in listings (code clipped, no output). */
export function entrySummary(e: HistoryEntry): Record<string, unknown> {
  return {
    id: e.id,
    exec_type: e.exec_type,
    success: e.success,
    execution_time_ms: e.execution_time_ms,
    created_at: e.created_at,
    description: e.description,
    tags: e.tags,
    notes: e.notes,
    code: e.code.length > 200 ? `${e.code.slice(0, 200)}…` : e.code,
  };
}

/** Register the history tools. */
export const historyTools: ToolFamily = (server, ctx) => {
  server.registerTool("get_execution_history", {
    description: "Get a sandbox's execution history, newest first, with optional filters. " +
      "Entries are summarized; use get_execution for one full record.",
    inputSchema: {
      sandbox_id: sandboxId,
      exec_type: execType,
      success_only: z.boolean().optional().describe("Return only successful executions."),
      tags: z.string().optional().describe(
        "Comma-separated tags; an entry matches when any of its tags contains any of them.",
      ),
      has_notes: z.boolean().optional().describe("Return only entries that have notes."),
      has_description: z.boolean().optional().describe(
        "Return only entries that have a description.",
      ),
      limit: pageLimit,
      offset: pageOffset,
    },
    annotations: { readOnlyHint: true },
  }, (a, { signal }) =>
    guard(() =>
      ctx.with(a.sandbox_id, signal, async (sb) => {
        const page = await sb.history.list({
          execType: a.exec_type,
          successOnly: a.success_only,
          tags: a.tags,
          hasNotes: a.has_notes,
          hasDescription: a.has_description,
          limit: a.limit ?? 50,
          offset: a.offset,
          signal,
        });
        return jsonResult(
          { total: page.total, entries: page.entries.map(entrySummary) },
          ctx.limits,
        );
      })
    ));

  server.registerTool(
    "get_execution",
    {
      description: "Get one full execution record (code, output, error, tags, notes).",
      inputSchema: { sandbox_id: sandboxId, execution_id: executionId },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id, execution_id }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => jsonResult(await sb.history.get(execution_id, { signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "get_last_execution",
    {
      description: "Get the most recent execution record of a sandbox (of one type, if given).",
      inputSchema: { sandbox_id: sandboxId, exec_type: execType },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id, exec_type }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) =>
            jsonResult(await sb.history.last({ execType: exec_type, signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "annotate_execution",
    {
      description: "Add or update the description, tags or notes of one execution record " +
        "(omitted fields stay as they are).",
      inputSchema: {
        sandbox_id: sandboxId,
        execution_id: executionId,
        description: z.string().optional().describe("Description text."),
        tags: z.string().optional().describe("Comma-separated tags."),
        notes: z.string().optional().describe("Agent notes."),
      },
    },
    ({ sandbox_id, execution_id, description, tags, notes }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) =>
          jsonResult(
            await sb.history.annotate(execution_id, { description, tags, notes }, { signal }),
            ctx.limits,
          ))
      ),
  );
};
