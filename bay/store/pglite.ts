/**
 * The embedded backend: PGlite (PostgreSQL compiled to wasm, in process).
 *
 * PGlite has exactly one connection. This wrapper runs every statement and
 * every transaction through one FIFO lock, so a `db.query` issued while a
 * transaction is open waits for that transaction to end instead of running
 * inside it. Calling `db.query` / `db.transaction` from inside a transaction
 * callback (instead of using its `tx`) would wait forever, so it throws.
 *
 * @module
 */

import { PGlite, type Transaction, types } from "@electric-sql/pglite";
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db, Sql } from "./db.ts";
import { StoreUnavailableError, toStoreError } from "./errors.ts";

/** Options for {@link openPglite}. */
export interface PgliteOptions {
  /** Directory holding the database files; `undefined` keeps it in memory. */
  dataDir?: string;
  /** A `dumpDataDir()` tarball to start from (skips the slow initdb). */
  loadDataDir?: Blob;
}

/** int8 comes back as a number, like the postgres backend (precision past 2^53 is lost). */
const PARSERS = { [types.INT8]: (x: string) => Number(x) };

/** A FIFO lock: each `run` starts after every earlier one has settled. */
class Lock {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.catch(() => {});
    return result;
  }
}

/** Open (or create) a PGlite database. Creating a fresh one takes seconds; see {@link pgliteSnapshot}. */
export async function openPglite(opts: PgliteOptions = {}): Promise<Db> {
  const pg = await PGlite.create({
    dataDir: opts.dataDir,
    loadDataDir: opts.loadDataDir,
    parsers: PARSERS,
  });
  return wrap(pg);
}

let snapshot: Promise<Blob> | undefined;

/**
 * A freshly initialised, empty database as a `dumpDataDir` tarball, built
 * once per process (the initdb costs ~2-6 s) and shared afterwards.
 */
export function pgliteSnapshot(): Promise<Blob> {
  if (!snapshot) {
    const made = (async () => {
      const pg = await PGlite.create();
      try {
        return await pg.dumpDataDir("none");
      } finally {
        await pg.close();
      }
    })();
    snapshot = made;
    made.catch(() => {
      if (snapshot === made) snapshot = undefined;
    });
  }
  return snapshot;
}

/** A new, empty in-memory database loaded from {@link pgliteSnapshot} (~0.35 s). */
export async function openPgliteFromSnapshot(): Promise<Db> {
  return openPglite({ loadDataDir: await pgliteSnapshot() });
}

function closedError(): StoreUnavailableError {
  return new StoreUnavailableError("store unavailable: PGlite is closed");
}

type Tx = Pick<Transaction, "query" | "exec">;

function sqlOver(target: Tx): Sql {
  return {
    async query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      try {
        const res = await target.query<T>(text, params as unknown[] | undefined);
        return res.rows;
      } catch (e) {
        throw toStoreError(e);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        await target.exec(script);
      } catch (e) {
        throw toStoreError(e);
      }
    },
  };
}

function wrap(pg: PGlite): Db {
  const lock = new Lock();
  const inTx = new AsyncLocalStorage<{ open: boolean }>();
  let closed = false;
  let closing: Promise<void> | undefined;
  const direct = sqlOver(pg);

  /** Run `fn` alone on the connection; reject at once when misused or closed. */
  const exclusive = <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    if (inTx.getStore()?.open) {
      return Promise.reject(
        new Error(
          `db.${what}() inside db.transaction(): use the tx handle (PGlite would deadlock)`,
        ),
      );
    }
    if (closed) return Promise.reject(closedError());
    return lock.run(() => closed ? Promise.reject(closedError()) : fn());
  };

  return {
    kind: "pglite",
    query<T>(text: string, params?: readonly unknown[]): Promise<T[]> {
      return exclusive("query", () => direct.query<T>(text, params));
    },
    exec(script: string): Promise<void> {
      return exclusive("exec", () => direct.exec(script));
    },
    transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return exclusive("transaction", async () => {
        let thrown: { error: unknown } | undefined;
        try {
          return await pg.transaction(async (t) => {
            const ctx = { open: true };
            try {
              return await inTx.run(ctx, () => fn(sqlOver(t)));
            } catch (error) {
              thrown = { error };
              throw error;
            } finally {
              ctx.open = false;
            }
          });
        } catch (e) {
          // The callback's own errors pass through untouched; BEGIN/COMMIT failures are classified.
          if (thrown && thrown.error === e) throw e;
          throw toStoreError(e);
        }
      });
    },
    close(): Promise<void> {
      if (inTx.getStore()?.open) {
        return Promise.reject(new Error("db.close() inside db.transaction()"));
      }
      closing ??= lock.run(async () => {
        closed = true;
        await pg.close();
      });
      return closing;
    },
  };
}
