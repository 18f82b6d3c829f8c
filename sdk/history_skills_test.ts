import assert from "node:assert/strict";
import { bayTest, withBay } from "./_test_bay.ts";
import { ConflictError, NotFoundError, ValidationError } from "./mod.ts";

bayTest(
  "history and skills: record, annotate, candidate, evaluate, promote, roll back",
  async (t) => {
    await withBay({}, async ({ client }) => {
      const bay = client();
      const sb = await bay.createSandbox();
      const ok = await sb.shell.exec("echo one", { tags: ["etl", "good"], description: "step 1" });
      const py = await sb.python.exec("print(2)");
      const bad = await sb.shell.exec("exit 3");

      await t.step("history: list, filter, get, last, annotate", async () => {
        const all = await sb.history.list();
        assert.equal(all.total, 3);
        assert.deepEqual(all.entries.map((e) => e.id), [bad, py, ok].map((r) => r.execution_id));
        const first = all.entries[2];
        assert.equal(first.exec_type, "shell");
        assert.equal(first.code, "echo one");
        assert.equal(first.tags, "etl,good");
        assert.equal(first.description, "step 1");
        assert.equal((await sb.history.list({ execType: "python" })).entries[0].output, "2\n");
        assert.equal((await sb.history.list({ successOnly: true })).total, 2);
        assert.equal((await sb.history.list({ tags: "ETL" })).total, 1);
        assert.equal((await sb.history.list({ hasDescription: true })).total, 1);
        assert.equal(
          (await sb.history.list({ limit: 1, offset: 1 })).entries[0].id,
          py.execution_id,
        );
        assert.equal((await sb.history.get(py.execution_id)).exec_type, "python");
        assert.equal((await sb.history.last()).id, bad.execution_id);
        assert.equal((await sb.history.last({ execType: "python" })).id, py.execution_id);
        const noted = await sb.history.annotate(py.execution_id, {
          notes: "prints two",
          tags: "math",
        });
        assert.equal(noted.notes, "prints two");
        assert.equal(noted.tags, "math");
        const kept = await sb.history.annotate(py.execution_id, { description: "d" });
        assert.equal(kept.notes, "prints two", "omitted fields stay");
        assert.equal((await sb.history.list({ hasNotes: true })).total, 1);
        await assert.rejects(() => sb.history.get("exec-000000000000"), NotFoundError);
        const other = await bay.createSandbox();
        await assert.rejects(() => other.history.last(), NotFoundError);
      });

      await t.step(
        "skills: payloads, candidates, evaluations, releases, health, deletes",
        async () => {
          const s = bay.skills;
          const ref = await s.createPayload({ steps: ["a", "b"] }, { kind: "plan" });
          assert.match(ref.payload_ref, /^blob:blob-[0-9a-f]{12}$/);
          const payload = await s.getPayload(ref.payload_ref);
          assert.deepEqual(payload, { ...ref, payload: { steps: ["a", "b"] } });
          await assert.rejects(() => s.getPayload("nope"), ValidationError);

          const c1 = await s.createCandidate({
            skill_key: "demo.echo",
            source_execution_ids: [ok.execution_id, py.execution_id],
            payload_ref: ref.payload_ref,
            summary: "echoes",
          });
          assert.match(c1.id, /^sc-[0-9a-f]{12}$/);
          assert.equal(c1.status, "draft");
          await assert.rejects(
            () => s.createCandidate({ skill_key: "x", source_execution_ids: [] }),
            ValidationError,
          );
          await assert.rejects(() => s.promote(c1.id), ConflictError, "no passing evaluation yet");
          const ev = await s.evaluate(c1.id, {
            passed: true,
            score: 0.9,
            report: { replay_success: 1 },
          });
          assert.match(ev.id, /^se-[0-9a-f]{12}$/);
          assert.equal(ev.passed, true);
          assert.equal((await s.getCandidate(c1.id)).status, "evaluating");
          const r1 = await s.promote(c1.id, { stage: "canary", change_summary: "first" });
          assert.equal(r1.version, 1);
          assert.equal(r1.is_active, true);
          assert.equal((await s.getCandidate(c1.id)).status, "promoted");

          const c2 = await s.createCandidate({
            skill_key: "demo.echo",
            source_execution_ids: [bad.execution_id],
          });
          await s.evaluate(c2.id, { passed: true });
          const r2 = await s.promote(c2.id, { stage: "stable", upgrade_of_release_id: r1.id });
          assert.equal(r2.version, 2);
          assert.equal(r2.stage, "stable");
          const active = await s.listReleases({ skillKey: "demo.echo", activeOnly: true });
          assert.deepEqual(active.items.map((r) => r.id), [r2.id]);
          assert.equal((await s.listReleases({ stage: "canary" })).total, 1);

          const health = await s.releaseHealth(r2.id);
          assert.equal(health.release_id, r2.id);
          assert.equal(typeof health.should_rollback, "boolean");

          const r3 = await s.rollback(r2.id);
          assert.equal(r3.version, 3);
          assert.equal(r3.rollback_of, r2.id);
          assert.equal(r3.candidate_id, c1.id);
          assert.equal((await s.getCandidate(c2.id)).status, "rolled_back");

          const listed = await s.listCandidates({ skillKey: "demo.echo", limit: 1 });
          assert.equal(listed.total, 2);
          assert.equal(listed.items.length, 1);
          assert.equal((await s.listCandidates({ status: "rolled_back" })).items[0].id, c2.id);

          await assert.rejects(
            () => s.deleteCandidate(c1.id),
            ConflictError,
            "active release uses it",
          );
          const del = await s.deleteRelease(r3.id, { reason: "done" });
          assert.equal(del.id, r3.id);
          assert.equal(del.delete_reason, "done");
          const delC = await s.deleteCandidate(c2.id);
          assert.equal(delC.id, c2.id);
          await assert.rejects(() => s.getCandidate(c2.id), NotFoundError);
        },
      );
    });
  },
);
