/**
 * Terminal routes (API §3.6): tickets, and the WebSocket bridged to a PTY.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { BayError } from "../../errors.ts";
import type { Services } from "../context.ts";
import { ERRORS, json, router } from "../openapi.ts";
import { IdParam } from "../schemas.ts";

const tags = ["terminal"];
const Size = z.object({
  cols: z.coerce.number().int().min(1).max(1000).default(80),
  rows: z.coerce.number().int().min(1).max(1000).default(24),
  ticket: z.string().max(128).optional(),
});

/** Routes under `/v1/sandboxes/{id}/terminal`. */
export function terminalRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/terminal/tickets",
      tags,
      summary: "A single-use ticket for opening the terminal from a browser",
      request: { params: IdParam },
      responses: {
        200: json(z.object({ ticket: z.string(), expires_in: z.number().int() }), "Ticket"),
        ...ERRORS,
      },
    }),
    async (c) =>
      c.json(await s.terminal.ticket(c.get("principal").owner, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/terminal",
      tags,
      summary: "Terminal WebSocket (binary: raw bytes; text: JSON resize/exit control)",
      request: { params: IdParam, query: Size },
      responses: { 101: { description: "Switching protocols" }, ...ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const q = c.req.valid("query");
      if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
        throw new BayError("validation_error", "expected a WebSocket upgrade", undefined, 426);
      }
      const owner = c.get("principal")?.owner ?? await s.terminal.redeem(q.ticket ?? "", id);
      let response: Response | null = null;
      await s.terminal.attach(owner, id, { cols: q.cols, rows: q.rows }, () => {
        const up = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: 0 });
        response = up.response;
        return up.socket;
      });
      return response! as never;
    },
  );

  return app;
}
