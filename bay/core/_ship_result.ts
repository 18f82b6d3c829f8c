/**
 * Validate a result a ship sent against its protocol schema.
 *
 * @module
 */
import { BayError } from "../errors.ts";

/** `raw` parsed by `schema`, or `ship_error` when the ship sent something else. */
export function shipResult<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  raw: unknown,
): T {
  const r = schema.safeParse(raw);
  if (!r.success) throw new BayError("ship_error", "the ship sent a malformed result");
  return r.data;
}
