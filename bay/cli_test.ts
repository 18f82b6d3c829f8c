import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Authenticator } from "./core/auth.ts";
import { migrate } from "./store/migrate.ts";
import { openPglite } from "./store/pglite.ts";

const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));

async function cli(dataDir: string, ...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", CLI, ...args],
    env: { BAY_DATA_DIR: dataDir },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("keys CLI: create prints a key once, list hides it, revoke disables it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bay-cli-" });
  try {
    const created = await cli(dir, "create", "--owner", "alice", "--name", "laptop");
    assert.equal(created.code, 0, created.stderr);
    const k = JSON.parse(created.stdout);
    assert.equal(k.owner, "alice");
    assert.match(k.key, /^sk-bay-[A-Za-z0-9_-]{43}$/);
    const listed = await cli(dir, "list", "--owner", "alice");
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(k.key), "the secret is never listed");
    const row = JSON.parse(listed.stdout.trim().split("\n")[0]);
    assert.equal(row.id, k.id);
    assert.equal(row.revoked_at, null);

    const check = async () => {
      const db = await openPglite({ dataDir: join(dir, "pgdata") });
      try {
        await migrate(db, new URL("./store/migrations/", import.meta.url));
        return await new Authenticator(db, { cacheTtlMs: 0 }).verify(k.key);
      } finally {
        await db.close();
      }
    };
    assert.deepEqual(await check(), { owner: "alice", isAdmin: false });
    const revoked = await cli(dir, "revoke", k.id);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(await check(), null, "a revoked key no longer authenticates");
    const again = await cli(dir, "revoke", k.id);
    assert.equal(again.code, 1);
    const bad = await cli(dir, "create", "--owner", "#pool");
    assert.equal(bad.code, 1, "owners outside [A-Za-z0-9._-] are refused");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
