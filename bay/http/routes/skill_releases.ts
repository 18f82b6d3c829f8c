/**
 * Skill release routes (API §7) under `/v1/skills`: promotion, listing,
 * rollback, soft deletion and health.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import type { Services } from "../context.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import { flag } from "../schemas_history.ts";
import {
  DeleteBody,
  Deleted,
  ListReleasesQuery,
  PromoteBody,
  Release,
  ReleaseHealth,
  ReleaseList,
  SkillIdParam,
} from "../schemas_skills.ts";

const tags = ["skills"];

/** Release routes, mounted under `/v1/skills` by `skillRoutes`. */
export function releaseRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/candidates/{id}/promote",
      tags,
      summary: "Release a candidate with a passing evaluation (409 otherwise)",
      request: { params: SkillIdParam, body: { ...body(PromoteBody), required: false } },
      responses: { 200: json(Release, "The new active release"), ...ERRORS },
    }),
    async (c) => {
      const input = c.req.valid("json") as Partial<typeof PromoteBody._output>;
      return c.json(
        await s.releases.promote(c.get("principal").owner, c.req.valid("param").id, {
          ...input,
          stage: input.stage ?? "canary",
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/releases",
      tags,
      summary: "List releases by promoted_at, newest first",
      request: { query: ListReleasesQuery },
      responses: { 200: json(ReleaseList, "A page of releases"), ...ERRORS },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await s.releases.list(c.get("principal").owner, {
          ...q,
          active_only: flag(q.active_only),
        }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/releases/{id}/rollback",
      tags,
      summary: "Restore the newest earlier release of the key as a new version",
      request: { params: SkillIdParam },
      responses: { 200: json(Release, "The new active release"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.releases.rollback(c.get("principal").owner, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/releases/{id}",
      tags,
      summary: "Soft-delete a release (deactivates it when active)",
      request: { params: SkillIdParam, body: { ...body(DeleteBody), required: false } },
      responses: { 200: json(Deleted, "Deleted"), ...ERRORS },
    }),
    async (c) => {
      const { reason } = c.req.valid("json") as { reason?: string | null };
      return c.json(
        await s.releases.delete(
          c.get("principal").owner,
          c.req.valid("param").id,
          reason ?? null,
        ),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/releases/{id}/health",
      tags,
      summary: "Health of a release over its 24 h window against a baseline",
      request: { params: SkillIdParam },
      responses: { 200: json(ReleaseHealth, "The health report"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.releases.health(c.get("principal").owner, c.req.valid("param").id), 200),
  );

  return app;
}
