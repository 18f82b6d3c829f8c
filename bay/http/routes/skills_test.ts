import assert from "node:assert/strict";
import { type TestBay, testBay } from "../../testing.ts";
import { addBob, addExecution, call, newSandbox } from "./_history_fixtures.ts";

const CANDIDATE_KEYS = [
  "created_at",
  "created_by",
  "id",
  "last_evaluated_at",
  "latest_pass",
  "latest_score",
  "payload_ref",
  "postconditions",
  "preconditions",
  "promotion_release_id",
  "scenario_key",
  "skill_key",
  "skill_type",
  "source_execution_ids",
  "status",
  "summary",
  "updated_at",
  "usage_notes",
];

async function candidate(t: TestBay, skillKey: string, execs: string[], key?: string) {
  return await call(t, "POST", "/v1/skills/candidates", 201, {
    body: { skill_key: skillKey, source_execution_ids: execs },
    key,
  });
}

async function count(t: TestBay, table: string): Promise<number> {
  return (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
}

Deno.test("skills: payloads round-trip; bad refs 400, unknown or foreign 404", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const made = await call(t, "POST", "/v1/skills/payloads", 201, {
      body: { payload: { steps: ["open", { click: "#go" }], n: 2 }, kind: "trace" },
    });
    assert.match(made.payload_ref, /^blob:blob-[0-9a-f]{12}$/);
    assert.equal(made.kind, "trace");
    assert.deepEqual(await call(t, "GET", `/v1/skills/payloads/${made.payload_ref}`, 200), {
      payload_ref: made.payload_ref,
      kind: "trace",
      payload: { steps: ["open", { click: "#go" }], n: 2 },
    });
    const arr = await call(t, "POST", "/v1/skills/payloads", 201, { body: { payload: [1, "a"] } });
    assert.equal(arr.kind, "generic");
    const got = await call(
      t,
      "GET",
      `/v1/skills/payloads/${encodeURIComponent(arr.payload_ref)}`,
      200,
    );
    assert.deepEqual(got.payload, [1, "a"]);
    const nul = await call(t, "POST", "/v1/skills/payloads", 201, {
      body: { payload: { "k\u0000": "a\u0000b" } },
    });
    assert.deepEqual(
      (await call(t, "GET", `/v1/skills/payloads/${nul.payload_ref}`, 200)).payload,
      {
        "k\uFFFD": "a\uFFFDb",
      },
    );

    for (const ref of ["file:blob-000000000000", made.payload_ref.slice(5), "x"]) {
      const e = await call(t, "GET", `/v1/skills/payloads/${ref}`, 400);
      assert.equal(e.error.code, "validation_error");
    }
    await call(t, "GET", "/v1/skills/payloads/blob:blob-000000000000", 404);
    await call(t, "GET", "/v1/skills/payloads/blob:", 404);
    await call(t, "GET", `/v1/skills/payloads/${made.payload_ref}`, 404, { key: bob });

    const before = await count(t, "artifact_blobs");
    await call(t, "POST", "/v1/skills/payloads", 422, { body: { payload: "text" } });
    await call(t, "POST", "/v1/skills/payloads", 422, { body: { kind: "x" } });
    await call(t, "POST", "/v1/skills/payloads", 422, { body: { payload: {}, kind: "" } });
    assert.equal(await count(t, "artifact_blobs"), before);
  } finally {
    await t.close();
  }
});

Deno.test("skills: candidates cite the caller's executions, deleted sandboxes included", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const s1 = await newSandbox(t);
    const s2 = await newSandbox(t);
    const e1 = await addExecution(t.db, { sandboxId: s1 });
    const e2 = await addExecution(t.db, { sandboxId: s2 });
    await call(t, "DELETE", `/v1/sandboxes/${s2}`, 204);
    const bobExec = await addExecution(t.db, { owner: "bob", sandboxId: await newSandbox(t, bob) });
    const payload = await call(t, "POST", "/v1/skills/payloads", 201, { body: { payload: {} } });
    const bobPayload = await call(t, "POST", "/v1/skills/payloads", 201, {
      body: { payload: {} },
      key: bob,
    });

    const c = await call(t, "POST", "/v1/skills/candidates", 201, {
      body: {
        skill_key: "  csv-cleanup ",
        source_execution_ids: [e1, e2, e1],
        scenario_key: "etl",
        payload_ref: payload.payload_ref,
        summary: "Clean a CSV",
        usage_notes: "Run before import",
        preconditions: { file: "data.csv" },
        postconditions: { rows: ">0" },
      },
    });
    assert.deepEqual(Object.keys(c).sort(), CANDIDATE_KEYS);
    assert.match(c.id, /^sc-[0-9a-f]{12}$/);
    assert.equal(c.skill_key, "csv-cleanup");
    assert.deepEqual(c.source_execution_ids, [e1, e2]);
    assert.equal(c.status, "draft");
    assert.equal(c.skill_type, "code");
    assert.equal(c.scenario_key, "etl");
    assert.equal(c.payload_ref, payload.payload_ref);
    assert.deepEqual(c.preconditions, { file: "data.csv" });
    assert.deepEqual(c.postconditions, { rows: ">0" });
    assert.equal(c.latest_score, null);
    assert.equal(c.latest_pass, null);
    assert.equal(c.last_evaluated_at, null);
    assert.equal(c.promotion_release_id, null);
    assert.equal(c.created_by, "default");
    assert.match(c.created_at, /Z$/);
    assert.match(c.updated_at, /Z$/);
    assert.deepEqual(await call(t, "GET", `/v1/skills/candidates/${c.id}`, 200), c);
    const minimal = await candidate(t, "k", [e2]);
    assert.equal(minimal.preconditions, null);
    assert.equal(minimal.payload_ref, null);

    const before = await count(t, "skill_candidates");
    const bad = async (body: unknown, status = 400) => {
      const e = await call(t, "POST", "/v1/skills/candidates", status, { body });
      assert.equal(e.error.code, "validation_error");
      return e.error;
    };
    await bad({ skill_key: "   ", source_execution_ids: [e1] });
    await bad({ skill_key: "k", source_execution_ids: [] });
    const unknown = await bad({ skill_key: "k", source_execution_ids: [e1, "exec-000000000000"] });
    assert.deepEqual(unknown.details.unknown_ids, ["exec-000000000000"]);
    const foreign = await bad({ skill_key: "k", source_execution_ids: [bobExec] });
    assert.deepEqual(foreign.details.unknown_ids, [bobExec]);
    await bad({ skill_key: "k", source_execution_ids: ["not an id\u0000"] });
    await bad({ skill_key: "k", source_execution_ids: [e1], payload_ref: "file:x" });
    await bad({ skill_key: "k", source_execution_ids: [e1], payload_ref: bobPayload.payload_ref });
    await bad({
      skill_key: "k",
      source_execution_ids: [e1],
      payload_ref: "blob:blob-000000000000",
    });
    await bad({ source_execution_ids: [e1] }, 422);
    await bad({ skill_key: "k", source_execution_ids: e1 }, 422);
    await bad({ skill_key: "k", source_execution_ids: [e1], preconditions: [1] }, 422);
    await bad({ skill_key: "k", source_execution_ids: [e1], extra: 1 }, 422);
    assert.equal(await count(t, "skill_candidates"), before, "rejections write nothing");

    // Bob can neither see nor cite any of it; his own evidence works for him.
    await call(t, "GET", `/v1/skills/candidates/${c.id}`, 404, { key: bob });
    assert.deepEqual(await call(t, "GET", "/v1/skills/candidates", 200, { key: bob }), {
      items: [],
      total: 0,
    });
    await call(t, "POST", "/v1/skills/candidates", 400, {
      body: { skill_key: "k", source_execution_ids: [e1] },
      key: bob,
    });
    const his = await candidate(t, "k", [bobExec], bob);
    assert.equal(his.created_by, "bob");
    await call(t, "GET", `/v1/skills/candidates/${his.id}`, 404);
    await call(t, "GET", "/v1/skills/candidates/sc-000000000000", 404);
    await call(t, "GET", "/v1/skills/candidates/whatever", 404);
  } finally {
    await t.close();
  }
});

Deno.test("skills: candidate list filters by status and key, pages with a total", async () => {
  const t = await testBay();
  try {
    const e = await addExecution(t.db, { sandboxId: await newSandbox(t) });
    const ids: string[] = [];
    for (const k of ["a", "a", "b", "b", "b"]) ids.push((await candidate(t, k, [e])).id);
    await call(t, "POST", `/v1/skills/candidates/${ids[0]}/evaluate`, 200, {
      body: { passed: false },
    });
    await call(t, "POST", `/v1/skills/candidates/${ids[3]}/evaluate`, 200, {
      body: { passed: true },
    });
    const list = async (qs = "") => await call(t, "GET", `/v1/skills/candidates${qs}`, 200);
    const all = await list();
    assert.equal(all.total, 5);
    assert.deepEqual(all.items.map((c: { id: string }) => c.id), [...ids].reverse());
    assert.equal((await list("?skill_key=b")).total, 3);
    assert.equal((await list("?skill_key=zzz")).total, 0);
    assert.deepEqual((await list("?status=rejected")).items.map((c: { id: string }) => c.id), [
      ids[0],
    ]);
    assert.deepEqual(
      (await list("?status=evaluating&skill_key=b")).items.map((c: { id: string }) => c.id),
      [ids[3]],
    );
    assert.equal((await list("?status=draft")).total, 3);
    const seen: string[] = [];
    for (let offset = 0; offset < 6; offset += 2) {
      const page = await list(`?limit=2&offset=${offset}`);
      assert.equal(page.total, 5);
      seen.push(...page.items.map((c: { id: string }) => c.id));
    }
    assert.deepEqual(seen, [...ids].reverse());
    const badStatus = await call(t, "GET", "/v1/skills/candidates?status=shipped", 400);
    assert.equal(badStatus.error.code, "validation_error");
    await call(t, "GET", "/v1/skills/candidates?limit=0", 422);
    await call(t, "GET", "/v1/skills/candidates?limit=501", 422);
    await call(t, "GET", "/v1/skills/candidates?offset=-1", 422);
  } finally {
    await t.close();
  }
});

Deno.test("skills: evaluation records the verdict; failing ones reject", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const e = await addExecution(t.db, { sandboxId: await newSandbox(t) });
    const c = await candidate(t, "k", [e]);
    const ev = await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 200, {
      body: { passed: true, score: 0.9, benchmark_id: "bench-1", report: '{"replay_success":1}' },
    });
    assert.deepEqual(Object.keys(ev).sort(), [
      "benchmark_id",
      "candidate_id",
      "created_at",
      "evaluated_by",
      "id",
      "passed",
      "report",
      "score",
    ]);
    assert.match(ev.id, /^se-[0-9a-f]{12}$/);
    assert.equal(ev.candidate_id, c.id);
    assert.equal(ev.score, 0.9);
    assert.equal(ev.passed, true);
    assert.equal(ev.report, '{"replay_success":1}');
    assert.equal(ev.evaluated_by, "default");
    assert.match(ev.created_at, /Z$/);
    let now = await call(t, "GET", `/v1/skills/candidates/${c.id}`, 200);
    assert.equal(now.status, "evaluating");
    assert.equal(now.latest_score, 0.9);
    assert.equal(now.latest_pass, true);
    assert.equal(now.last_evaluated_at, ev.created_at);

    const failed = await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 200, {
      body: { passed: false, report: { replay_success: 0.5, notes: ["flaky"] } },
    });
    assert.equal(failed.report, '{"replay_success":0.5,"notes":["flaky"]}');
    assert.equal(failed.score, null);
    now = await call(t, "GET", `/v1/skills/candidates/${c.id}`, 200);
    assert.equal(now.status, "rejected");
    assert.equal(now.latest_pass, false);
    assert.equal(now.latest_score, null);
    assert.equal(now.last_evaluated_at, failed.created_at);

    const again = await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 200, {
      body: { passed: true, score: 1 },
    });
    assert.equal(again.passed, true);
    assert.equal((await call(t, "GET", `/v1/skills/candidates/${c.id}`, 200)).status, "evaluating");

    await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 422, { body: {} });
    await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 422, {
      body: { passed: "yes" },
    });
    await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 422, {
      body: { passed: true, report: [1] },
    });
    await call(t, "POST", "/v1/skills/candidates/sc-000000000000/evaluate", 404, {
      body: { passed: true },
    });
    await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 404, {
      body: { passed: false },
      key: bob,
    });
    assert.equal(await count(t, "skill_evaluations"), 3);
  } finally {
    await t.close();
  }
});

Deno.test("skills: candidates soft-delete and disappear", async () => {
  const t = await testBay();
  try {
    const bob = await addBob(t);
    const e = await addExecution(t.db, { sandboxId: await newSandbox(t) });
    const c = await candidate(t, "k", [e]);
    const other = await candidate(t, "k", [e]);
    await call(t, "DELETE", `/v1/skills/candidates/${c.id}`, 404, { key: bob });
    const del = await call(t, "DELETE", `/v1/skills/candidates/${c.id}`, 200, {
      body: { reason: "superseded" },
    });
    assert.deepEqual(Object.keys(del).sort(), ["delete_reason", "deleted_at", "deleted_by", "id"]);
    assert.equal(del.id, c.id);
    assert.equal(del.deleted_by, "default");
    assert.equal(del.delete_reason, "superseded");
    assert.match(del.deleted_at, /Z$/);
    await call(t, "GET", `/v1/skills/candidates/${c.id}`, 404);
    await call(t, "DELETE", `/v1/skills/candidates/${c.id}`, 404);
    await call(t, "POST", `/v1/skills/candidates/${c.id}/evaluate`, 404, {
      body: { passed: true },
    });
    await call(t, "POST", `/v1/skills/candidates/${c.id}/promote`, 404, { body: {} });
    const list = await call(t, "GET", "/v1/skills/candidates", 200);
    assert.deepEqual(list.items.map((x: { id: string }) => x.id), [other.id]);
    assert.equal(list.total, 1);

    const bare = await call(t, "DELETE", `/v1/skills/candidates/${other.id}`, 200);
    assert.equal(bare.delete_reason, null);
    await call(t, "DELETE", "/v1/skills/candidates/sc-000000000000", 404);
    assert.equal(await count(t, "skill_candidates"), 2, "soft: rows stay");
  } finally {
    await t.close();
  }
});
