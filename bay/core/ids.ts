/**
 * Resource ids: a prefix plus 12 lowercase hex characters from a CSPRNG.
 *
 * @module
 */

/** Id prefixes by resource kind, as the API contract fixes them. */
export const ID_PREFIX = {
  sandbox: "sandbox-",
  cargo: "ws-",
  session: "sess-",
  execution: "exec-",
  blob: "blob-",
  candidate: "sc-",
  evaluation: "se-",
  release: "sr-",
  process: "proc-",
  key: "key-",
} as const;

/** A kind of resource with an id. */
export type IdKind = keyof typeof ID_PREFIX;

/** Random lowercase hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new id for `kind`, e.g. `sandbox-1f2e3d4c5b6a`. */
export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + randomHex(6);
}
