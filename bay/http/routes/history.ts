/**
 * Execution history routes (API §5) under `/v1/sandboxes/{id}/history`.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import type { Services } from "../context.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import {
  AnnotateBody,
  ExecutionParam,
  flag,
  HistoryEntry,
  HistoryList,
  HistoryQuery,
  LastQuery,
  SandboxParam,
} from "../schemas_history.ts";

const tags = ["history"];

/** Routes under `/v1/sandboxes/{id}/history`. */
export function historyRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/history",
      tags,
      summary: "List the sandbox's execution history, newest first",
      request: { params: SandboxParam, query: HistoryQuery },
      responses: { 200: json(HistoryList, "A page of entries and the matching count"), ...ERRORS },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await s.history.list(c.get("principal").owner, c.req.valid("param").id, {
          exec_type: q.exec_type,
          success_only: flag(q.success_only),
          tags: q.tags,
          has_notes: flag(q.has_notes),
          has_description: flag(q.has_description),
          limit: q.limit,
          offset: q.offset,
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/history/last",
      tags,
      summary: "The newest entry (of one exec_type when given)",
      request: { params: SandboxParam, query: LastQuery },
      responses: { 200: json(HistoryEntry, "The entry"), ...ERRORS },
    }),
    async (c) =>
      c.json(
        await s.history.last(
          c.get("principal").owner,
          c.req.valid("param").id,
          c.req.valid("query").exec_type,
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/history/{execution_id}",
      tags,
      summary: "One entry of the sandbox",
      request: { params: ExecutionParam },
      responses: { 200: json(HistoryEntry, "The entry"), ...ERRORS },
    }),
    async (c) => {
      const { id, execution_id } = c.req.valid("param");
      return c.json(await s.history.get(c.get("principal").owner, id, execution_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/{id}/history/{execution_id}",
      tags,
      summary: "Annotate an entry (description, tags, notes; null fields stay as they are)",
      request: { params: ExecutionParam, body: body(AnnotateBody) },
      responses: { 200: json(HistoryEntry, "The entry"), ...ERRORS },
    }),
    async (c) => {
      const { id, execution_id } = c.req.valid("param");
      return c.json(
        await s.history.annotate(c.get("principal").owner, id, execution_id, c.req.valid("json")),
        200,
      );
    },
  );

  return app;
}
