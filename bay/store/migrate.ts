/**
 * Plain-SQL schema migrations.
 *
 * A migration is a file `NNN_name.sql` (digits, underscore, name of letters,
 * digits, `_` or `-`). Files are applied in numeric order, each in its own
 * transaction, and recorded in `schema_migrations` under their name without
 * `.sql` (e.g. `001_init`). A file must not contain transaction control
 * (`BEGIN`/`COMMIT`) nor statements that cannot run in a transaction
 * (`CREATE INDEX CONCURRENTLY`). Other files in the directory are ignored.
 *
 * Several processes may migrate the same database at once: every step takes
 * one transaction-scoped advisory lock and re-checks what is applied.
 *
 * @module
 */

import type { Db, Sql } from "./db.ts";
import { StoreUnavailableError } from "./errors.ts";

/** The advisory lock key that serialises migrations (an arbitrary constant). */
export const MIGRATION_LOCK_KEY = 7_302_119_001;

const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/** One migration file. */
export interface Migration {
  /** The file name without `.sql`, e.g. `001_init`: the key in `schema_migrations`. */
  version: string;
  /** The numeric prefix, for ordering. */
  number: number;
  /** Where the SQL is. */
  url: URL;
}

/** The migrations in `dir`, in order. Throws on a malformed `.sql` name or a duplicate number. */
export async function listMigrations(dir: URL): Promise<Migration[]> {
  const base = dir.href.endsWith("/") ? dir : new URL(dir.href + "/");
  const found: Migration[] = [];
  for await (const entry of Deno.readDir(base)) {
    if (!entry.isFile || !entry.name.endsWith(".sql")) continue;
    const m = FILE_NAME.exec(entry.name);
    if (!m) throw new Error(`migration file name must look like NNN_name.sql: ${entry.name}`);
    found.push({
      version: entry.name.slice(0, -4),
      number: Number(m[1]),
      url: new URL(entry.name, base),
    });
  }
  found.sort((a, b) => a.number - b.number);
  for (let i = 1; i < found.length; i++) {
    if (found[i].number === found[i - 1].number) {
      throw new Error(
        `two migrations share number ${found[i].number}: ${found[i - 1].version}, ${
          found[i].version
        }`,
      );
    }
  }
  return found;
}

async function lock(tx: Sql): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
}

/**
 * Apply the migrations in `dir` that `db` has not seen yet. Returns the
 * versions applied by this call (empty when the schema was up to date).
 * A failing file rolls back entirely and makes `migrate` reject; the files
 * before it stay applied.
 */
export async function migrate(db: Db, dir: URL): Promise<string[]> {
  const files = await listMigrations(dir);
  await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
        version text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    );
  });
  const seen = await db.query<{ version: string }>("SELECT version FROM schema_migrations");
  const done = new Set(seen.map((r) => r.version));
  const byNumber = new Map(
    seen.map((r) => [Number(FILE_NAME.exec(r.version + ".sql")?.[1] ?? NaN), r.version]),
  );
  for (const file of files) {
    const other = byNumber.get(file.number);
    if (other !== undefined && other !== file.version) {
      throw new Error(`migration ${file.version}: number already applied as ${other} (renamed?)`);
    }
  }

  const applied: string[] = [];
  for (const file of files) {
    if (done.has(file.version)) continue;
    const script = await Deno.readTextFile(file.url);
    const ran = await db.transaction(async (tx) => {
      await lock(tx);
      const again = await tx.query("SELECT 1 FROM schema_migrations WHERE version = $1", [
        file.version,
      ]);
      if (again.length > 0) return false;
      try {
        await tx.exec(script);
      } catch (e) {
        if (e instanceof StoreUnavailableError) throw e;
        const detail = e instanceof Error ? e.message : String(e);
        throw new Error(`migration ${file.version} failed: ${detail}`, { cause: e });
      }
      await tx.query("INSERT INTO schema_migrations (version) VALUES ($1)", [file.version]);
      return true;
    });
    if (ran) applied.push(file.version);
  }
  return applied;
}
