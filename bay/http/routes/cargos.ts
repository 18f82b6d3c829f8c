/**
 * Cargo routes (API §6).
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import type { Services } from "../context.ts";
import { idempotent } from "../idempotency.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import { Cargo, CargoList, CreateCargoBody, IdParam, ListCargosQuery } from "../schemas.ts";

const tags = ["cargos"];

/** Routes under `/v1/cargos`. */
export function cargoRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/",
      tags,
      summary: "Create an external cargo",
      request: { body: body(CreateCargoBody) },
      responses: { 201: json(Cargo, "Created"), ...ERRORS },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const out = await idempotent(c, s, input, async () => ({
        status: 201,
        body: await s.cargos.create(c.get("principal").owner, input.size_limit_mb ?? 1024),
      }));
      return c.json(out.body, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/",
      tags,
      summary: "List cargos (external unless managed=true)",
      request: { query: ListCargosQuery },
      responses: { 200: json(CargoList, "A page of cargos"), ...ERRORS },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const owner = c.get("principal").owner;
      return c.json(await s.cargos.list(owner, q.managed === "true", q.limit, q.cursor), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}",
      tags,
      summary: "Get a cargo",
      request: { params: IdParam },
      responses: { 200: json(Cargo, "The cargo"), ...ERRORS },
    }),
    async (c) => c.json(await s.cargos.get(c.get("principal").owner, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}",
      tags,
      summary: "Delete a cargo (409 while in use)",
      request: { params: IdParam },
      responses: { 204: { description: "Deleted" }, ...ERRORS },
    }),
    async (c) => {
      await s.cargos.delete(c.get("principal").owner, c.req.valid("param").id);
      return c.body(null, 204);
    },
  );

  return app;
}
