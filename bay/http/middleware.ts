/**
 * Cross-cutting middleware: request ids, authentication, body limits.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { BayError } from "../errors.ts";
import type { BayEnv, Services } from "./context.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Take `X-Request-Id` from the request (when sane) or make one; echo it back. */
export function requestId(): MiddlewareHandler<BayEnv> {
  return async (c, next) => {
    const given = c.req.header("X-Request-Id");
    const id = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", id);
    await next();
    c.res.headers.set("X-Request-Id", id);
  };
}

/** Require `Authorization: Bearer <key>` (or `X-Owner` when anonymous mode is on). */
export function authenticate(s: Services): MiddlewareHandler<BayEnv> {
  return async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) {
      const p = await s.auth.verify(m[1]);
      if (!p) throw new BayError("unauthorized", "invalid API key");
      c.set("principal", p);
      return next();
    }
    if (s.config.allowAnonymous && !header) {
      const owner = c.req.header("X-Owner") ?? "default";
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(owner)) {
        throw new BayError("unauthorized", "invalid X-Owner");
      }
      c.set("principal", { owner, isAdmin: false });
      return next();
    }
    throw new BayError("unauthorized", "missing or malformed Authorization: Bearer <api key>");
  };
}

/** Refuse request bodies over `maxBytes` with 413 `payload_too_large`. */
export function limitBody(maxBytes: number): MiddlewareHandler<BayEnv> {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new BayError("payload_too_large", `request body exceeds ${maxBytes} bytes`, {
        max_bytes: maxBytes,
      });
    },
  });
}

/** Only admin keys pass. */
export function requireAdmin(): MiddlewareHandler<BayEnv> {
  return async (c, next) => {
    if (!c.get("principal")?.isAdmin) throw new BayError("forbidden", "admin key required");
    await next();
  };
}
