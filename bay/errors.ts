/**
 * Bay's one error type and the table that maps error codes to HTTP statuses.
 *
 * @module
 */

/** Every error code Bay answers with, and its default HTTP status. */
export const ERROR_STATUS = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  file_not_found: 404,
  validation_error: 400,
  invalid_path: 400,
  capability_not_supported: 400,
  conflict: 409,
  sandbox_expired: 409,
  sandbox_ttl_infinite: 409,
  payload_too_large: 413,
  locked: 423,
  quota_exceeded: 429,
  internal_error: 500,
  ship_error: 502,
  session_not_ready: 503,
  store_unavailable: 503,
  timeout: 504,
} as const;

/** A Bay error code. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** True when `code` is one of Bay's error codes. */
export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_STATUS, code);
}

/** An error that becomes the standard envelope `{error: {code, message, request_id, details}}`. */
export class BayError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  /** HTTP status (from {@link ERROR_STATUS} unless overridden, e.g. 422 for schema failures). */
  readonly status: number;
  /** Structured details; omitted from the body when undefined. */
  readonly details?: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    status?: number,
  ) {
    super(message);
    this.name = "BayError";
    this.code = code;
    this.status = status ?? ERROR_STATUS[code];
    this.details = details;
  }
}

/** True when `id` has the shape of a resource id (prefix, dash, hex); others cannot exist. */
export function plausibleId(id: string): boolean {
  return /^[a-z]{2,8}-[0-9a-f]{12}$/.test(id);
}

/** Shorthand for the 404 every foreign or missing resource gets. */
export function notFound(what: string, id: string): BayError {
  return new BayError("not_found", `${what} not found: ${id}`);
}
