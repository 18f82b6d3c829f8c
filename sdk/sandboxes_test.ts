import assert from "node:assert/strict";
import { addKey, bayTest, withBay } from "./_test_bay.ts";
import {
  BayError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  SandboxTtlInfiniteError,
  UnauthorizedError,
  ValidationError,
} from "./mod.ts";

bayTest(
  "sandboxes: create, get, list with cursor iteration, extend, keepalive, stop, delete",
  async () => {
    await withBay({ ships: false }, async ({ client }) => {
      const bay = client();
      assert.equal((await bay.health()).status, "ok");
      const profiles = await bay.profiles();
      assert.ok(profiles.some((p) => p.id === "python-default"));
      assert.equal(profiles[0].description, null);

      const sb = await bay.createSandbox({ ttlSeconds: 600 });
      assert.match(sb.id, /^sandbox-[0-9a-f]{12}$/);
      assert.equal(sb.info.profile, "python-default");
      assert.ok(sb.info.expires_at);
      const got = await bay.getSandbox(sb.id);
      assert.equal(got.info.cargo_id, sb.info.cargo_id);

      const before = Date.parse(sb.info.expires_at!);
      const ext = await sb.extendTtl(600);
      assert.ok(Date.parse(ext.expires_at!) >= before + 600_000 - 5, "expires_at moved forward");
      assert.equal(sb.info.expires_at, ext.expires_at);
      assert.deepEqual(await sb.keepalive(), { status: "ok" });
      assert.deepEqual(await sb.stop(), { status: "stopped" });
      assert.equal((await sb.refresh()).id, sb.id);

      const more = [];
      for (let i = 0; i < 4; i++) more.push(await bay.createSandbox());
      const page = await bay.listSandboxes({ limit: 2 });
      assert.equal(page.items.length, 2);
      assert.ok(page.next_cursor);
      const all: string[] = [];
      for await (const s of bay.iterSandboxes({ limit: 2 })) all.push(s.id);
      assert.deepEqual(
        all,
        [sb, ...more].map((s) => s.id).sort(),
        "every sandbox once, ids ascending",
      );

      const forever = await bay.createSandbox();
      await assert.rejects(() => forever.extendTtl(60), SandboxTtlInfiniteError);
      await assert.rejects(() => sb.extendTtl(0), ValidationError);

      await sb.delete();
      await sb.delete(); // idempotent
      await bay.deleteSandbox(forever.id);
      await assert.rejects(() => bay.getSandbox(sb.id), NotFoundError);
      for (const s of more) await s.delete();
    });
  },
);

bayTest("errors: 404 is a NotFoundError with Bay's request id; 401 and 422 map too", async () => {
  await withBay({ ships: false }, async ({ client }) => {
    const bay = client({ headers: { "X-Request-Id": "sdk-test-req-1" } });
    const err = await bay.getSandbox("sandbox-000000000000").catch((e) => e);
    assert.ok(err instanceof NotFoundError);
    assert.ok(err instanceof BayError);
    assert.equal(err.code, "not_found");
    assert.equal(err.status, 404);
    assert.equal(err.requestId, "sdk-test-req-1");
    assert.equal(err.name, "NotFoundError");
    assert.match(err.message, /sandbox not found/);

    const anon = client({ apiKey: "wrong-key-0123456789abcdef" });
    const e401 = await anon.listSandboxes().catch((e) => e);
    assert.ok(e401 instanceof UnauthorizedError);
    assert.equal(e401.status, 401);
    assert.ok(e401.requestId);

    const e422 = await bay.listSandboxes({ limit: 0 }).catch((e) => e);
    assert.ok(e422 instanceof ValidationError);
    assert.equal(e422.status, 422);
    assert.ok(Array.isArray(e422.details.issues));

    const e400 = await bay.createSandbox({ profile: "no-such-profile" }).catch((e) => e);
    assert.ok(e400 instanceof ValidationError);
    assert.equal(e400.status, 400);
  });
});

bayTest("cargos, profiles and admin", async () => {
  await withBay({ ships: false }, async ({ t, client }) => {
    const bay = client();
    const detailed = await bay.profiles({ detail: true });
    assert.ok(detailed.length > 0);
    assert.ok(Array.isArray(detailed[0].capabilities));

    const cargo = await bay.cargos.create({ sizeLimitMb: 64 });
    assert.match(cargo.id, /^ws-[0-9a-f]{12}$/);
    assert.equal(cargo.managed, false);
    assert.equal(cargo.size_limit_mb, 64);
    const again = await bay.cargos.create({ sizeLimitMb: 64, idempotencyKey: "cargo-key-1" });
    const replay = await bay.cargos.create({ sizeLimitMb: 64, idempotencyKey: "cargo-key-1" });
    assert.equal(replay.id, again.id, "same key, same cargo");
    await assert.rejects(
      () => bay.cargos.create({ sizeLimitMb: 65, idempotencyKey: "cargo-key-1" }),
      ConflictError,
    );
    assert.equal((await bay.cargos.get(cargo.id)).id, cargo.id);
    const sb = await bay.createSandbox({ cargoId: cargo.id });
    assert.equal(sb.info.cargo_id, cargo.id);
    const conflict = await bay.cargos.delete(cargo.id).catch((e) => e);
    assert.ok(conflict instanceof ConflictError);
    assert.deepEqual(conflict.details.active_sandbox_ids, [sb.id]);

    const external: string[] = [];
    for await (const c of bay.cargos.iterate({ limit: 1 })) external.push(c.id);
    assert.deepEqual(external, [cargo.id, again.id].sort());
    const managed = await bay.cargos.list({ managed: true });
    assert.equal(managed.items.length, 0, "the sandbox uses the external cargo");
    await sb.delete();
    await bay.cargos.delete(cargo.id);
    await assert.rejects(() => bay.cargos.get(cargo.id), NotFoundError);

    const gc = await bay.admin.gcStatus();
    assert.equal(gc.enabled, false);
    const run = await bay.admin.gcRun(["idle_session"]);
    assert.deepEqual(run.results.map((r) => r.task_name), ["idle_session"]);

    await addKey(t, "user-key-0123456789abcdef", "alice");
    const alice = client({ apiKey: "user-key-0123456789abcdef" });
    await assert.rejects(() => alice.admin.gcStatus(), ForbiddenError);
    await assert.rejects(() => alice.cargos.get(again.id), NotFoundError, "another owner's: 404");
  });
});
