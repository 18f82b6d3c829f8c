/**
 * Errors shared by the store backends.
 *
 * @module
 */

/**
 * The database cannot be reached right now: connection refused, reset or
 * timed out, the server is shutting down or starting up, or the store was
 * closed. Bay answers these with 503; they are worth retrying later.
 */
export class StoreUnavailableError extends Error {
  /** Wrap `cause` (the driver's error) with a short reason. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** Node/Deno socket error codes that mean "the server is not reachable". */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  // postgres.js connection-level codes
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * SQLSTATEs that mean the server or the connection is going away:
 * class 08 (connection exception), 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (starting up / shutting down),
 * 57P05 idle session timeout, 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1235]|53300)$/;

const UNAVAILABLE_MESSAGE =
  /database system is (shutting down|starting up|in recovery mode|not yet accepting connections)|connection terminated|terminating connection|server closed the connection|PGlite is closed/i;

/** True when `err` (from a driver) means the database is unreachable. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof StoreUnavailableError) return true;
  if (err instanceof Deno.errors.ConnectionRefused) return true;
  if (err instanceof Deno.errors.ConnectionReset) return true;
  if (err instanceof Deno.errors.ConnectionAborted) return true;
  if (err instanceof Deno.errors.TimedOut) return true;
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
    // Any other SQLSTATE is a server answer (e.g. a RAISE): never guess from its text.
    if (/^[0-9A-Z]{5}$/.test(code)) return false;
  }
  return typeof message === "string" && UNAVAILABLE_MESSAGE.test(message);
}

/**
 * Return `err` as a {@link StoreUnavailableError} when it means the database
 * is unreachable, otherwise unchanged. Use as `throw toStoreError(e)`.
 */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreUnavailableError || !isUnavailable(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new StoreUnavailableError(`store unavailable: ${detail}`, { cause: err });
}
