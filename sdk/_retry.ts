/**
 * The retry policy: which failures of which requests are retried, and how
 * long to wait before the next attempt (bounded, jittered exponential
 * backoff, or the server's own hint).
 *
 * @module
 */
import { BayError, ConnectionError, SessionNotReadyError } from "./errors.ts";

/**
 * Backoff settings.
 *
 * @example
 * ```ts
 * const p: RetryPolicy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 2000 };
 * ```
 */
export interface RetryPolicy {
  /** Retries after the first attempt (0 disables retrying). */
  maxRetries: number;
  /** First backoff step (ms). */
  baseDelayMs: number;
  /** Largest wait between attempts (ms), including server hints. */
  maxDelayMs: number;
}

/**
 * The defaults: 3 retries, 250 ms doubling up to 8 s.
 *
 * @example
 * ```ts
 * console.log(DEFAULT_RETRY.maxRetries);
 * ```
 */
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 3, baseDelayMs: 250, maxDelayMs: 8_000 };

/**
 * True when a request may be sent again without risk of doing its work
 * twice: GET, HEAD, PUT and DELETE, and POST carrying an `Idempotency-Key`.
 *
 * @example
 * ```ts
 * console.log(safeToRepeat("GET", false), safeToRepeat("POST", false), safeToRepeat("POST", true));
 * ```
 */
export function safeToRepeat(method: string, hasIdempotencyKey: boolean): boolean {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD" || m === "PUT" || m === "DELETE") return true;
  return m === "POST" && hasIdempotencyKey;
}

/**
 * True for failures worth another attempt: no answer at all, 429, or 5xx.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "./errors.ts";
 * console.log(retryableFailure(new ConnectionError("reset")));
 * ```
 */
export function retryableFailure(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  if (!(err instanceof BayError)) return false;
  return err.status === 429 || err.status >= 500;
}

/**
 * How long to wait before retry number `attempt` (0-based) after `err`:
 * `details.retry_after_ms` of a `session_not_ready` answer or a `Retry-After`
 * hint when given, else exponential backoff with jitter (between half and all
 * of the step); never more than `maxDelayMs`.
 *
 * @example
 * ```ts
 * import { ConnectionError } from "./errors.ts";
 * const ms = retryDelayMs(DEFAULT_RETRY, 2, new ConnectionError("reset"));
 * console.log(ms >= 500 && ms <= 1000);
 * ```
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  err: unknown,
  retryAfterHeader: string | null = null,
  random: () => number = Math.random,
): number {
  let hint: number | null = null;
  if (err instanceof SessionNotReadyError) hint = err.retryAfterMs;
  if (hint === null && retryAfterHeader && /^\d+(\.\d+)?$/.test(retryAfterHeader.trim())) {
    hint = Number(retryAfterHeader) * 1000;
  }
  if (hint !== null) return Math.min(hint, policy.maxDelayMs);
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 30));
  return Math.round(step / 2 + random() * (step / 2));
}
