/**
 * A `Db` wrapper that times every query into a histogram.
 *
 * @module
 */
import type { Db, Sql } from "./db.ts";

/** Something that observes query durations in seconds. */
export interface QueryObserver {
  observe(labels: { backend: string }, seconds: number): void;
}

function timed(sql: Sql, backend: string, h: QueryObserver): Sql["query"] {
  return async <T>(text: string, params?: readonly unknown[]) => {
    const t0 = performance.now();
    try {
      return await sql.query<T>(text, params);
    } finally {
      h.observe({ backend }, (performance.now() - t0) / 1000);
    }
  };
}

/** Wrap `db` so every query (also inside transactions) is timed. */
export function instrumentDb(db: Db, h: QueryObserver): Db {
  const wrapped: Db = {
    kind: db.kind,
    query: timed(db, db.kind, h),
    exec: (script: string) => db.exec(script),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: timed(tx, db.kind, h), exec: (script: string) => tx.exec(script) })
      ),
    close: () => db.close(),
  };
  return wrapped;
}
