/**
 * Bay's HTTP application: middleware, routes, the OpenAPI document and the
 * error envelope, over already-built services. `app.request()` drives it in
 * tests without a network.
 *
 * @module
 */
import { BayError } from "../errors.ts";
import type { ShipHub } from "../ship_hub/hub.ts";
import type { BayEnv, Services } from "./context.ts";
import { onError } from "./errors.ts";
import { forwardToHolder } from "./forward.ts";
import { authenticate, limitBody, requestId } from "./middleware.ts";
import { router } from "./openapi.ts";
import { adminRoutes } from "./routes/admin.ts";
import { cargoRoutes } from "./routes/cargos.ts";
import { execRoutes } from "./routes/exec.ts";
import { fileRoutes } from "./routes/files.ts";
import { historyRoutes } from "./routes/history.ts";
import { skillRoutes } from "./routes/skills.ts";
import { processRoutes } from "./routes/processes.ts";
import { terminalRoutes } from "./routes/terminal.ts";
import { sandboxRoutes } from "./routes/sandboxes.ts";
import { systemRoutes } from "./routes/system.ts";
import { mcpRoutes } from "./routes/mcp.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import type { Hono } from "hono";

/** The terminal WebSocket route, the only one a ticket (instead of a key) may open. */
const TERMINAL_PATH = /^\/v1\/sandboxes\/[^/]+\/terminal$/;

/** The ship WebSocket endpoint, shared by the TCP app and the unix-socket app. */
export function shipConnectHandler(hub: ShipHub) {
  return (req: Request): Response => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("expected a WebSocket upgrade", { status: 426 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
    socket.addEventListener("open", () => hub.accept(socket), { once: true });
    return response;
  };
}

/** Build the public app. */
export function createApp(s: Services): Hono<BayEnv> {
  const app = router();
  app.onError(onError(s.log));
  app.notFound((c) => {
    throw new BayError("not_found", `no route for ${c.req.method} ${c.req.path}`);
  });
  app.use("*", requestId());
  app.use("*", async (c, next) => {
    const t0 = performance.now();
    await next();
    const labels = {
      method: c.req.method,
      route: c.req.routePath || "unmatched",
      status: String(c.res.status),
    };
    s.metrics.httpRequests.inc(labels);
    const ms = performance.now() - t0;
    s.metrics.httpDuration.observe(labels, ms / 1000);
    s.log.debug("request", {
      request_id: c.get("requestId"),
      ...labels,
      path: c.req.path,
      duration_ms: Math.round(ms * 10) / 10,
    });
  });
  app.get("/metrics", async (c) =>
    c.body(await s.metrics.registry.metrics(), 200, {
      "Content-Type": s.metrics.registry.contentType,
    }));
  app.get("/v1/ship/connect", (c) => shipConnectHandler(s.hub)(c.req.raw));
  // Bulk transfers of ships that reach Bay over TCP (kubernetes); token-authenticated.
  app.on(["GET", "POST"], "/v1/ship/transfers/:token", (c) => {
    const token = c.req.param("token");
    if (!/^[0-9a-f]{64}$/.test(token)) throw new BayError("not_found", "unknown transfer");
    return s.transfers.handle(c.req.raw, token);
  });
  app.route("/", systemRoutes(s));
  app.route("/", mcpRoutes(s, app));
  app.route("/", dashboardRoutes());

  const auth = authenticate(s);
  const limit = limitBody(s.config.maxBodyBytes);
  app.use("/v1/*", (c, next) => {
    if (c.req.path === "/v1/profiles") return next();
    // Browsers open the terminal with a single-use ticket instead of a header. Only that
    // route: any other path ending in /terminal (e.g. /v1/cargos/terminal) needs a key.
    if (
      c.req.method === "GET" && TERMINAL_PATH.test(c.req.path) && c.req.query("ticket") &&
      !c.req.header("Authorization")
    ) return next();
    return auth(c, next);
  });
  app.use("/v1/sandboxes/*", forwardToHolder(s));
  app.use("/v1/*", (c, next) => {
    if (c.req.method === "POST" && c.req.path.endsWith("/filesystem/upload")) return next();
    return limit(c, next);
  });
  app.route("/v1/sandboxes", sandboxRoutes(s));
  app.route("/v1/sandboxes", execRoutes(s));
  app.route("/v1/sandboxes", fileRoutes(s));
  app.route("/v1/sandboxes", processRoutes(s));
  app.route("/v1/sandboxes", terminalRoutes(s));
  app.route("/v1/sandboxes", historyRoutes(s));
  app.route("/v1/cargos", cargoRoutes(s));
  app.route("/v1/skills", skillRoutes(s));
  app.route("/v1/admin", adminRoutes(s));

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Shipyard Neo Bay API",
      version: s.version,
      description: "Secure, persistent code-execution sandboxes for AI agents.",
    },
    security: [{ bearer: [] }],
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  return app;
}
