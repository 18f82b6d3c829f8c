import assert from "node:assert/strict";
import { testBay } from "../../testing.ts";
import { addBob, addExecution, call, newSandbox } from "./_history_fixtures.ts";

const ENTRY_KEYS = [
  "code",
  "created_at",
  "description",
  "error",
  "exec_type",
  "execution_time_ms",
  "id",
  "notes",
  "output",
  "payload_ref",
  "session_id",
  "success",
  "tags",
];

Deno.test("history: real execs are listed, filtered, fetched and annotated", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await newSandbox(t);
    const base = `/v1/sandboxes/${sb}`;
    const ok = await call(t, "POST", `${base}/shell/exec`, 200, {
      body: { command: "echo one", tags: " etl, Good ,etl" },
    });
    const bad = await call(t, "POST", `${base}/shell/exec`, 200, {
      body: { command: "echo oops >&2; exit 3", description: "a failing step" },
    });
    assert.equal(bad.success, false);

    const all = await call(t, "GET", `${base}/history`, 200);
    assert.equal(all.total, 2);
    assert.deepEqual(all.entries.map((e: { id: string }) => e.id), [
      bad.execution_id,
      ok.execution_id,
    ]);
    const first = all.entries[1];
    assert.deepEqual(Object.keys(first).sort(), ENTRY_KEYS);
    assert.equal(first.exec_type, "shell");
    assert.equal(first.code, "echo one");
    assert.equal(first.success, true);
    assert.equal(first.output, "one\n");
    assert.equal(first.error, null);
    assert.equal(first.tags, "Good,etl", "normalised: trimmed, de-duplicated, sorted");
    assert.match(first.session_id, /^sess-[0-9a-f]{12}$/);
    assert.match(first.created_at, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(first.payload_ref, null);
    assert.equal(all.entries[0].error, "oops\n");
    assert.equal(all.entries[0].tags, null);

    const q = async (qs: string) =>
      (await call(t, "GET", `${base}/history?${qs}`, 200)).entries.map((e: { id: string }) => e.id);
    assert.deepEqual(await q("exec_type=shell"), [bad.execution_id, ok.execution_id]);
    assert.deepEqual(await q("exec_type=python"), []);
    assert.deepEqual(await q("success_only=true"), [ok.execution_id]);
    assert.deepEqual(await q("tags=GOOD"), [ok.execution_id], "case-insensitive");
    assert.deepEqual(await q("tags=nope,%20tl"), [ok.execution_id], "substring, any term");
    assert.deepEqual(await q("tags=nope"), []);
    assert.deepEqual(await q("has_description=true"), [bad.execution_id]);
    assert.deepEqual(await q("has_notes=true"), []);
    const page = await call(t, "GET", `${base}/history?limit=1&offset=1`, 200);
    assert.equal(page.total, 2);
    assert.deepEqual(page.entries.map((e: { id: string }) => e.id), [ok.execution_id]);

    const last = await call(t, "GET", `${base}/history/last`, 200);
    assert.equal(last.id, bad.execution_id);
    assert.equal(
      (await call(t, "GET", `${base}/history/last?exec_type=shell`, 200)).id,
      bad.execution_id,
    );
    await call(t, "GET", `${base}/history/last?exec_type=python`, 404);

    const one = await call(t, "GET", `${base}/history/${ok.execution_id}`, 200);
    assert.deepEqual(one, first);

    const patched = await call(t, "PATCH", `${base}/history/${ok.execution_id}`, 200, {
      body: { notes: "works on a clean workspace", tags: " z ,a,z," },
    });
    assert.equal(patched.notes, "works on a clean workspace");
    assert.equal(patched.tags, "a,z");
    assert.equal(patched.description, null, "absent fields stay");
    const kept = await call(t, "PATCH", `${base}/history/${ok.execution_id}`, 200, {
      body: { description: null, tags: null, notes: null },
    });
    assert.deepEqual(kept, patched, "null fields stay");
    const described = await call(t, "PATCH", `${base}/history/${ok.execution_id}`, 200, {
      body: { description: "prints one", tags: ["b", "a, c"] },
    });
    assert.equal(described.description, "prints one");
    assert.equal(described.tags, "a,b,c");
    assert.equal(described.notes, "works on a clean workspace");
    assert.deepEqual(await q("has_notes=true"), [ok.execution_id]);
    assert.deepEqual(await q("has_description=1&has_notes=1"), [ok.execution_id]);
    const cleared = await call(t, "PATCH", `${base}/history/${ok.execution_id}`, 200, {
      body: { tags: "", notes: "" },
    });
    assert.equal(cleared.tags, null, "an empty tag list clears the tags");
    assert.deepEqual(await q("has_notes=true"), [], "empty notes do not count");
  } finally {
    await t.close();
  }
});

Deno.test("history: calls that fail before running write nothing", async () => {
  const t = await testBay({ ships: true });
  try {
    const sb = await newSandbox(t);
    const count = async () =>
      (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM executions`))[0].n;
    await call(t, "POST", `/v1/sandboxes/sandbox-000000000000/shell/exec`, 404, {
      body: { command: "echo x" },
    });
    await call(t, "POST", `/v1/sandboxes/${sb}/shell/exec`, 400, {
      body: { command: "echo x", cwd: "../escape" },
    });
    await call(t, "POST", `/v1/sandboxes/${sb}/shell/exec`, 422, { body: { command: "" } });
    await t.db.query(`UPDATE sandboxes SET expires_at = now() - interval '1 s' WHERE id = $1`, [
      sb,
    ]);
    await call(t, "POST", `/v1/sandboxes/${sb}/shell/exec`, 409, { body: { command: "echo x" } });
    assert.equal(await count(), 0);
    assert.deepEqual(await call(t, "GET", `/v1/sandboxes/${sb}/history`, 200), {
      entries: [],
      total: 0,
    });
    await call(t, "GET", `/v1/sandboxes/${sb}/history/last`, 404);
  } finally {
    await t.close();
  }
});

Deno.test("history: schema failures are 422, unknown things 404", async () => {
  const t = await testBay();
  try {
    const sb = await newSandbox(t);
    const id = await addExecution(t.db, { sandboxId: sb });
    const base = `/v1/sandboxes/${sb}/history`;
    for (
      const qs of [
        "exec_type=ruby",
        "limit=0",
        "limit=501",
        "limit=abc",
        "offset=-1",
        "success_only=maybe",
        "has_notes=yes",
      ]
    ) {
      const body = await call(t, "GET", `${base}?${qs}`, 422);
      assert.equal(body.error.code, "validation_error", qs);
      assert.ok(body.error.details.issues.length > 0);
    }
    await call(t, "GET", `${base}/last?exec_type=ruby`, 422);
    await call(t, "PATCH", `${base}/${id}`, 422, { body: { colour: "red" } });
    await call(t, "PATCH", `${base}/${id}`, 422, { body: { tags: 5 } });
    await call(t, "PATCH", `${base}/${id}`, 422, { body: { notes: ["x"] } });
    assert.equal((await call(t, "GET", `${base}?limit=500`, 200)).total, 1);
    assert.equal((await call(t, "GET", `${base}?exec_type=browser_batch`, 200)).total, 0);

    await call(t, "GET", `/v1/sandboxes/sandbox-000000000000/history`, 404);
    await call(t, "GET", `/v1/sandboxes/sandbox-000000000000/history/last`, 404);
    await call(t, "GET", `${base}/exec-000000000000`, 404);
    await call(t, "GET", `${base}/not-an-id`, 404);
    await call(t, "PATCH", `${base}/exec-000000000000`, 404, { body: { notes: "x" } });
    const unauth = await t.request("GET", base, { key: null });
    assert.equal(unauth.status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("history: entries are scoped to their sandbox and owner; deleted sandboxes 404", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const a = await newSandbox(t);
    const b = await newSandbox(t);
    const bobs = await newSandbox(t, bob);
    const inA = await addExecution(t.db, { sandboxId: a, tags: "x" });
    await addExecution(t.db, { sandboxId: b, tags: "x" });
    const bobEntry = await addExecution(t.db, { owner: "bob", sandboxId: bobs, tags: "x" });

    assert.equal((await call(t, "GET", `/v1/sandboxes/${a}/history`, 200)).total, 1);
    await call(t, "GET", `/v1/sandboxes/${b}/history/${inA}`, 404, {});
    await call(t, "PATCH", `/v1/sandboxes/${b}/history/${inA}`, 404, { body: { notes: "n" } });

    // Bob sees none of it, whichever way he asks.
    await call(t, "GET", `/v1/sandboxes/${a}/history`, 404, { key: bob });
    await call(t, "GET", `/v1/sandboxes/${a}/history/last`, 404, { key: bob });
    await call(t, "GET", `/v1/sandboxes/${a}/history/${inA}`, 404, { key: bob });
    await call(t, "GET", `/v1/sandboxes/${bobs}/history/${inA}`, 404, { key: bob });
    await call(t, "PATCH", `/v1/sandboxes/${bobs}/history/${inA}`, 404, {
      key: bob,
      body: { notes: "mine now" },
    });
    await call(t, "GET", `/v1/sandboxes/${bobs}/history/${bobEntry}`, 404);
    const his = await call(t, "GET", `/v1/sandboxes/${bobs}/history`, 200, { key: bob });
    assert.deepEqual(his.entries.map((e: { id: string }) => e.id), [bobEntry]);
    const [{ notes }] = await t.db.query<{ notes: string | null }>(
      `SELECT notes FROM executions WHERE id = $1`,
      [inA],
    );
    assert.equal(notes, null, "nothing was annotated across owners");

    await call(t, "DELETE", `/v1/sandboxes/${a}`, 204);
    await call(t, "GET", `/v1/sandboxes/${a}/history`, 404);
    await call(t, "GET", `/v1/sandboxes/${a}/history/last`, 404);
    await call(t, "GET", `/v1/sandboxes/${a}/history/${inA}`, 404);
    await call(t, "PATCH", `/v1/sandboxes/${a}/history/${inA}`, 404, { body: { notes: "n" } });
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM executions WHERE id = $1`,
      [inA],
    );
    assert.equal(n, 1, "the entry outlives its sandbox");
  } finally {
    await t.close();
  }
});
