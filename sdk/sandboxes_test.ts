import assert from "node:assert/strict";
import { withBay } from "./_test_bay.ts";
import {
  BayError,
  NotFoundError,
  SandboxTtlInfiniteError,
  UnauthorizedError,
  ValidationError,
} from "./mod.ts";

Deno.test("sandboxes: create, get, list with cursor iteration, extend, keepalive, stop, delete", async () => {
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
});

Deno.test("errors: 404 is a NotFoundError with Bay's request id; 401 and 422 map too", async () => {
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
