/**
 * Test fixtures: the store backends a test suite should run against.
 *
 * - `pglite` always: a fresh in-memory database per `open()`, loaded from a
 *   per-process snapshot (~0.35 s each after the first).
 * - `postgres` when `BAY_TEST_DATABASE_URL` is set (a role with CREATEDB):
 *   every `open()` creates `bay_test_<random>` on that server, and the
 *   returned Db's `close()` drops it again.
 *
 * With `BAY_TEST_REQUIRE_POSTGRES=1` and no URL, {@link storeBackends}
 * throws, so CI cannot skip the postgres leg by accident. This is the only
 * place test code reads the environment.
 *
 * @module
 */

import type { Db } from "./db.ts";
import { openPgliteFromSnapshot } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";

/** One backend to run a test against. */
export interface StoreBackend {
  /** Which backend; use it in test names. */
  name: "pglite" | "postgres";
  /** A new, empty database. Close it (in `finally`) when done. */
  open(): Promise<Db>;
}

/** The backends to test: pglite always, postgres when configured. */
export function storeBackends(): StoreBackend[] {
  const backends: StoreBackend[] = [{ name: "pglite", open: openPgliteFromSnapshot }];
  const url = Deno.env.get("BAY_TEST_DATABASE_URL");
  if (url) {
    backends.push({ name: "postgres", open: () => openTempPostgres(url) });
  } else if (Deno.env.get("BAY_TEST_REQUIRE_POSTGRES") === "1") {
    throw new Error("BAY_TEST_REQUIRE_POSTGRES=1 but BAY_TEST_DATABASE_URL is not set");
  }
  return backends;
}

/** Run one statement on the server at `url` through a short-lived connection. */
async function admin(url: string, statement: string): Promise<void> {
  const db = await openPostgres(url, { max: 1, closeTimeout: 1 });
  try {
    await db.exec(statement);
  } finally {
    await db.close();
  }
}

/**
 * Create a throwaway database on the server at `url` and connect to it.
 * `close()` disconnects and drops the database.
 */
export async function openTempPostgres(url: string, opts: { max?: number } = {}): Promise<Db> {
  const name = `bay_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await admin(url, `CREATE DATABASE ${name}`);
  let db: Db;
  try {
    db = await openPostgres(url, { database: name, max: opts.max ?? 4, closeTimeout: 1 });
  } catch (e) {
    await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    kind: db.kind,
    query: (text, params) => db.query(text, params),
    exec: (script) => db.exec(script),
    transaction: (fn) => db.transaction(fn),
    close() {
      closing ??= (async () => {
        try {
          await db.close();
        } finally {
          await admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        }
      })();
      return closing;
    },
  };
}

/**
 * A throwaway database on the test PostgreSQL server for Bay subprocesses
 * (multi-replica tests): its URL, and `drop()` for `finally`. Throws when no
 * server is configured (`BAY_TEST_DATABASE_URL`).
 */
export async function tempDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = Deno.env.get("BAY_TEST_DATABASE_URL");
  if (!base) throw new Error("BAY_TEST_DATABASE_URL is required for multi-replica tests");
  const name = `bay_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
