/**
 * The web dashboard (issue 11): serves the Vite build in `dashboard/dist` at
 * `/dashboard/`. Paths without a file behind them fall back to `index.html`
 * (client-side routes); missing assets are 404. Every response under
 * `/dashboard` carries a strict Content-Security-Policy (same origin only,
 * WebSockets to this host included). Without a build, `/dashboard/` answers
 * 404 `not_found` saying to run `dashboard/build.sh`.
 *
 * Not part of the OpenAPI document: it is a UI, not API.
 *
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BayError } from "../../errors.ts";
import type { BayEnv } from "../context.ts";

/** Where `dashboard/build.sh` writes the build. */
export const DEFAULT_DASHBOARD_DIST = fileURLToPath(
  new URL("../../../dashboard/dist/", import.meta.url),
);

const PREFIX = "/dashboard";
const NOT_BUILT = "the dashboard is not built: run dashboard/build.sh (it writes dashboard/dist/)";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  woff2: "font/woff2",
};

/** A relative asset path made only of safe segments (no dot-segments, no dot-files). */
const SAFE_PATH = /^(?:[A-Za-z0-9_-][A-Za-z0-9._-]*\/)*(?:[A-Za-z0-9_-][A-Za-z0-9._-]*)?$/;
/** A Host header value that cannot smuggle anything into the policy. */
const SAFE_HOST = /^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$/;

/**
 * The policy of every dashboard response: scripts, styles, images, fonts and
 * connections from this origin only; WebSockets (the terminal) to this host.
 * No inline script or style, no eval, no framing, no plugins.
 */
export function dashboardCsp(host: string | undefined): string {
  const ws = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : "";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    `connect-src 'self'${ws}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

function securityHeaders(): MiddlewareHandler<BayEnv> {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set("Content-Security-Policy", dashboardCsp(c.req.header("Host")));
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Cross-Origin-Opener-Policy", "same-origin");
  };
}

async function readFileOrNull(path: string): Promise<Uint8Array<ArrayBuffer> | null> {
  try {
    return await Deno.readFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.IsADirectory) return null;
    throw e;
  }
}

/** `/dashboard/…` served from `dist` (default: the repository's `dashboard/dist`). */
export function dashboardRoutes(dist: string = DEFAULT_DASHBOARD_DIST): Hono<BayEnv> {
  const app = new Hono<BayEnv>();
  const headers = securityHeaders();
  app.use(PREFIX, headers);
  app.use(`${PREFIX}/*`, headers);

  app.get(PREFIX, (c) => {
    const q = new URL(c.req.url).search;
    return c.redirect(`${PREFIX}/${q}`, 308);
  });

  app.get(`${PREFIX}/*`, async (c) => {
    // Checked after Hono's percent-decoding: nothing encoded can smuggle a dot-segment in.
    const rel = c.req.path.slice(PREFIX.length + 1);
    if (!SAFE_PATH.test(rel)) throw new BayError("not_found", "no such dashboard path");
    const file = rel === "" ? null : await readFileOrNull(join(dist, rel));
    if (file) {
      const ext = rel.slice(rel.lastIndexOf(".") + 1).toLowerCase();
      return c.body(file, 200, {
        "Content-Type": TYPES[ext] ?? "application/octet-stream",
        // Vite names everything under assets/ by content hash.
        "Cache-Control": rel.startsWith("assets/")
          ? "public, max-age=31536000, immutable"
          : "no-cache",
      });
    }
    const index = await readFileOrNull(join(dist, "index.html"));
    if (!index) throw new BayError("not_found", NOT_BUILT);
    const last = rel.slice(rel.lastIndexOf("/") + 1);
    if (rel.startsWith("assets/") || last.includes(".")) {
      throw new BayError("not_found", `no dashboard asset ${rel}`);
    }
    return c.body(index, 200, { "Content-Type": TYPES.html, "Cache-Control": "no-cache" });
  });

  return app;
}
