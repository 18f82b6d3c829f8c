/**
 * Sandbox lifecycle routes (API §2).
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { BayError } from "../../errors.ts";
import type { Services } from "../context.ts";
import { idempotent } from "../idempotency.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import {
  CreateSandboxBody,
  ExtendTtlBody,
  IdParam,
  ListSandboxesQuery,
  Sandbox,
  SandboxList,
  StatusOk,
} from "../schemas.ts";

const tags = ["sandboxes"];

/** Routes under `/v1/sandboxes`. */
export function sandboxRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Create a sandbox",
      request: { body: body(CreateSandboxBody) },
      responses: { 201: json(Sandbox, "Created"), ...ERRORS },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const out = await idempotent(c, s, input, async () => ({
        status: 201,
        body: await s.sandboxes.create(c.get("principal").owner, input),
      }));
      return c.json(out.body, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List sandboxes",
      request: { query: ListSandboxesQuery },
      responses: { 200: json(SandboxList, "A page of sandboxes"), ...ERRORS },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await s.sandboxes.list(c.get("principal").owner, q.limit, q.cursor, q.status),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "Get a sandbox",
      request: { params: IdParam },
      responses: { 200: json(Sandbox, "The sandbox"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.sandboxes.get(c.get("principal").owner, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/extend_ttl",
      tags,
      summary: "Extend the TTL",
      request: { params: IdParam, body: body(ExtendTtlBody) },
      responses: { 200: json(Sandbox, "The sandbox"), ...ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      if (input.extend_by <= 0) {
        throw new BayError("validation_error", "extend_by must be a positive number of seconds", {
          field: "extend_by",
        });
      }
      const out = await idempotent(c, s, input, async () => ({
        status: 200,
        body: await s.sandboxes.extendTtl(c.get("principal").owner, id, input.extend_by),
      }));
      return c.json(out.body, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/keepalive",
      tags,
      summary: "Push the idle deadline forward (never starts compute)",
      request: { params: IdParam },
      responses: { 200: json(StatusOk, "ok"), ...ERRORS },
    }),
    async (c) => {
      await s.sandboxes.keepalive(c.get("principal").owner, c.req.valid("param").id);
      return c.json({ status: "ok" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/stop",
      tags,
      summary: "Stop the session (files stay)",
      request: { params: IdParam },
      responses: { 200: json(StatusOk, "stopped"), ...ERRORS },
    }),
    async (c) => {
      await s.sandboxes.stop(c.get("principal").owner, c.req.valid("param").id);
      return c.json({ status: "stopped" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a sandbox and its managed cargo",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...ERRORS },
    }),
    async (c) => {
      await s.sandboxes.delete(c.get("principal").owner, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
