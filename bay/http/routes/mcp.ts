/**
 * MCP over Streamable HTTP at `/mcp` (stateless): the same tools as the
 * stdio server (`@shipyard/mcp`), acting as the caller. Each request is
 * authenticated like `/v1/*`; the tools then call Bay's own app in-process
 * with the caller's `Authorization` (or anonymous `X-Owner`) header, so every
 * call is scoped, validated and metered exactly as over the REST API. Local
 * file access (upload/download by `local_path`) is off here.
 *
 * @module
 */
import { createServer, handleHttpRequest } from "@shipyard/mcp";
import { BayClient } from "@shipyard/sdk";
import type { Services } from "../context.ts";
import { authenticate } from "../middleware.ts";
import { router } from "../openapi.ts";

/** Something that answers requests: Bay's own app. */
export interface FetchApp {
  fetch(req: Request): Response | Promise<Response>;
}

/** The base URL of in-process calls (never resolved: requests go to `app.fetch`). */
const INTERNAL = "http://bay.internal";

/** The `/mcp` endpoint; its tools call `app` (the full Bay app) in-process. */
export function mcpRoutes(s: Services, app: FetchApp) {
  const r = router();
  r.use("/mcp", authenticate(s));
  r.all("/mcp", (c) => {
    const headers: Record<string, string> = { "X-Request-Id": c.get("requestId") };
    const authorization = c.req.header("Authorization");
    const owner = c.req.header("X-Owner");
    if (authorization) headers.Authorization = authorization;
    else if (owner) headers["X-Owner"] = owner;
    const client = new BayClient({
      endpoint: INTERNAL,
      // Never fall back to a key from Bay's own environment: only the caller's headers count.
      apiKey: "",
      headers,
      fetch: (url, init) => Promise.resolve(app.fetch(new Request(url, init))),
    });
    return handleHttpRequest(c.req.raw, createServer({ client, localFiles: false }), {
      maxRequestBodySize: s.config.maxBodyBytes,
    });
  });
  return r;
}
