import assert from "node:assert/strict";
import { testBay } from "../testing.ts";
import { createKey } from "./auth.ts";
import { POOL_OWNER } from "./warm_pool.ts";

const yaml = `
warmPoolCheckMs: 200
profiles:
  - id: python-default
    warmPoolSize: 2
    capabilities: [shell, filesystem]
`;

async function readyPool(t: Awaited<ReturnType<typeof testBay>>): Promise<number> {
  const [{ n }] = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sandboxes s JOIN sessions se ON se.id = s.current_session_id
     WHERE s.owner = $1 AND s.deleted_at IS NULL AND se.status = 'ready'
       AND s.warmed_at IS NOT NULL`,
    [POOL_OWNER],
  );
  return n;
}

async function until(cond: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

Deno.test("warm pool: fills, serves claims ready, refills, stays invisible", async () => {
  const t = await testBay({ ships: true, configYaml: yaml });
  try {
    await until(async () => (await readyPool(t)) === 2);
    const list0 = await (await t.request("GET", "/v1/sandboxes")).json();
    assert.deepEqual(list0.items, [], "pool members are not listed");

    const r = await t.request("POST", "/v1/sandboxes", { body: { ttl: 120 } });
    assert.equal(r.status, 201);
    const sb = await r.json();
    assert.equal(sb.status, "ready", "a claimed sandbox reports its real status");
    assert.ok(Date.parse(sb.expires_at) > Date.now() + 100_000, "TTL bound at claim time");
    const ex = await (await t.request("POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
      body: { command: "echo warm" },
    })).json();
    assert.equal(ex.output, "warm\n");
    const cargo = await (await t.request("GET", `/v1/cargos/${sb.cargo_id}`)).json();
    assert.equal(cargo.managed_by_sandbox_id, sb.id, "the claimed cargo belongs to the caller");
    assert.equal(t.bay.services.pool.stats.claims, 1);

    await until(async () => (await readyPool(t)) === 2);
    const cold = await (await t.request("POST", "/v1/cargos", { body: {} })).json();
    const withCargo = await (await t.request("POST", "/v1/sandboxes", {
      body: { cargo_id: cold.id },
    })).json();
    assert.equal(withCargo.status, "idle", "with a cargo the start is cold");
  } finally {
    await t.close();
  }
});

Deno.test("warm pool: concurrent claims by two owners never share a sandbox", async () => {
  const t = await testBay({ ships: true, configYaml: yaml });
  try {
    const bob = "bob-key-0123456789abcdef";
    await createKey(t.db, bob, "bob");
    await until(async () => (await readyPool(t)) === 2);
    const [a, b] = await Promise.all([
      t.request("POST", "/v1/sandboxes", { body: {} }).then((r) => r.json()),
      t.request("POST", "/v1/sandboxes", { body: {}, key: bob }).then((r) => r.json()),
    ]);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.cargo_id, b.cargo_id);
    assert.equal((await t.request("GET", `/v1/sandboxes/${a.id}`, { key: bob })).status, 404);
    assert.equal((await t.request("GET", `/v1/sandboxes/${b.id}`)).status, 404);
    assert.equal((await t.request("GET", `/v1/sandboxes/${b.id}`, { key: bob })).status, 200);
  } finally {
    await t.close();
  }
});

Deno.test("warm pool: a member is claimed only once its warm-up finished", async () => {
  const t = await testBay({ ships: true, configYaml: yaml });
  try {
    await until(async () => (await readyPool(t)) === 2);
    t.bay.services.pool.stop(); // no refill while the members look half-warm
    // As if both members' kernels were still starting: attached ships, warm-up not done.
    await t.db.query(`UPDATE sandboxes SET warmed_at = NULL WHERE owner = $1`, [POOL_OWNER]);
    const cold = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    assert.equal(cold.status, "idle", "not claimed: started cold instead");
    assert.equal(t.bay.services.pool.stats.misses, 1);
    const metrics = await (await t.request("GET", "/metrics")).text();
    assert.doesNotMatch(metrics, /bay_warm_pool_size\{profile="python-default"\} [1-9]/);

    await t.db.query(`UPDATE sandboxes SET warmed_at = now() WHERE owner = $1`, [POOL_OWNER]);
    const warm = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    assert.equal(warm.status, "ready", "claimed once warm");
    assert.equal(t.bay.services.pool.stats.claims, 1);
  } finally {
    await t.close();
  }
});

Deno.test("warm pool: a stopping replica deletes the members it holds, runtimes and cargos", async () => {
  const t = await testBay({ ships: true, configYaml: yaml });
  try {
    await until(async () => (await readyPool(t)) === 2);
    const user = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    await until(async () => (await readyPool(t)) === 2);
    const pool = t.bay.services.pool;
    pool.stop();
    await pool.settle();
    assert.equal(await pool.drain(), 2);
    const [{ n }] = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sandboxes WHERE owner = $1 AND deleted_at IS NULL`,
      [POOL_OWNER],
    );
    assert.equal(n, 0, "no pool member left in the store");
    const running = [...t.driver.runtimes.values()].filter((r) => r.state === "running");
    assert.equal(running.length, 1, "only the claimed (user) sandbox's runtime still runs");
    assert.equal(t.driver.cargos.size, 1, "only the user's cargo is left");
    assert.equal((await t.request("GET", `/v1/sandboxes/${user.id}`)).status, 200);
  } finally {
    await t.close();
  }
});
