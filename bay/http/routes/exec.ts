/**
 * Execution routes (API §3.1–3.3, 3.5): python and shell, plain or NDJSON
 * streamed, and kernel control.
 *
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import type { Services } from "../context.ts";
import { ndjsonResponse, wantsNdjson } from "../ndjson.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import {
  IdParam,
  PythonExecBody,
  PythonExecOut,
  ShellExecBody,
  ShellExecOut,
  StatusOk,
} from "../schemas.ts";

const tags = ["execution"];
const streamDoc = {
  "application/x-ndjson": {
    schema: { type: "string" as const, description: "one JSON event per line; last is result" },
  },
};

/** Routes under `/v1/sandboxes/{id}` for execution. */
export function execRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/python/exec",
      tags,
      summary: "Run Python in the sandbox's kernel",
      request: { params: IdParam, body: body(PythonExecBody) },
      responses: {
        200: {
          content: { "application/json": { schema: PythonExecOut }, ...streamDoc },
          description: "The result (or an NDJSON stream with Accept: application/x-ndjson)",
        },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const owner = c.get("principal").owner;
      if (wantsNdjson(c)) {
        return await ndjsonResponse(
          c,
          (onEvent, signal, onStarted) =>
            s.exec.python(owner, id, input, { onEvent, signal, onStarted }),
        ) as never;
      }
      return c.json(
        await s.exec.python(owner, id, input, { signal: c.req.raw.signal }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/shell/exec",
      tags,
      summary: "Run a shell command as the sandbox user",
      request: { params: IdParam, body: body(ShellExecBody) },
      responses: {
        200: {
          content: { "application/json": { schema: ShellExecOut }, ...streamDoc },
          description: "The result (or an NDJSON stream with Accept: application/x-ndjson)",
        },
        ...ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      const owner = c.get("principal").owner;
      if (wantsNdjson(c)) {
        return await ndjsonResponse(
          c,
          (onEvent, signal, onStarted) =>
            s.exec.shell(owner, id, input, { onEvent, signal, onStarted }),
        ) as never;
      }
      return c.json(await s.exec.shell(owner, id, input, { signal: c.req.raw.signal }), 200);
    },
  );

  for (const action of ["interrupt", "restart"] as const) {
    app.openapi(
      createRoute({
        method: "post",
        path: `/{id}/python/${action}`,
        tags,
        summary: action === "interrupt" ? "Interrupt the running code" : "Restart the kernel",
        request: { params: IdParam },
        responses: { 200: json(StatusOk, "ok"), ...ERRORS },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        await s.exec.kernel(c.get("principal").owner, id, action);
        return c.json({ status: "ok" }, 200);
      },
    );
  }

  return app;
}
