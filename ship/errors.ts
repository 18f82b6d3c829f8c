/**
 * The error a ship reports for a failed call. `code` is one of Bay's error
 * codes (`file_not_found`, `invalid_path`, `validation_error`, `timeout`,
 * `ship_error`, ...) so Bay can surface it unchanged.
 *
 * @module
 */
import type { ShipFailure } from "./protocol.ts";

/** A failure of a ship call, carried to Bay as an `err` frame. */
export class ShipError extends Error {
  /** Bay error code. */
  readonly code: string;
  /** Extra structured details. */
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "ShipError";
    this.code = code;
    this.details = details;
  }

  /** The wire form of this error. */
  toFailure(): ShipFailure {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}
