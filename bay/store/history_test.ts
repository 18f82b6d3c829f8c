import assert from "node:assert/strict";
import type { Db } from "./db.ts";
import { insertExecution } from "./executions.ts";
import {
  annotateExecution,
  getEntry,
  lastExecution,
  listHistory,
  ownedExecutionIds,
  tagMetrics,
} from "./history.ts";
import { migrate } from "./migrate.ts";
import { storeBackends } from "./_testing.ts";

const MIGRATIONS = new URL("./migrations/", import.meta.url);

async function row(
  db: Db,
  id: string,
  f: {
    owner?: string;
    sandbox?: string;
    tags?: string[];
    success?: boolean;
    ms?: number;
    at?: string;
  },
) {
  await insertExecution(db, {
    id,
    owner: f.owner ?? "alice",
    sandbox_id: f.sandbox ?? "sandbox-aaaaaaaaaaaa",
    session_id: null,
    exec_type: "shell",
    code: "true",
    success: f.success ?? true,
    execution_time_ms: f.ms ?? 1,
    output: "",
    error: null,
    description: null,
    tags: f.tags ?? [],
  });
  if (f.at) await db.query(`UPDATE executions SET created_at = $2 WHERE id = $1`, [id, f.at]);
}

for (const backend of storeBackends()) {
  const test = (name: string, fn: (db: Db) => Promise<void>) =>
    Deno.test(`${backend.name}: history store: ${name}`, async () => {
      const db = await backend.open();
      try {
        await migrate(db, MIGRATIONS);
        await fn(db);
      } finally {
        await db.close();
      }
    });

  test("tag terms match any tag by case-insensitive substring; pages are stable", async (db) => {
    await row(db, "exec-000000000001", { tags: ["ETL", "good"], at: "2026-01-01T00:00:01Z" });
    await row(db, "exec-000000000002", { tags: ["release:sr-1"], at: "2026-01-01T00:00:02Z" });
    await row(db, "exec-000000000003", { tags: [], at: "2026-01-01T00:00:02Z" });
    await row(db, "exec-000000000004", { owner: "bob", tags: ["etl"] });
    const f = { owner: "alice", sandboxId: "sandbox-aaaaaaaaaaaa" };
    const ids = async (terms: string[], limit = 10, offset = 0) =>
      (await listHistory(db, { ...f, tagTerms: terms }, limit, offset)).rows.map((r) => r.id);
    assert.deepEqual(await ids([]), [
      "exec-000000000003",
      "exec-000000000002",
      "exec-000000000001",
    ]);
    assert.deepEqual(await ids(["tl"]), ["exec-000000000001"]);
    assert.deepEqual(await ids(["zz", "SR-"]), ["exec-000000000002"]);
    assert.deepEqual(await ids(["%"]), [], "no LIKE wildcards");
    assert.deepEqual(await ids([], 1, 1), ["exec-000000000002"]);
    assert.equal((await listHistory(db, { ...f, tagTerms: ["e"] }, 1, 0)).total, 2);
    assert.equal((await lastExecution(db, "alice", f.sandboxId))?.id, "exec-000000000003");
    assert.equal(await lastExecution(db, "alice", f.sandboxId, "python"), undefined);
  });

  test("annotations change only what is given; ownership of cited ids", async (db) => {
    await row(db, "exec-00000000000a", { tags: ["x"] });
    const got = await annotateExecution(db, "alice", "sandbox-aaaaaaaaaaaa", "exec-00000000000a", {
      notes: "n\u0000",
    });
    assert.equal(got?.notes, "n\uFFFD");
    assert.deepEqual(got?.tags, ["x"]);
    const tagged = await annotateExecution(
      db,
      "alice",
      "sandbox-aaaaaaaaaaaa",
      "exec-00000000000a",
      { tags: [] },
    );
    assert.deepEqual(tagged?.tags, []);
    assert.equal(tagged?.notes, "n\uFFFD");
    assert.equal(
      await annotateExecution(db, "bob", "sandbox-aaaaaaaaaaaa", "exec-00000000000a", {
        notes: "x",
      }),
      undefined,
    );
    assert.equal(
      await getEntry(db, "alice", "sandbox-bbbbbbbbbbbb", "exec-00000000000a"),
      undefined,
    );
    assert.equal(await getEntry(db, "alice", "sandbox-aaaaaaaaaaaa", "bad\u0000"), undefined);
    assert.deepEqual(
      [...await ownedExecutionIds(db, "alice", ["exec-00000000000a", "exec-00000000000b", "x"])],
      ["exec-00000000000a"],
    );
    assert.equal((await ownedExecutionIds(db, "bob", ["exec-00000000000a"])).size, 0);
  });

  test("tag metrics: exact tag, owner, window, nearest-rank p95", async (db) => {
    const tag = "release:sr-00000000000a";
    for (let i = 1; i <= 10; i++) {
      await row(db, `exec-1000000000${String(i).padStart(2, "0")}`, {
        tags: [tag, "etl"],
        success: i !== 3,
        ms: i * 100,
        at: "2026-01-01T01:00:00Z",
      });
    }
    await row(db, "exec-200000000001", { tags: [tag], at: "2025-12-31T23:00:00Z" });
    await row(db, "exec-200000000002", { tags: [tag + "x"], at: "2026-01-01T01:00:00Z" });
    await row(db, "exec-200000000003", { owner: "bob", tags: [tag], at: "2026-01-01T01:00:00Z" });
    await row(db, "exec-200000000004", { tags: [tag], at: "2026-01-02T01:00:00Z" });
    const start = new Date("2026-01-01T00:00:00Z");
    const end = new Date("2026-01-02T00:00:00Z");
    assert.deepEqual(await tagMetrics(db, "alice", tag, start, end), {
      samples: 10,
      successes: 9,
      p95: 1000,
    });
    assert.deepEqual(await tagMetrics(db, "alice", "release:none", start, end), {
      samples: 0,
      successes: 0,
      p95: 0,
    });
  });
}
