/**
 * The one place errors become HTTP responses: the standard envelope, with
 * the request id, and never a stack trace.
 *
 * @module
 */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { BayError } from "../errors.ts";
import type { Logger } from "../core/log.ts";
import { StoreUnavailableError } from "../store/errors.ts";

/** The envelope body of `err`. */
export function envelope(err: BayError, requestId: string) {
  return {
    error: {
      code: err.code,
      message: err.message,
      request_id: requestId,
      ...(err.details && Object.keys(err.details).length > 0 ? { details: err.details } : {}),
    },
  };
}

/** Map any thrown value to a BayError. */
export function toBayError(err: unknown): BayError {
  if (err instanceof BayError) return err;
  if (err instanceof StoreUnavailableError) {
    return new BayError("store_unavailable", "the database is unavailable; retry shortly");
  }
  if (err instanceof HTTPException) {
    if (err.status === 413) return new BayError("payload_too_large", "request body too large");
    if (err.status === 400) {
      return new BayError("validation_error", err.message || "malformed request", {
        issues: [{ path: "body", message: err.message }],
      }, 422);
    }
    if (err.status === 404) return new BayError("not_found", "not found");
    if (err.status === 415) {
      return new BayError("validation_error", "unsupported Content-Type: send application/json", {
        issues: [{ path: "header.content-type", message: "expected application/json" }],
      }, 415);
    }
    if (err.status >= 400 && err.status < 500) {
      return new BayError("validation_error", err.message || "bad request", undefined, err.status);
    }
  }
  return new BayError("internal_error", "internal error");
}

/** Hono `onError` handler writing the envelope. */
export function onError(log: Logger) {
  return (err: Error, c: Context) => {
    const requestId = (c.get("requestId") as string | undefined) ?? crypto.randomUUID();
    const bay = toBayError(err);
    if (bay.code === "internal_error" || bay.code === "store_unavailable") {
      log.error("request failed", {
        request_id: requestId,
        method: c.req.method,
        path: c.req.path,
        error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? err.stack : undefined,
      });
    }
    const res = c.json(envelope(bay, requestId), bay.status as 400);
    res.headers.set("X-Request-Id", requestId);
    return res;
  };
}
