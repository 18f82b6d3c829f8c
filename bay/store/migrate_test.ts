import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import { listMigrations, migrate } from "./migrate.ts";
import { storeBackends } from "./_testing.ts";

/** A temp migrations directory holding `files`; removed after `fn`. */
async function withDir(
  files: Record<string, string>,
  fn: (dir: URL, add: (name: string, sql: string) => Promise<void>) => Promise<void>,
): Promise<void> {
  const path = await Deno.makeTempDir({ prefix: "bay_migrations_" });
  const dir = new URL(`file://${path}/`);
  const add = (name: string, sql: string) => Deno.writeTextFile(new URL(name, dir), sql);
  try {
    for (const [name, sql] of Object.entries(files)) await add(name, sql);
    await fn(dir, add);
  } finally {
    await Deno.remove(path, { recursive: true });
  }
}

const FILES = {
  "001_first.sql": `
    CREATE TABLE log (version text NOT NULL);
    INSERT INTO log VALUES ('001');
  `,
  "002_second.sql": `
    CREATE TABLE things (id int PRIMARY KEY, doc jsonb NOT NULL DEFAULT '{}');
    -- a function body with semicolons must survive as one statement
    CREATE FUNCTION bump(x int) RETURNS int LANGUAGE plpgsql AS $$
    BEGIN
      RETURN x + 1;
    END;
    $$;
    INSERT INTO log VALUES ('002');
  `,
  "010_tenth.sql": "INSERT INTO log VALUES ('010');",
  "README.md": "not a migration",
};

const ALL = ["001_first", "002_second", "010_tenth"];

for (const backend of storeBackends()) {
  const test = (name: string, fn: (db: Db) => Promise<void>) =>
    Deno.test(`${backend.name}: migrate: ${name}`, async () => {
      const db = await backend.open();
      try {
        await fn(db);
      } finally {
        await db.close();
      }
    });

  test("applies files in numeric order, once", async (db) => {
    await withDir(FILES, async (dir, add) => {
      assert.deepEqual(await migrate(db, dir), ALL);
      assert.deepEqual(await migrate(db, dir), []);
      const log = await db.query<{ version: string }>("SELECT version FROM log");
      assert.deepEqual(log.map((r) => r.version), ["001", "002", "010"]);
      const rows = await db.query<{ version: string; applied_at: Date }>(
        "SELECT version, applied_at FROM schema_migrations ORDER BY version",
      );
      assert.deepEqual(rows.map((r) => r.version), ALL);
      assert.ok(rows.every((r) => r.applied_at instanceof Date));
      assert.deepEqual(await db.query("SELECT bump(1) AS v"), [{ v: 2 }]);

      await add("011_more.sql", "INSERT INTO log VALUES ('011');");
      assert.deepEqual(await migrate(db, dir), ["011_more"]);
      assert.deepEqual(await migrate(db, dir), []);
    });
  });

  test("concurrent calls apply each file exactly once", async (db) => {
    await withDir(FILES, async (dir) => {
      const results = await Promise.all([migrate(db, dir), migrate(db, dir), migrate(db, dir)]);
      assert.deepEqual(results.flat().sort(), ALL);
      const log = await db.query<{ version: string; n: number }>(
        "SELECT version, count(*) AS n FROM log GROUP BY version ORDER BY version",
      );
      assert.deepEqual(log, [{ version: "001", n: 1 }, { version: "002", n: 1 }, {
        version: "010",
        n: 1,
      }]);
    });
  });

  test("a failing file rolls back entirely and stops", async (db) => {
    await withDir({
      ...FILES,
      "003_broken.sql": "CREATE TABLE half (id int); INSERT INTO nowhere VALUES (1);",
    }, async (dir) => {
      await assert.rejects(migrate(db, dir), /migration 003_broken failed/);
      const done = await db.query<{ version: string }>(
        "SELECT version FROM schema_migrations ORDER BY version",
      );
      assert.deepEqual(done.map((r) => r.version), ["001_first", "002_second"]);
      assert.deepEqual(await db.query("SELECT to_regclass('half') AS t"), [{ t: null }]);
    });
  });

  test("a renamed, already applied file is refused", async (db) => {
    await withDir({ "001_a.sql": "SELECT 1;" }, async (dir) => {
      assert.deepEqual(await migrate(db, dir), ["001_a"]);
      await Deno.rename(new URL("001_a.sql", dir), new URL("001_b.sql", dir));
      await assert.rejects(migrate(db, dir), /already applied as 001_a/);
    });
  });

  test("the project's migrations apply cleanly and idempotently", async (db) => {
    const dir = new URL("./migrations/", import.meta.url);
    const files = (await listMigrations(dir)).map((m) => m.version);
    assert.deepEqual(await migrate(db, dir), files);
    assert.deepEqual(await migrate(db, dir), []);
  });
}

Deno.test("listMigrations: rejects bad names and duplicate numbers", async () => {
  await withDir({ "1_ok.sql": "", "notes.txt": "" }, async (dir, add) => {
    assert.deepEqual((await listMigrations(dir)).map((m) => m.version), ["1_ok"]);
    await add("01_dup.sql", "");
    await assert.rejects(listMigrations(dir), /share number 1/);
  });
  await withDir({ "init.sql": "" }, async (dir) => {
    await assert.rejects(listMigrations(dir), /NNN_name\.sql: init\.sql/);
  });
  await withDir({ "2_b.sql": "", "10_a.sql": "", "1_c.sql": "" }, async (dir) => {
    const noSlash = new URL(dir.href.slice(0, -1));
    assert.deepEqual((await listMigrations(noSlash)).map((m) => m.version), [
      "1_c",
      "2_b",
      "10_a",
    ]);
  });
});
