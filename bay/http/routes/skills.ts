/**
 * Skill routes (API §7) under `/v1/skills`: payloads, candidates and
 * evaluations here; releases in `skill_releases.ts`, mounted alongside.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import type { Services } from "../context.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import {
  Candidate,
  CandidateList,
  CreateCandidateBody,
  CreatePayloadBody,
  DeleteBody,
  Deleted,
  EvaluateBody,
  Evaluation,
  ListCandidatesQuery,
  Payload,
  PayloadParam,
  PayloadRef,
  SkillIdParam,
} from "../schemas_skills.ts";
import { releaseRoutes } from "./skill_releases.ts";

const tags = ["skills"];

/** Routes under `/v1/skills`. */
export function skillRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/payloads",
      tags,
      summary: "Store a JSON payload",
      request: { body: body(CreatePayloadBody) },
      responses: { 201: json(PayloadRef, "Stored"), ...ERRORS },
    }),
    async (c) => {
      const input = c.req.valid("json");
      return c.json(
        await s.skills.createPayload(c.get("principal").owner, input.payload, input.kind),
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/payloads/{payload_ref}",
      tags,
      summary: "Read a payload by its blob: reference",
      request: { params: PayloadParam },
      responses: { 200: json(Payload, "The payload"), ...ERRORS },
    }),
    async (c) =>
      c.json(
        await s.skills.getPayload(c.get("principal").owner, c.req.valid("param").payload_ref),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/candidates",
      tags,
      summary: "Create a candidate from executions of yours",
      request: { body: body(CreateCandidateBody) },
      responses: { 201: json(Candidate, "Created"), ...ERRORS },
    }),
    async (c) =>
      c.json(
        await s.skills.createCandidate(c.get("principal").owner, c.req.valid("json")),
        201,
      ),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/candidates",
      tags,
      summary: "List candidates, newest first",
      request: { query: ListCandidatesQuery },
      responses: { 200: json(CandidateList, "A page of candidates"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.skills.listCandidates(c.get("principal").owner, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/candidates/{id}",
      tags,
      summary: "Get a candidate",
      request: { params: SkillIdParam },
      responses: { 200: json(Candidate, "The candidate"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.skills.getCandidate(c.get("principal").owner, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/candidates/{id}/evaluate",
      tags,
      summary: "Record an evaluation (passed=false rejects the candidate)",
      request: { params: SkillIdParam, body: body(EvaluateBody) },
      responses: { 200: json(Evaluation, "The evaluation"), ...ERRORS },
    }),
    async (c) =>
      c.json(
        await s.skills.evaluate(
          c.get("principal").owner,
          c.req.valid("param").id,
          c.req.valid("json"),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/candidates/{id}",
      tags,
      summary: "Soft-delete a candidate (409 while an active release uses it)",
      request: { params: SkillIdParam, body: { ...body(DeleteBody), required: false } },
      responses: { 200: json(Deleted, "Deleted"), ...ERRORS },
    }),
    async (c) => {
      const { reason } = c.req.valid("json") as { reason?: string | null };
      return c.json(
        await s.skills.deleteCandidate(
          c.get("principal").owner,
          c.req.valid("param").id,
          reason ?? null,
        ),
        200,
      );
    },
  );

  app.route("/", releaseRoutes(s));
  return app;
}
