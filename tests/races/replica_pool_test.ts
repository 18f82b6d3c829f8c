/**
 * Two real Bay processes (local driver) on one PostgreSQL with a warm pool of
 * one: concurrent creates by two owners through the two replicas must never
 * hand out the same sandbox or share a cargo. Needs BAY_TEST_DATABASE_URL
 * and bubblewrap.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createKey } from "../../bay/core/auth.ts";
import { openPostgres } from "../../bay/store/postgres.ts";
import { tempDatabaseUrl } from "../../bay/testing.ts";
import { type E2EBay, eventually, freePort, type SandboxObj, startBay } from "../e2e/_bay.ts";

const ALICE = "alice-key-0123456789abcdef";
const BOB = "bob-key-0123456789abcdef0";
const ROUNDS = 3;

const CONFIG = `
warmPoolCheckMs: 300
profiles:
  - id: pooled
    capabilities: [shell, filesystem]
    warmPoolSize: 1
`;

Deno.test({
  name: "races: two replicas racing for one warm sandbox never share a sandbox or a cargo",
  ignore: !Deno.env.get("BAY_TEST_DATABASE_URL"),
  async fn() {
    const db = await tempDatabaseUrl();
    const root = await Deno.makeTempDir({ prefix: "bay-races-" });
    const bays: E2EBay[] = [];
    let pg: Awaited<ReturnType<typeof openPostgres>> | null = null;
    const leaked: string[] = [];
    try {
      for (const name of ["race-a", "race-b"]) {
        const port = freePort();
        await Deno.mkdir(join(root, name), { recursive: true });
        bays.push(
          await startBay({
            root: join(root, name),
            port,
            configYaml: CONFIG,
            env: {
              BAY_DATABASE_URL: db.url,
              BAY_INSTANCE_ID: name,
              BAY_ADVERTISE_URL: `http://127.0.0.1:${port}`,
              BAY_DATA_DIR: join(root, "shared"),
              BAY_GC_ENABLED: "false",
            },
          }),
        );
      }
      const [a, b] = bays;
      pg = await openPostgres(db.url, { max: 2, closeTimeout: 1 });
      await createKey(pg, ALICE, "alice");
      await createKey(pg, BOB, "bob");
      const store = pg;
      const auth = (key: string) => ({ Authorization: `Bearer ${key}` });

      const seenIds = new Set<string>();
      const seenCargos = new Set<string>();
      let warmClaims = 0;
      const mine: { bay: E2EBay; key: string; sb: SandboxObj }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        await eventually("a ready warm pool member", async () => {
          const [{ n }] = await store.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM sandboxes s JOIN sessions se ON se.id = s.current_session_id
             WHERE s.owner = '#pool' AND s.deleted_at IS NULL AND se.status = 'ready'
               AND s.warmed_at IS NOT NULL`,
          );
          return n >= 1;
        }, 60_000);
        const [ra, rb] = await Promise.all([
          a.api("POST", "/v1/sandboxes", { profile: "pooled" }, auth(ALICE)),
          b.api("POST", "/v1/sandboxes", { profile: "pooled" }, auth(BOB)),
        ]);
        assert.equal(ra.status, 201, ra.text);
        assert.equal(rb.status, 201, rb.text);
        const pair = [
          { bay: a, key: ALICE, owner: "alice", sb: ra.body as SandboxObj },
          { bay: b, key: BOB, owner: "bob", sb: rb.body as SandboxObj },
        ];
        // At most one of the two got the single warm member ("ready" at once); the other is cold.
        const warm = pair.filter((p) => p.sb.status === "ready").length;
        assert.ok(warm <= 1, `round ${round}: ${warm} warm claims from a pool of one`);
        warmClaims += warm;
        assert.notEqual(pair[0].sb.id, pair[1].sb.id, `round ${round}: same sandbox`);
        assert.notEqual(pair[0].sb.cargo_id, pair[1].sb.cargo_id, `round ${round}: same cargo`);
        for (const p of pair) {
          assert.ok(!seenIds.has(p.sb.id), `sandbox ${p.sb.id} handed out twice`);
          assert.ok(!seenCargos.has(p.sb.cargo_id), `cargo ${p.sb.cargo_id} handed out twice`);
          seenIds.add(p.sb.id);
          seenCargos.add(p.sb.cargo_id);
          mine.push(p);
          const [row] = await store.query<{ owner: string; cargo_id: string }>(
            `SELECT owner, cargo_id FROM sandboxes WHERE id = $1`,
            [p.sb.id],
          );
          assert.equal(row.owner, p.owner);
          assert.equal(row.cargo_id, p.sb.cargo_id);
          const [cargo] = await store.query<{ owner: string; managed_by_sandbox_id: string }>(
            `SELECT owner, managed_by_sandbox_id FROM cargos WHERE id = $1`,
            [p.sb.cargo_id],
          );
          assert.equal(cargo.owner, p.owner, "the cargo changed owner with its sandbox");
          assert.equal(cargo.managed_by_sandbox_id, p.sb.id);
          const [{ n }] = await store.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM sandboxes WHERE cargo_id = $1`,
            [p.sb.cargo_id],
          );
          assert.equal(n, 1, "one sandbox per cargo");
        }
        // The other owner cannot see it; each works, in a fresh cargo of its own.
        const cross = await a.api("GET", `/v1/sandboxes/${pair[1].sb.id}`, undefined, auth(ALICE));
        assert.equal(cross.status, 404);
        const outs = await Promise.all(pair.map((p) =>
          p.bay.api(
            "POST",
            `/v1/sandboxes/${p.sb.id}/shell/exec`,
            { command: `echo ${p.owner} > mine.txt; ls` },
            auth(p.key),
          )
        ));
        for (const o of outs) {
          assert.equal(o.status, 200, o.text);
          assert.equal(o.body.output, "mine.txt\n", "a fresh cargo, not shared");
        }
      }
      const [{ claimed }] = await store.query<{ claimed: number }>(
        `SELECT count(*)::int AS claimed FROM sandboxes WHERE owner IN ('alice', 'bob')`,
      );
      assert.equal(claimed, ROUNDS * 2);
      assert.ok(warmClaims >= 1, "the pool was actually raced for");

      for (const p of mine) {
        const d = await p.bay.api("DELETE", `/v1/sandboxes/${p.sb.id}`, undefined, auth(p.key));
        assert.equal(d.status, 204, d.text);
      }
      // Nothing of the deleted sandboxes is live in the store or on disk.
      const [{ live }] = await store.query<{ live: number }>(
        `SELECT count(*)::int AS live FROM sessions se JOIN sandboxes s ON s.id = se.sandbox_id
         WHERE s.owner IN ('alice', 'bob') AND se.status IN ('starting', 'ready')`,
      );
      assert.equal(live, 0, "no live session of a deleted sandbox");
      const [{ cargos }] = await store.query<{ cargos: number }>(
        `SELECT count(*)::int AS cargos FROM cargos WHERE owner IN ('alice', 'bob')
           AND deleted_at IS NULL`,
      );
      assert.equal(cargos, 0, "no live cargo row of a deleted sandbox");
      for (const c of seenCargos) {
        const onDisk = await Deno.stat(join(root, "shared", "cargos", c)).then(
          () => true,
          () => false,
        );
        assert.ok(!onDisk, `cargo ${c} storage removed`);
      }
    } finally {
      await pg?.close().catch(() => {});
      for (const bay of bays) leaked.push(...await bay.stop());
      await Deno.remove(root, { recursive: true }).catch(() => {});
      await db.drop();
    }
    assert.deepEqual(leaked, [], "no sandbox process outlived the Bays");
  },
});
