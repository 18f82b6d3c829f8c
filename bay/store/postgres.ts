/**
 * The production backend: a real PostgreSQL server through postgres.js.
 *
 * @module
 */

import postgres from "postgres";
import type { Db, Sql } from "./db.ts";
import { StoreUnavailableError, toStoreError } from "./errors.ts";

/** Options for {@link openPostgres}. */
export interface PostgresOptions {
  /** Pool size (default 10). Each open transaction holds one connection. */
  max?: number;
  /** Seconds to wait for a connection before failing with StoreUnavailableError (default 10). */
  connectTimeout?: number;
  /** Use this database instead of the one named in the URL. */
  database?: string;
  /**
   * Seconds `close()` lets running queries finish before cutting connections
   * (default 5). A connection that died mid-query always uses the full time.
   */
  closeTimeout?: number;
}

/** What postgres.js needs from a pool or a transaction to run our statements. */
type Runner = Pick<postgres.Sql, "unsafe">;

/** int8 as a number (precision past 2^53 is lost), as in the PGlite backend. */
const INT8 = {
  to: 20,
  from: [20],
  serialize: (x: number | bigint) => String(x),
  parse: (x: string) => Number(x),
};

/**
 * Use the extended protocol even without parameters, so `query` takes exactly
 * one statement as with PGlite (postgres.js reads `simple` at run time but
 * does not declare it).
 */
const EXTENDED = { simple: false } as unknown as postgres.UnsafeQueryOptions;

/**
 * json/jsonb parameters: a string is sent as is (the JSON text, per the Db
 * convention), anything else is stringified, as PGlite does. postgres.js's
 * default would JSON-encode the string a second time.
 */
const JSON_TYPE = {
  to: 3802,
  from: [114, 3802],
  serialize: (x: unknown) => typeof x === "string" ? x : JSON.stringify(x),
  parse: (x: string) => JSON.parse(x),
};

/** Shared state of one transaction; `dead` is set once its connection is known to be gone. */
interface TxState {
  dead?: { cause: unknown };
}

function unavailable(cause: unknown): unknown {
  const err = toStoreError(cause);
  return err instanceof StoreUnavailableError
    ? err
    : new StoreUnavailableError("store unavailable: transaction connection lost", { cause });
}

/** Run statements on `run`; with `state`, refuse to touch a transaction connection that died. */
function sqlOver(run: Runner, state?: TxState): Sql {
  const guarded = async <R>(op: () => Promise<R>): Promise<R> => {
    if (state?.dead) throw unavailable(state.dead.cause);
    try {
      return await op();
    } catch (e) {
      const err = toStoreError(e);
      if (state && err instanceof StoreUnavailableError) state.dead ??= { cause: e };
      throw err;
    }
  };
  return {
    query<T>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      return guarded(async () => {
        const rows = await run.unsafe(text, params as postgres.ParameterOrJSON<never>[], EXTENDED);
        return [...rows] as T[];
      });
    },
    exec(script: string): Promise<void> {
      return guarded(async () => {
        await run.unsafe(script).simple();
      });
    },
  };
}

/**
 * One transaction through `sql.begin`, with a guard for a postgres.js 3.4.9
 * bug (porsager/postgres#1066, #1154, #1208): a statement issued on a
 * transaction connection after the server closed it (the ROLLBACK or COMMIT
 * that `begin` sends when the callback settles, or a later `tx.query`)
 * crashes the whole process with an uncatchable `TypeError` from
 * `nextWrite`. So once the connection is known dead, nothing more is sent on
 * it: later `tx` calls fail at once, and the callback's outcome is reported
 * without letting `begin` send ROLLBACK/COMMIT (the server has already
 * rolled back).
 */
async function runTransaction<T>(sql: postgres.Sql, fn: (tx: Sql) => Promise<T>): Promise<T> {
  const state: TxState = {};
  let thrown: { error: unknown } | undefined;
  const stalled = Promise.withResolvers<never>();
  let running = false;
  const begun = sql.begin(async (t) => {
    let result: { value: T } | undefined;
    running = true;
    try {
      // Boxed so postgres.js does not treat an array result as a list of queries.
      result = { value: await fn(sqlOver(t, state)) };
    } catch (error) {
      thrown = { error };
    }
    running = false;
    if (state.dead) {
      stalled.reject(thrown ? thrown.error : unavailable(state.dead.cause));
      return new Promise<never>(() => {}); // never settles: begin must not write again
    }
    if (thrown) throw thrown.error;
    return result!;
  });
  // begin rejects as soon as the connection closes, even while `fn` still runs.
  begun.catch((e) => state.dead ??= { cause: e });
  try {
    return (await Promise.race([begun, stalled.promise])).value;
  } catch (e) {
    // The connection closed under a running callback: let it finish (its tx calls now fail fast).
    if (running) return await stalled.promise;
    // The callback's own errors pass through untouched; BEGIN/COMMIT failures are classified.
    if (thrown && thrown.error === e) throw e;
    throw toStoreError(e);
  }
}

/**
 * Connect to PostgreSQL at `url` (`postgres://user:pass@host:port/db`).
 * Checks the connection once before resolving, so an unreachable server
 * rejects here with StoreUnavailableError. Returned rows: int8 as number,
 * timestamptz as Date, json/jsonb parsed; server notices are dropped.
 */
export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<Db> {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeout ?? 10,
    onnotice: () => {},
    // Reconnect delay after a failed connection, in seconds: postgres.js grows it to 20 s,
    // which would keep Bay answering 503 long after the database is back.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
    transform: { undefined: null },
    types: { int8: INT8, json: JSON_TYPE },
    ...(opts.database ? { database: opts.database } : {}),
  });
  try {
    await sql.unsafe("SELECT 1", [], EXTENDED);
  } catch (e) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw toStoreError(e);
  }
  const direct = sqlOver(sql);
  let closing: Promise<void> | undefined;

  return {
    kind: "postgres",
    query: direct.query,
    exec: direct.exec,
    transaction: (fn) => runTransaction(sql, fn),
    close(): Promise<void> {
      closing ??= sql.end({ timeout: opts.closeTimeout ?? 5 });
      return closing;
    },
  };
}
