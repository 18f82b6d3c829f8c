/**
 * Background process routes (API §3.4).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Services } from "../context.ts";
import { ndjsonResponse, wantsNdjson } from "../ndjson.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import { IdParam, StatusOk } from "../schemas.ts";

const tags = ["processes"];
const Proc = z.object({
  process_id: z.string(),
  pid: z.number().int(),
  command: z.string(),
  status: z.enum(["running", "exited", "killed"]),
  exit_code: z.number().int().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
}).openapi("Process");
const ProcParams = IdParam.extend({ process_id: z.string().regex(/^proc-[0-9a-f]{12}$/) });
const SIGNALS = [
  "SIGTERM",
  "SIGKILL",
  "SIGINT",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
] as const;

/** Routes under `/v1/sandboxes/{id}/processes`. */
export function processRoutes(s: Services) {
  const app = router();
  const owner = (c: { get(k: "principal"): { owner: string } }) => c.get("principal").owner;

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/processes",
      tags,
      summary: "Start a background process",
      request: {
        params: IdParam,
        body: body(
          z.object({
            command: z.string().min(1).max(1024 * 1024),
            cwd: z.string().max(4096).nullish(),
            env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(65536))
              .nullish(),
          }).strict().openapi("StartProcess"),
        ),
      },
      responses: { 201: json(Proc, "Started"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.processes.start(owner(c), c.req.valid("param").id, c.req.valid("json")), 201),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/processes",
      tags,
      summary: "List processes",
      request: { params: IdParam },
      responses: { 200: json(z.object({ items: z.array(Proc) }), "Processes"), ...ERRORS },
    }),
    async (c) => c.json(await s.processes.list(owner(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/processes/{process_id}",
      tags,
      summary: "Get a process",
      request: { params: ProcParams },
      responses: { 200: json(Proc, "The process"), ...ERRORS },
    }),
    async (c) => {
      const p = c.req.valid("param");
      return c.json(await s.processes.get(owner(c), p.id, p.process_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/processes/{process_id}/logs",
      tags,
      summary:
        "Read output from an offset; follow=true with Accept: application/x-ndjson streams it",
      request: {
        params: ProcParams,
        query: z.object({
          offset: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
          follow: z.enum(["true", "false"]).default("false"),
        }),
      },
      responses: {
        200: json(
          z.object({
            stdout: z.string(),
            stderr: z.string(),
            next_offset: z.number().int(),
            status: z.string(),
          }),
          "Output (or an NDJSON stream when following)",
        ),
        ...ERRORS,
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const q = c.req.valid("query");
      if (q.follow === "true" && wantsNdjson(c)) {
        return await ndjsonResponse(c, async (onEvent, signal, onStarted) => {
          const r = await s.processes.follow(owner(c), p.id, p.process_id, q.offset, {
            onEvent,
            signal,
            onStarted,
          });
          return { exit_code: r.exit_code };
        }, { resultType: "exit" }) as never;
      }
      return c.json(await s.processes.logs(owner(c), p.id, p.process_id, q.offset), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/processes/{process_id}/stdin",
      tags,
      summary: "Write to the process's stdin",
      request: {
        params: ProcParams,
        body: body(z.object({ data: z.string().max(1024 * 1024) }).strict()),
      },
      responses: { 200: json(StatusOk, "ok"), ...ERRORS },
    }),
    async (c) => {
      const p = c.req.valid("param");
      await s.processes.stdin(owner(c), p.id, p.process_id, c.req.valid("json").data);
      return c.json({ status: "ok" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/processes/{process_id}/kill",
      tags,
      summary: "Signal the process group",
      request: {
        params: ProcParams,
        body: {
          ...body(z.object({ signal: z.enum(SIGNALS).default("SIGTERM") }).strict()),
          required: false,
        },
      },
      responses: { 200: json(Proc, "The process"), ...ERRORS },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const b = c.req.valid("json") as { signal?: string };
      return c.json(
        await s.processes.kill(owner(c), p.id, p.process_id, b.signal ?? "SIGTERM"),
        200,
      );
    },
  );

  return app;
}
