/**
 * Helpers to declare routes once for validation, handler types and the
 * OpenAPI document.
 *
 * @module
 */
import { OpenAPIHono, type z } from "@hono/zod-openapi";
import { BayError } from "../errors.ts";
import type { BayEnv } from "./context.ts";
import { ErrorEnvelope } from "./schemas.ts";

/** A router whose schema failures become 422 `validation_error` envelopes. */
export function router(): OpenAPIHono<BayEnv> {
  return new OpenAPIHono<BayEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issues = result.error.issues.map((i) => ({
          path: [result.target, ...i.path.map(String)].join("."),
          message: i.message,
        }));
        throw new BayError("validation_error", "request validation failed", { issues }, 422);
      }
    },
  });
}

/** A JSON response entry for `responses`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { "application/json": { schema } }, description };
}

/** A JSON request body entry for `request.body`. */
export function body<T extends z.ZodType>(schema: T) {
  return { content: { "application/json": { schema } }, required: true };
}

/** Error responses documented on every route. */
export const ERRORS = {
  400: json(ErrorEnvelope, "Bad request"),
  401: json(ErrorEnvelope, "Missing or invalid API key"),
  404: json(ErrorEnvelope, "Not found (or owned by someone else)"),
  409: json(ErrorEnvelope, "Conflict"),
  413: json(ErrorEnvelope, "Payload too large"),
  422: json(ErrorEnvelope, "Request schema validation failed"),
} as const;
