import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import { StoreUnavailableError } from "./errors.ts";
import { openPglite, pgliteSnapshot } from "./pglite.ts";
import { openPostgres } from "./postgres.ts";
import { type StoreBackend, storeBackends } from "./_testing.ts";

async function withDb(backend: StoreBackend, fn: (db: Db) => Promise<void>): Promise<void> {
  const db = await backend.open();
  try {
    await fn(db);
  } finally {
    await db.close();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const backend of storeBackends()) {
  const test = (name: string, fn: (db: Db) => Promise<void>) =>
    Deno.test(`${backend.name}: ${name}`, () => withDb(backend, fn));

  test("kind and positional parameters", async (db) => {
    assert.equal(db.kind, backend.name);
    const rows = await db.query<{ n: number; s: string; z: null; u: null }>(
      "SELECT $1::int4 + 1 AS n, $2::text AS s, $3::text AS z, $4::text AS u",
      [41, 'it\'s "quoted"', null, undefined],
    );
    assert.deepEqual(rows, [{ n: 42, s: 'it\'s "quoted"', z: null, u: null }]);
    assert.deepEqual(await db.query("SELECT 1 AS one WHERE false"), []);
  });

  test("exec runs a multi-statement script; query runs one", async (db) => {
    await db.exec(`
      CREATE TABLE t (id int PRIMARY KEY, v text);
      CREATE FUNCTION add1(x int) RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN x + 1; END; $$;
      INSERT INTO t VALUES (1, 'a'); INSERT INTO t VALUES (2, 'b');
    `);
    assert.deepEqual(await db.query("SELECT add1(id) AS v FROM t ORDER BY id"), [{ v: 2 }, {
      v: 3,
    }]);
    await assert.rejects(db.query("SELECT 1; SELECT 2"));
  });

  test("jsonb round trip", async (db) => {
    await db.exec("CREATE TABLE j (id int PRIMARY KEY, doc jsonb NOT NULL)");
    const doc = { a: 1, b: [true, null, "x"], c: { d: 'é ✓ \n\t"q"', e: 1.5 }, f: "" };
    await db.query("INSERT INTO j VALUES (1, $1::jsonb), (2, $2::jsonb)", [
      JSON.stringify(doc),
      JSON.stringify("just a string"),
    ]);
    const rows = await db.query<{ doc: unknown }>("SELECT doc FROM j ORDER BY id");
    assert.deepEqual(rows, [{ doc }, { doc: "just a string" }]);
    const [r] = await db.query<{ v: unknown }>("SELECT doc->'c'->>'d' AS v FROM j WHERE id = 1");
    assert.equal(r.v, doc.c.d);
  });

  test("timestamptz comes back as Date", async (db) => {
    await db.exec("CREATE TABLE ts (at timestamptz NOT NULL)");
    const at = new Date("2024-02-29T12:34:56.789Z");
    await db.query("INSERT INTO ts VALUES ($1)", [at]);
    await db.query("INSERT INTO ts VALUES ($1::timestamptz)", [at.toISOString()]);
    const rows = await db.query<{ at: Date }>("SELECT at FROM ts");
    assert.equal(rows.length, 2);
    for (const row of rows) {
      assert.ok(row.at instanceof Date);
      assert.equal(row.at.getTime(), at.getTime());
    }
    const [now] = await db.query<{ now: Date }>("SELECT now() AS now");
    assert.ok(now.now instanceof Date);
    assert.ok(Math.abs(now.now.getTime() - Date.now()) < 60_000);
  });

  test("int8 comes back as number", async (db) => {
    await db.exec("CREATE TABLE big (v bigint NOT NULL)");
    await db.query("INSERT INTO big VALUES ($1), ($2)", [Number.MAX_SAFE_INTEGER, 7]);
    const rows = await db.query<{ v: unknown }>("SELECT v FROM big ORDER BY v");
    assert.deepEqual(rows, [{ v: 7 }, { v: Number.MAX_SAFE_INTEGER }]);
    const [c] = await db.query<{ n: unknown; s: unknown }>(
      "SELECT count(*) AS n, sum(v) AS s FROM big WHERE v < 100",
    );
    assert.equal(c.n, 1);
    assert.equal(typeof c.n, "number");
    assert.equal(c.s, "7"); // sum(bigint) is numeric: left as a string on purpose
  });

  test("transaction commits, returns its value", async (db) => {
    await db.exec("CREATE TABLE t (id int PRIMARY KEY)");
    const out = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES ($1)", [1]);
      await tx.exec("INSERT INTO t VALUES (2)");
      return [...await tx.query<{ id: number }>("SELECT id FROM t ORDER BY id")];
    });
    assert.deepEqual(out, [{ id: 1 }, { id: 2 }]);
    assert.deepEqual(await db.query("SELECT count(*) AS n FROM t"), [{ n: 2 }]);
  });

  test("transaction rolls back on throw and rethrows the same error", async (db) => {
    await db.exec("CREATE TABLE t (id int PRIMARY KEY)");
    const boom = new Error("boom");
    const err = await db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES (1)");
      throw boom;
    }).catch((e) => e);
    assert.equal(err, boom);
    assert.deepEqual(await db.query("SELECT count(*) AS n FROM t"), [{ n: 0 }]);
  });

  test("SQL errors keep their SQLSTATE and roll back", async (db) => {
    await db.exec("CREATE TABLE t (id int PRIMARY KEY)");
    await db.query("INSERT INTO t VALUES (1)");
    await assert.rejects(db.query("INSERT INTO t VALUES (1)"), { code: "23505" });
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query("INSERT INTO t VALUES (2)");
        await tx.query("INSERT INTO t VALUES (1)");
      }),
      (e: unknown) =>
        (e as { code?: string }).code === "23505" && !(e instanceof StoreUnavailableError),
    );
    // An error swallowed inside the callback still aborts the transaction.
    await assert.rejects(db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES (3)");
      await tx.query("INSERT INTO t VALUES (1)").catch(() => {});
    }));
    assert.deepEqual(await db.query("SELECT id FROM t"), [{ id: 1 }]);
  });

  test("concurrent transactions serialise on SELECT ... FOR UPDATE", async (db) => {
    await db.exec("CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)");
    await db.query("INSERT INTO counter VALUES (1, 0)");
    const worker = async () => {
      for (let i = 0; i < 20; i++) {
        await db.transaction(async (tx) => {
          const [row] = await tx.query<{ n: number }>(
            "SELECT n FROM counter WHERE id = 1 FOR UPDATE",
          );
          await sleep(1); // widen the race window: without the lock this loses updates
          await tx.query("UPDATE counter SET n = $1 WHERE id = 1", [row.n + 1]);
        });
      }
    };
    await Promise.all([worker(), worker()]);
    assert.deepEqual(await db.query("SELECT n FROM counter"), [{ n: 40 }]);
  });

  test("a query outside an open transaction does not run inside it", async (db) => {
    await db.exec("CREATE TABLE t (id int PRIMARY KEY)");
    const inserted = Promise.withResolvers<void>();
    const release = Promise.withResolvers<void>();
    const tx = db.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES (1)");
      inserted.resolve();
      await release.promise;
      throw new Error("roll back");
    });
    await inserted.promise;
    const outside = db.query("INSERT INTO t VALUES (2)"); // issued while the transaction is open
    await sleep(30);
    release.resolve();
    await assert.rejects(tx, /roll back/);
    await outside;
    assert.deepEqual(await db.query("SELECT id FROM t"), [{ id: 2 }]);
  });

  test("many concurrent queries all complete", async (db) => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => db.query<{ v: number }>("SELECT $1::int AS v", [i])),
    );
    assert.deepEqual(results.map((r) => r[0].v), Array.from({ length: 50 }, (_, i) => i));
  });

  test("StoreUnavailableError after close", async (db) => {
    await db.close();
    await db.close(); // idempotent
    await assert.rejects(db.query("SELECT 1"), StoreUnavailableError);
    await assert.rejects(db.transaction(async () => {}), StoreUnavailableError);
  });
}

for (const backend of storeBackends().filter((b) => b.name === "pglite")) {
  Deno.test("pglite: db.query inside db.transaction fails fast instead of deadlocking", async () => {
    await withDb(backend, async (db) => {
      await assert.rejects(
        db.transaction(() => db.query("SELECT 1")),
        /use the tx handle/,
      );
      assert.deepEqual(await db.query("SELECT 1 AS x"), [{ x: 1 }]);
    });
  });

  Deno.test("pglite: a data directory persists across reopen", async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "bay_pglite_" });
    try {
      const snapshot = await pgliteSnapshot();
      assert.equal(await pgliteSnapshot(), snapshot); // built once per process
      const first = await openPglite({ dataDir, loadDataDir: snapshot });
      try {
        await first.exec("CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)");
      } finally {
        await first.close();
      }
      const again = await openPglite({ dataDir });
      try {
        assert.deepEqual(await again.query("SELECT v FROM kept"), [{ v: 7 }]);
      } finally {
        await again.close();
      }
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}

/** The first query after a reconnect may still report the old failure (postgres.js); allow a few tries. */
async function eventually<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0;; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= 3 || !(e instanceof StoreUnavailableError)) throw e;
    }
  }
}

for (const backend of storeBackends().filter((b) => b.name === "postgres")) {
  Deno.test("postgres: connection killed mid-statement: StoreUnavailableError, no crash", async () => {
    await withDb(backend, async (db) => {
      await assert.rejects(
        db.transaction((tx) => tx.query("SELECT pg_terminate_backend(pg_backend_pid())")),
        StoreUnavailableError,
      );
      await sleep(50); // let any stray write from the driver fire (it used to crash the process)
      assert.deepEqual(await eventually(() => db.query("SELECT 1 AS x")), [{ x: 1 }]);
    });
  });

  Deno.test("postgres: connection killed while a transaction idles: later tx calls fail", async () => {
    await withDb(backend, async (db) => {
      const seen: unknown[] = [];
      const err = await db.transaction(async (tx) => {
        const [{ pid }] = await tx.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
        await db.query("SELECT pg_terminate_backend($1)", [pid]); // from another pooled connection
        await sleep(100);
        await tx.query("SELECT 1").catch((e) => seen.push(e));
        await tx.exec("SELECT 1").catch((e) => seen.push(e));
        return "swallowed";
      }).catch((e) => e);
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.equal(seen.length, 2);
      assert.ok(seen.every((e) => e instanceof StoreUnavailableError));
      await sleep(50);
      assert.deepEqual(await eventually(() => db.query("SELECT 2 AS x")), [{ x: 2 }]);
    });
  });
}

Deno.test("postgres: an unreachable server fails fast with StoreUnavailableError", async () => {
  const started = performance.now();
  await assert.rejects(
    openPostgres("postgres://x@127.0.0.1:1/x", { connectTimeout: 2 }),
    StoreUnavailableError,
  );
  assert.ok(performance.now() - started < 3000);
});
