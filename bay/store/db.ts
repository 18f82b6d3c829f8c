/**
 * The tiny query interface every store backend satisfies (PGlite embedded,
 * PostgreSQL through postgres.js). The store is written once against it.
 *
 * Conventions every backend guarantees:
 * - `$1`-style positional parameters; JSON values are passed as strings and
 *   cast in SQL (`$1::jsonb`); jsonb columns come back parsed.
 * - `timestamptz` columns come back as `Date`; `int8`/`bigint` as `number`.
 *
 * @module
 */

/** Something that runs SQL: the database itself or an open transaction. */
export interface Sql {
  /** Run one statement and return its rows. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Run a script of one or more `;`-separated statements without parameters
   * (simple query protocol) and discard the results. Meant for migrations and
   * DDL; use {@link Sql.query} for anything that takes values.
   */
  exec(script: string): Promise<void>;
}

/** A database connection (pool) with transactions. */
export interface Db extends Sql {
  /** Which backend this is. */
  readonly kind: "pglite" | "postgres";
  /** Run `fn` in one transaction; commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /** Close the connection; pending queries fail afterwards. */
  close(): Promise<void>;
}
