/**
 * Turns Bay's error envelope (or any failed response) into the matching
 * {@link BayError} subclass.
 *
 * @module
 */
import {
  BayError,
  type BayErrorInit,
  CapabilityNotSupportedError,
  ConflictError,
  FileNotFoundError,
  ForbiddenError,
  InternalError,
  InvalidPathError,
  LockedError,
  NotFoundError,
  PayloadTooLargeError,
  QuotaExceededError,
  SandboxExpiredError,
  SandboxTtlInfiniteError,
  SessionNotReadyError,
  ShipError,
  StoreUnavailableError,
  TimeoutError,
  UnauthorizedError,
  ValidationError,
} from "./errors.ts";

type Ctor = new (message: string, init?: BayErrorInit) => BayError;

/**
 * Error class by Bay error code.
 *
 * @example
 * ```ts
 * console.log(ERROR_CLASSES.not_found.name);
 * ```
 */
export const ERROR_CLASSES: Record<string, Ctor> = {
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  file_not_found: FileNotFoundError,
  validation_error: ValidationError,
  invalid_path: InvalidPathError,
  capability_not_supported: CapabilityNotSupportedError,
  conflict: ConflictError,
  sandbox_expired: SandboxExpiredError,
  sandbox_ttl_infinite: SandboxTtlInfiniteError,
  payload_too_large: PayloadTooLargeError,
  locked: LockedError,
  quota_exceeded: QuotaExceededError,
  internal_error: InternalError,
  ship_error: ShipError,
  session_not_ready: SessionNotReadyError,
  store_unavailable: StoreUnavailableError,
  timeout: TimeoutError,
};

const BY_STATUS: Record<number, string> = {
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  423: "locked",
  429: "quota_exceeded",
  502: "ship_error",
  504: "timeout",
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The error for an envelope body `{error: {...}}` answered with `status`
 * (null for an error line inside a stream: the code's usual status). Unknown
 * codes give a plain {@link BayError}; a body that is not an envelope gives
 * the class usual for the status.
 *
 * @example
 * ```ts
 * const e = errorFromEnvelope(404, {
 *   error: { code: "not_found", message: "sandbox not found", request_id: "r-1" },
 * });
 * console.log(e.name, e.requestId);
 * ```
 */
export function errorFromEnvelope(
  status: number | null,
  body: unknown,
  headerRequestId: string | null = null,
): BayError {
  const env = isRecord(body) && isRecord(body.error) ? body.error : null;
  const s = status ?? 500;
  const code = typeof env?.code === "string"
    ? env.code
    : BY_STATUS[s] ?? (s >= 500 ? "internal_error" : "validation_error");
  const message = typeof env?.message === "string" ? env.message : `HTTP ${s}`;
  const init: BayErrorInit = {
    status: status ?? undefined,
    requestId: typeof env?.request_id === "string" ? env.request_id : headerRequestId,
    details: isRecord(env?.details) ? env.details : {},
  };
  const cls = ERROR_CLASSES[code];
  return cls ? new cls(message, init) : new BayError(message, code, init);
}

/**
 * Read a failed response's body (bounded) and map it with
 * {@link errorFromEnvelope}.
 *
 * @example
 * ```ts
 * const res = new Response(JSON.stringify({ error: { code: "conflict", message: "x" } }), {
 *   status: 409,
 *   headers: { "X-Request-Id": "r-2" },
 * });
 * const e = await errorFromResponse(res);
 * console.log(e.code === "conflict", e.requestId === "r-2");
 * ```
 */
export async function errorFromResponse(res: Response): Promise<BayError> {
  const requestId = res.headers.get("X-Request-Id");
  let body: unknown = null;
  try {
    const text = await res.text();
    body = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  return errorFromEnvelope(res.status, body, requestId);
}
