import assert from "node:assert/strict";
import { json, text, withMcp } from "./_test_mcp.ts";

Deno.test("history tools: list with filters, get, last, annotate", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const sh = text(
      await call("execute_shell", {
        sandbox_id: id,
        command: "echo one",
        tags: "etl,first",
        description: "say one",
      }),
    );
    const shellId = /execution_id: (exec-[0-9a-f]+)/.exec(sh)![1];
    await call("execute_python", { sandbox_id: id, code: "print(2)" });

    const all = json(await call("get_execution_history", { sandbox_id: id }));
    assert.equal(all.total, 2);
    assert.equal(all.entries[0].exec_type, "python");
    assert.equal(all.entries[1].id, shellId);
    assert.equal(all.entries[1].tags, "etl,first");
    const shells = json(
      await call("get_execution_history", { sandbox_id: id, exec_type: "shell" }),
    );
    assert.deepEqual(shells.entries.map((e: { id: string }) => e.id), [shellId]);

    const one = json(await call("get_execution", { sandbox_id: id, execution_id: shellId }));
    assert.equal(one.code, "echo one");
    assert.equal(one.output, "one\n");
    assert.equal(one.description, "say one");
    const last = json(await call("get_last_execution", { sandbox_id: id, exec_type: "python" }));
    assert.equal(last.code, "print(2)");

    const noted = json(
      await call("annotate_execution", {
        sandbox_id: id,
        execution_id: shellId,
        notes: "works",
        tags: "good",
      }),
    );
    assert.equal(noted.notes, "works");
    assert.equal(noted.tags, "good");
    assert.equal(noted.description, "say one", "omitted fields kept");
    const withNotes = json(
      await call("get_execution_history", { sandbox_id: id, has_notes: true }),
    );
    assert.equal(withNotes.total, 1);

    const missing = await call("get_execution", {
      sandbox_id: id,
      execution_id: "exec-000000000000",
    });
    assert.match(text(missing), /error \[not_found\]/);
  });
});

Deno.test("skill tools: payload, candidates, evaluate, promote, releases, health, rollback, delete", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const run = text(await call("execute_shell", { sandbox_id: id, command: "echo skill" }));
    const execId = /execution_id: (exec-[0-9a-f]+)/.exec(run)![1];

    const payload = json(await call("create_skill_payload", { payload: { steps: ["a", "b"] } }));
    assert.match(payload.payload_ref, /^blob:blob-/);
    const got = json(await call("get_skill_payload", { payload_ref: payload.payload_ref }));
    assert.deepEqual(got.payload, { steps: ["a", "b"] });

    const mk = async () =>
      json(
        await call("create_skill_candidate", {
          skill_key: "echoer",
          source_execution_ids: [execId],
          payload_ref: payload.payload_ref,
          summary: "echoes",
          preconditions: { shell: true },
        }),
      );
    const c1 = await mk();
    assert.match(c1.id, /^sc-/);
    assert.equal(
      json(await call("get_skill_candidate", { candidate_id: c1.id })).summary,
      "echoes",
    );
    const listed = json(await call("list_skill_candidates", { skill_key: "echoer" }));
    assert.equal(listed.total, 1);

    const early = await call("promote_skill_candidate", { candidate_id: c1.id });
    assert.equal(early.isError, true);
    assert.match(text(early), /error \[conflict\] \(HTTP 409\)/);

    const ev = json(
      await call("evaluate_skill_candidate", {
        candidate_id: c1.id,
        passed: true,
        score: 0.9,
        report: { replay_success: 1, error_rate: 0, samples: 3 },
      }),
    );
    assert.equal(ev.passed, true);
    const r1 = json(
      await call("promote_skill_candidate", { candidate_id: c1.id, stage: "stable" }),
    );
    assert.equal(r1.version, 1);
    assert.equal(r1.is_active, true);

    const c2 = await mk();
    await call("evaluate_skill_candidate", { candidate_id: c2.id, passed: true });
    const r2 = json(await call("promote_skill_candidate", { candidate_id: c2.id }));
    assert.equal(r2.version, 2);
    assert.equal(r2.stage, "canary");

    const health = json(await call("get_skill_release_health", { release_id: r2.id }));
    assert.equal(health.release_id, r2.id);
    assert.equal(typeof health.should_rollback, "boolean");

    const back = json(await call("rollback_skill_release", { release_id: r2.id }));
    assert.equal(back.version, 3);
    assert.equal(back.rollback_of, r2.id);
    assert.equal(back.candidate_id, c1.id);
    const active = json(
      await call("list_skill_releases", { skill_key: "echoer", active_only: true }),
    );
    assert.deepEqual(active.items.map((r: { id: string }) => r.id), [back.id]);

    const del = json(await call("delete_skill_release", { release_id: r2.id, reason: "bad" }));
    assert.equal(del.id, r2.id);
    assert.equal(del.delete_reason, "bad");
    const delC = json(await call("delete_skill_candidate", { candidate_id: c2.id }));
    assert.equal(delC.id, c2.id);
    const busy = await call("delete_skill_candidate", { candidate_id: c1.id });
    assert.match(text(busy), /error \[conflict\]/, "an active release uses c1");
  });
});
