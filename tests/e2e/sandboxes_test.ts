/**
 * Sandbox gatekeeping and cargo ownership through a real Bay (API §2, §6):
 * expiry, capabilities of profiles, and what deletion removes or keeps.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eventually, sleep, withBay } from "./_bay.ts";
import { cargoStorageExists, sessionPids } from "./_host.ts";

const CONFIG = `
profiles:
  - id: python-default
  - id: shell-only
    capabilities: [shell, filesystem]
`;

Deno.test("e2e sandboxes: expiry, capabilities, cargo lifetime", async (t) => {
  await withBay({ configYaml: CONFIG }, async (bay) => {
    await bay.step(t, "an expired sandbox refuses capability calls with 409", async () => {
      const sb = await bay.createSandbox({ ttl: 1 });
      try {
        await sleep(1500);
        const got = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(got.body.status, "expired");
        const calls = [
          bay.api("POST", `/v1/sandboxes/${sb.id}/python/exec`, { code: "1" }),
          bay.api("POST", `/v1/sandboxes/${sb.id}/shell/exec`, { command: "true" }),
          bay.api("GET", `/v1/sandboxes/${sb.id}/filesystem/directories`),
        ];
        for (const r of await Promise.all(calls)) {
          assert.equal(r.status, 409, r.text);
          assert.equal(r.body.error.code, "sandbox_expired");
          assert.equal(r.body.error.details.sandbox_id, sb.id);
          assert.equal(r.body.error.details.expires_at, got.body.expires_at);
        }
        assert.deepEqual(sessionPids(bay, sb.cargo_id), [], "no compute was started");
        const extend = await bay.api("POST", `/v1/sandboxes/${sb.id}/extend_ttl`, {
          extend_by: 60,
        });
        assert.equal(extend.status, 409, "no resurrection");
        assert.equal(extend.body.error.code, "sandbox_expired");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });

    await bay.step(t, "a profile without python: 400 before any compute starts", async () => {
      const sb = await bay.createSandbox({ profile: "shell-only" });
      try {
        assert.deepEqual(sb.profile, "shell-only");
        for (const path of ["python/exec", "python/interrupt", "python/restart"]) {
          const r = await bay.api(
            "POST",
            `/v1/sandboxes/${sb.id}/${path}`,
            path === "python/exec" ? { code: "1" } : undefined,
          );
          assert.equal(r.status, 400, `${path}: ${r.text}`);
          assert.equal(r.body.error.code, "capability_not_supported");
          assert.equal(r.body.error.details.capability, "python");
          assert.deepEqual(r.body.error.details.available, ["shell", "filesystem"]);
        }
        const got = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(got.body.status, "idle", "no session started");
        assert.equal(got.body.containers, null);
        assert.deepEqual(sessionPids(bay, sb.cargo_id), []);

        const sh = await bay.sh(sb.id, "echo shell works");
        assert.equal(sh.output, "shell works\n");
        const kernels = await bay.sh(sb.id, "pgrep -fc '[i]pykernel' || true");
        assert.equal(kernels.output, "0\n", "no kernel is started for a profile without python");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });

    await bay.step(t, "deleting a sandbox removes its managed cargo", async () => {
      const sb = await bay.createSandbox();
      await bay.api("PUT", `/v1/sandboxes/${sb.id}/filesystem/files`, {
        path: "f.txt",
        content: "x",
      });
      assert.equal(await cargoStorageExists(bay, sb.cargo_id), true);
      const cargo = await bay.api("GET", `/v1/cargos/${sb.cargo_id}`);
      assert.equal(cargo.status, 200);
      assert.equal(cargo.body.managed, true);
      assert.equal(cargo.body.managed_by_sandbox_id, sb.id);

      const del = await bay.api("DELETE", `/v1/sandboxes/${sb.id}`);
      assert.equal(del.status, 204);
      assert.equal(await cargoStorageExists(bay, sb.cargo_id), false);
      assert.equal((await bay.api("GET", `/v1/cargos/${sb.cargo_id}`)).status, 404);
      assert.equal((await bay.api("GET", `/v1/sandboxes/${sb.id}`)).status, 404);
      assert.equal((await bay.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204, "idempotent");
      // SIGKILLed processes may need a moment to leave the process table.
      await eventually("its session to be gone", () => sessionPids(bay, sb.cargo_id).length === 0);
    });

    await bay.step(t, "an external cargo outlives its sandboxes", async () => {
      const created = await bay.api("POST", "/v1/cargos", { size_limit_mb: 64 });
      assert.equal(created.status, 201, created.text);
      const cargo = created.body;
      assert.match(cargo.id, /^ws-[0-9a-f]{12}$/);
      assert.equal(cargo.managed, false);
      let second: string | null = null;
      try {
        const a = await bay.createSandbox({ cargo_id: cargo.id });
        assert.equal(a.cargo_id, cargo.id);
        await bay.sh(a.id, "mkdir -p keep && echo 'from a' > keep/note.txt");
        assert.equal((await bay.api("DELETE", `/v1/sandboxes/${a.id}`)).status, 204);
        assert.equal(await cargoStorageExists(bay, cargo.id), true);
        const still = await bay.api("GET", `/v1/cargos/${cargo.id}`);
        assert.equal(still.status, 200);

        const b = await bay.createSandbox({ cargo_id: cargo.id });
        second = b.id;
        const read = await bay.api(
          "GET",
          `/v1/sandboxes/${b.id}/filesystem/files?path=keep/note.txt`,
        );
        assert.equal(read.status, 200);
        assert.equal(read.body.content, "from a\n");

        const busy = await bay.api("DELETE", `/v1/cargos/${cargo.id}`);
        assert.equal(busy.status, 409, "in use by a live sandbox");
        assert.equal(busy.body.error.code, "conflict");
        assert.deepEqual(busy.body.error.details.active_sandbox_ids, [b.id]);

        assert.equal((await bay.api("DELETE", `/v1/sandboxes/${b.id}`)).status, 204);
        second = null;
        assert.equal((await bay.api("DELETE", `/v1/cargos/${cargo.id}`)).status, 204);
        assert.equal(await cargoStorageExists(bay, cargo.id), false);
      } finally {
        if (second) await bay.deleteSandbox(second);
        await bay.api("DELETE", `/v1/cargos/${cargo.id}`).catch(() => {});
      }
    });
  });
});
