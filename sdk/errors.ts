/**
 * Errors thrown by the SDK: one class per Bay error code, all extending
 * {@link BayError}, plus {@link ConnectionError} (the request never got an
 * answer) and {@link ClientTimeoutError} (the call's `timeoutMs` passed).
 *
 * @example Handle a missing sandbox
 * ```ts
 * import { BayClient, NotFoundError } from "@shipyard/sdk";
 * async function demo(bay: BayClient) {
 *   try {
 *     await bay.getSandbox("sandbox-000000000000");
 *   } catch (e) {
 *     if (e instanceof NotFoundError) console.log("gone; request", e.requestId);
 *     else throw e;
 *   }
 * }
 * ```
 *
 * @module
 */

/**
 * What an error carries besides its message.
 *
 * @example
 * ```ts
 * const init: BayErrorInit = { status: 404, requestId: "r-1", details: { sandbox_id: "s" } };
 * ```
 */
export interface BayErrorInit {
  /** The HTTP status (0 when there was no HTTP answer). */
  status?: number;
  /** Bay's request id (`X-Request-Id`), when the answer had one. */
  requestId?: string | null;
  /** Structured details of the error envelope. */
  details?: Record<string, unknown>;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every SDK error: a Bay error envelope
 * `{error: {code, message, request_id, details}}` or a client-side failure.
 *
 * @example
 * ```ts
 * const e = new BayError("something failed", "internal_error", { status: 500 });
 * console.log(e.code, e.status, e.requestId, e.details);
 * ```
 */
export class BayError extends Error {
  /** Bay's machine-readable error code, e.g. `not_found`. */
  readonly code: string;
  /** HTTP status, 0 when no HTTP answer was received. */
  readonly status: number;
  /** Request id for correlating with Bay's logs, when known. */
  readonly requestId: string | null;
  /** Structured details (empty object when none). */
  readonly details: Record<string, unknown>;

  constructor(message: string, code: string, init: BayErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = init.status ?? 0;
    this.requestId = init.requestId ?? null;
    this.details = init.details ?? {};
  }
}

type Init = Omit<BayErrorInit, "status"> & { status?: number };

function coded(code: string, status: number) {
  return class extends BayError {
    constructor(message: string, init: Init = {}) {
      super(message, code, { ...init, status: init.status ?? status });
    }
  };
}

/**
 * 401 `unauthorized`: missing or wrong API key.
 *
 * @example
 * ```ts
 * console.log(new UnauthorizedError("bad key").status === 401);
 * ```
 */
export class UnauthorizedError extends coded("unauthorized", 401) {}
/**
 * 403 `forbidden` (e.g. an admin route with a non-admin key).
 *
 * @example
 * ```ts
 * console.log(new ForbiddenError("admin key required").code === "forbidden");
 * ```
 */
export class ForbiddenError extends coded("forbidden", 403) {}
/**
 * 404 `not_found`: missing, deleted or another owner's resource.
 *
 * @example
 * ```ts
 * console.log(new NotFoundError("sandbox not found").status === 404);
 * ```
 */
export class NotFoundError extends coded("not_found", 404) {}
/**
 * 404 `file_not_found`: a sandbox path that does not exist.
 *
 * @example
 * ```ts
 * console.log(new FileNotFoundError("no such file").code === "file_not_found");
 * ```
 */
export class FileNotFoundError extends coded("file_not_found", 404) {}
/**
 * 400/422 `validation_error`; `details.issues` lists schema failures.
 *
 * @example
 * ```ts
 * console.log(new ValidationError("bad", { status: 422 }).status === 422);
 * ```
 */
export class ValidationError extends coded("validation_error", 400) {}
/**
 * 400 `invalid_path`; `details: {field, reason}`.
 *
 * @example
 * ```ts
 * console.log(new InvalidPathError("absolute path").code === "invalid_path");
 * ```
 */
export class InvalidPathError extends coded("invalid_path", 400) {}
/**
 * 400 `capability_not_supported`; `details: {capability, available}`.
 *
 * @example
 * ```ts
 * console.log(new CapabilityNotSupportedError("no browser").status === 400);
 * ```
 */
export class CapabilityNotSupportedError extends coded("capability_not_supported", 400) {}
/**
 * 409 `conflict` (idempotency key reuse, resource in use, ...).
 *
 * @example
 * ```ts
 * console.log(new ConflictError("in use").status === 409);
 * ```
 */
export class ConflictError extends coded("conflict", 409) {}
/**
 * 409 `sandbox_expired`; `details: {sandbox_id, expires_at}`.
 *
 * @example
 * ```ts
 * console.log(new SandboxExpiredError("expired").code === "sandbox_expired");
 * ```
 */
export class SandboxExpiredError extends coded("sandbox_expired", 409) {}
/**
 * 409 `sandbox_ttl_infinite`: extending a sandbox that never expires.
 *
 * @example
 * ```ts
 * console.log(new SandboxTtlInfiniteError("never expires").status === 409);
 * ```
 */
export class SandboxTtlInfiniteError extends coded("sandbox_ttl_infinite", 409) {}
/**
 * 413 `payload_too_large`.
 *
 * @example
 * ```ts
 * console.log(new PayloadTooLargeError("too big").status === 413);
 * ```
 */
export class PayloadTooLargeError extends coded("payload_too_large", 413) {}
/**
 * 423 `locked` (e.g. a GC run already in progress).
 *
 * @example
 * ```ts
 * console.log(new LockedError("busy").status === 423);
 * ```
 */
export class LockedError extends coded("locked", 423) {}
/**
 * 429 `quota_exceeded`.
 *
 * @example
 * ```ts
 * console.log(new QuotaExceededError("slow down").status === 429);
 * ```
 */
export class QuotaExceededError extends coded("quota_exceeded", 429) {}
/**
 * 500 `internal_error`.
 *
 * @example
 * ```ts
 * console.log(new InternalError("oops").status === 500);
 * ```
 */
export class InternalError extends coded("internal_error", 500) {}
/**
 * 502 `ship_error`: the sandbox runtime failed or vanished mid-call.
 *
 * @example
 * ```ts
 * console.log(new ShipError("runtime gone").status === 502);
 * ```
 */
export class ShipError extends coded("ship_error", 502) {}
/**
 * 503 `store_unavailable`: Bay's database is unavailable.
 *
 * @example
 * ```ts
 * console.log(new StoreUnavailableError("db down").status === 503);
 * ```
 */
export class StoreUnavailableError extends coded("store_unavailable", 503) {}
/**
 * 504 `timeout` from Bay; {@link ClientTimeoutError} (status 0) when the
 * call's own `timeoutMs` passed.
 *
 * @example
 * ```ts
 * console.log(new TimeoutError("slow").status === 504);
 * ```
 */
export class TimeoutError extends coded("timeout", 504) {}

/**
 * 503 `session_not_ready`: the sandbox's session could not start within the
 * request's budget; retry after {@link SessionNotReadyError.retryAfterMs}.
 *
 * @example
 * ```ts
 * const e = new SessionNotReadyError("starting", { details: { retry_after_ms: 500 } });
 * console.log(e.retryAfterMs === 500);
 * ```
 */
export class SessionNotReadyError extends coded("session_not_ready", 503) {
  /** Bay's suggested wait before retrying (ms), when given. */
  get retryAfterMs(): number | null {
    const v = this.details.retry_after_ms;
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : null;
  }
}

/**
 * The request got no HTTP answer (connection refused or reset, DNS failure,
 * a stream cut mid-way).
 *
 * @example
 * ```ts
 * console.log(new ConnectionError("refused").code === "connection_error");
 * ```
 */
export class ConnectionError extends coded("connection_error", 0) {}

/**
 * The call's `timeoutMs` passed before it finished (client side; code
 * `timeout`, status 0).
 *
 * @example
 * ```ts
 * const e = new ClientTimeoutError("no answer within 10 ms", 10);
 * console.log(e instanceof TimeoutError, e.timeoutMs);
 * ```
 */
export class ClientTimeoutError extends TimeoutError {
  /** The timeout that passed (ms). */
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super(message, { status: 0 });
    this.timeoutMs = timeoutMs;
  }
}
