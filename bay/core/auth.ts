/**
 * API keys: generation, hashing at rest, constant-time verification, and the
 * bootstrap key printed once on first start.
 *
 * @module
 */
import { timingSafeEqual } from "node:crypto";
import { join } from "node:path";
import type { Db } from "../store/db.ts";
import { countLiveKeys, findKeyByHash, insertKey } from "../store/keys.ts";
import { newId } from "./ids.ts";

/** Who a request acts for. */
export interface Principal {
  owner: string;
  isAdmin: boolean;
}

/** SHA-256 hex of a key. Keys are 256-bit random, so a fast hash is sufficient at rest. */
export async function hashKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new random API key (`sk-bay-` + 43 base64url characters). */
export function generateKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const b64 = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  return `sk-bay-${b64}`;
}

/** Store a new key for `owner`; returns the key id. */
export async function createKey(
  db: Db,
  key: string,
  owner: string,
  opts: { name?: string; isAdmin?: boolean } = {},
): Promise<string> {
  const id = newId("key");
  await insertKey(db, {
    id,
    owner,
    name: opts.name ?? "",
    key_hash: await hashKey(key),
    prefix: key.slice(0, 10),
    is_admin: opts.isAdmin ?? false,
  });
  return id;
}

/** Verifies bearer keys against the store, caching hits briefly. */
export class Authenticator {
  #db: Db;
  #cache = new Map<string, { p: Principal; until: number }>();
  #ttlMs: number;

  constructor(db: Db, opts: { cacheTtlMs?: number } = {}) {
    this.#db = db;
    this.#ttlMs = opts.cacheTtlMs ?? 5_000;
  }

  /** The principal of `key`, or null when it is unknown or revoked. */
  async verify(key: string): Promise<Principal | null> {
    if (key.length === 0 || key.length > 512) return null;
    const hash = await hashKey(key);
    const hit = this.#cache.get(hash);
    if (hit && hit.until > Date.now()) return hit.p;
    const row = await findKeyByHash(this.#db, hash);
    if (!row) return null;
    const a = new TextEncoder().encode(row.key_hash);
    const b = new TextEncoder().encode(hash);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
    const p = { owner: row.owner, isAdmin: row.is_admin };
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(hash, { p, until: Date.now() + this.#ttlMs });
    return p;
  }
}

/**
 * Make sure Bay can be used: seed `apiKey` (owner `default`, admin) when
 * given; otherwise, when no key exists, generate an admin key, write it to a
 * 0600 credentials file in `dataDir` and return it so it is printed once.
 */
export async function bootstrapKeys(
  db: Db,
  opts: { apiKey?: string; dataDir: string },
): Promise<{ generated: string | null; credentialsFile: string | null }> {
  if (opts.apiKey) {
    if (!(await findKeyByHash(db, await hashKey(opts.apiKey)))) {
      await createKey(db, opts.apiKey, "default", { name: "BAY_API_KEY", isAdmin: true });
    }
    return { generated: null, credentialsFile: null };
  }
  if ((await countLiveKeys(db)) > 0) return { generated: null, credentialsFile: null };
  const key = generateKey();
  await createKey(db, key, "default", { name: "bootstrap admin key", isAdmin: true });
  const file = join(opts.dataDir, "credentials");
  await Deno.writeTextFile(file, `BAY_API_KEY=${key}\n`, { mode: 0o600 });
  await Deno.chmod(file, 0o600);
  return { generated: key, credentialsFile: file };
}
