/**
 * Property: for random entries with random tags and times, walking the
 * history in pages of random size with a random tag filter visits every
 * matching entry exactly once, newest first, and `total` is the matching
 * count on every page.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { normalizeTags } from "../../store/executions.ts";
import { testBay } from "../../testing.ts";
import { addExecution, call, newSandbox } from "./_history_fixtures.ts";

const word = fc.string({
  unit: fc.constantFrom("a", "b", "c", "A", "B", "C"),
  minLength: 1,
  maxLength: 3,
});

const entry = fc.record({
  tags: fc.array(word, { maxLength: 4 }),
  /** Seconds after a base time; collisions exercise the id tie-break. */
  second: fc.integer({ min: 0, max: 8 }),
  success: fc.boolean(),
});

Deno.test("history: paging with a tag filter visits each match once, newest first", async () => {
  const t = await testBay();
  try {
    const sb = await newSandbox(t);
    const base = Date.parse("2026-01-01T00:00:00Z");
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { maxLength: 24 }),
        fc.option(fc.array(word, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        async (entries, terms, pageSize, successOnly) => {
          await t.db.query(`DELETE FROM executions`);
          const rows: { id: string; at: number; tags: string[]; success: boolean }[] = [];
          for (const e of entries) {
            const at = base + e.second * 1000;
            const id = await addExecution(t.db, {
              sandboxId: sb,
              tags: e.tags,
              success: e.success,
              at: new Date(at),
            });
            rows.push({ id, at, tags: normalizeTags(e.tags), success: e.success });
          }
          const wanted = normalizeTags(terms).map((x) => x.toLowerCase());
          const expected = rows
            .filter((r) => !successOnly || r.success)
            .filter((r) =>
              wanted.length === 0 ||
              r.tags.some((tag) => wanted.some((w) => tag.toLowerCase().includes(w)))
            )
            .sort((x, y) => y.at - x.at || (x.id < y.id ? 1 : x.id > y.id ? -1 : 0))
            .map((r) => r.id);

          const seen: string[] = [];
          for (let offset = 0;; offset += pageSize) {
            const qs = new URLSearchParams({ limit: String(pageSize), offset: String(offset) });
            if (terms) qs.set("tags", terms.join(","));
            if (successOnly) qs.set("success_only", "true");
            const page = await call(t, "GET", `/v1/sandboxes/${sb}/history?${qs}`, 200);
            assert.equal(page.total, expected.length);
            assert.ok(page.entries.length <= pageSize);
            seen.push(...page.entries.map((e: { id: string }) => e.id));
            if (page.entries.length < pageSize) break;
          }
          assert.deepEqual(seen, expected);
          assert.equal(new Set(seen).size, seen.length);
        },
      ),
      { numRuns: 60 },
    );
  } finally {
    await t.close();
  }
});
