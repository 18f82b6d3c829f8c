/**
 * `Idempotency-Key` handling for the create endpoints: replay a stored
 * success, refuse a key reused for another request, and make two concurrent
 * first uses of one key produce one resource.
 *
 * @module
 */
import type { Context } from "hono";
import { BayError } from "../errors.ts";
import { claimKey, completeKey, releaseKey } from "../store/idempotency.ts";
import type { BayEnv, Services } from "./context.ts";

const KEY = /^[A-Za-z0-9_-]{1,128}$/;

/** JSON with object keys sorted, so equal bodies fingerprint equally. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v ?? null);
}

async function sha256(text: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Run `fn` at most once per (owner, Idempotency-Key). `body` is the parsed
 * request body used for the fingerprint.
 */
export async function idempotent<T>(
  c: Context<BayEnv>,
  s: Services,
  body: unknown,
  fn: () => Promise<{ status: number; body: T }>,
): Promise<{ status: number; body: T }> {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined) return fn();
  if (!KEY.test(key)) {
    throw new BayError("conflict", "Idempotency-Key must match ^[A-Za-z0-9_-]{1,128}$", {
      key: key.slice(0, 200),
      hint: "use 1-128 letters, digits, '_' or '-'",
    });
  }
  const owner = c.get("principal").owner;
  const fingerprint = await sha256(`${c.req.method} ${c.req.path} ${canonicalJson(body)}`);
  const deadline = Date.now() + 30_000;
  while (true) {
    const claim = await claimKey(s.db, owner, key, fingerprint, s.config.idempotencyTtlMs);
    if (claim.kind === "claimed") break;
    if (claim.kind === "replay") return { status: claim.status, body: claim.body as T };
    if (claim.kind === "conflict") {
      throw new BayError("conflict", "Idempotency-Key was already used for a different request", {
        key,
        hint: "use a new key for a different request",
      });
    }
    if (Date.now() > deadline) {
      throw new BayError("conflict", "a request with this Idempotency-Key is still in progress", {
        key,
        hint: "retry later",
      });
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  try {
    const out = await fn();
    await completeKey(s.db, owner, key, out.status, out.body);
    return out;
  } catch (e) {
    await releaseKey(s.db, owner, key).catch(() => {});
    throw e;
  }
}
