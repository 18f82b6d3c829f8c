/**
 * Unauthenticated system routes: health, profiles, the API document and the
 * interactive reference page (served from the bundled swagger-ui, no CDN).
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { join } from "node:path";
import { getAbsoluteFSPath } from "swagger-ui-dist";
import { profileView } from "../../core/views.ts";
import type { Services } from "../context.ts";
import { json, router } from "../openapi.ts";
import { ProfileOut } from "../schemas.ts";

const DOCS_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>Shipyard Neo Bay API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: "/openapi.json", dom_id: "#ui", persistAuthorization: true });</script>
</body></html>`;

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

/** Health, profiles and docs. */
export function systemRoutes(s: Services) {
  const app = router();

  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["system"],
      summary: "Liveness",
      responses: {
        200: json(z.object({ status: z.string(), version: z.string() }), "Bay is up"),
      },
    }),
    (c) => c.json({ status: "ok", version: s.version }, 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/profiles",
      tags: ["system"],
      summary: "Sandbox profiles",
      request: { query: z.object({ detail: z.enum(["true", "false"]).default("false") }) },
      responses: { 200: json(z.object({ items: z.array(ProfileOut) }), "Profiles") },
    }),
    (c) => {
      const detail = c.req.valid("query").detail === "true";
      return c.json({ items: s.config.profiles.map((p) => profileView(p, detail)) }, 200);
    },
  );

  app.get("/docs", (c) => c.html(DOCS_HTML));
  app.get("/docs/assets/:file", async (c) => {
    const file = c.req.param("file");
    const type = ASSETS[file];
    if (!type) return c.notFound();
    const bytes = await Deno.readFile(join(getAbsoluteFSPath(), file));
    return c.body(bytes, 200, { "Content-Type": type, "Cache-Control": "public, max-age=86400" });
  });

  return app;
}
