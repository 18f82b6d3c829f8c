/**
 * `deno task keys <create|list|revoke>`: manage API keys in Bay's store.
 *
 *   keys create --owner alice [--name laptop] [--admin]   prints the new key once
 *   keys list [--owner alice]
 *   keys revoke <key-id>
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { loadConfig } from "./config/load.ts";
import { createKey, generateKey } from "./core/auth.ts";
import { listKeys, revokeKey } from "./store/keys.ts";
import { migrate } from "./store/migrate.ts";
import { openPglite } from "./store/pglite.ts";
import { openPostgres } from "./store/postgres.ts";

const loaded = loadConfig(Deno.env.toObject());
if (!loaded.ok) {
  for (const e of loaded.errors) console.error(`config: ${e}`);
  Deno.exit(2);
}
const config = loaded.config;
const { positionals, values } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: {
    owner: { type: "string" },
    name: { type: "string" },
    admin: { type: "boolean", default: false },
  },
});
const [cmd, arg] = positionals;
const usage =
  "usage: keys create --owner O [--name N] [--admin] | keys list [--owner O] | keys revoke ID";
if (!cmd) {
  console.error(usage);
  Deno.exit(2);
}
await Deno.mkdir(resolve(config.dataDir), { recursive: true, mode: 0o700 });
const db = config.databaseUrl
  ? await openPostgres(config.databaseUrl)
  : await openPglite({ dataDir: join(resolve(config.dataDir), "pgdata") });
let code = 0;
try {
  await migrate(db, new URL("./store/migrations/", import.meta.url));
  if (cmd === "create") {
    const owner = values.owner;
    if (!owner || !/^[A-Za-z0-9._-]{1,64}$/.test(owner)) {
      throw new Error("--owner is required (letters, digits, . _ -)");
    }
    const key = generateKey();
    const id = await createKey(db, key, owner, { name: values.name, isAdmin: values.admin });
    console.log(JSON.stringify({ id, owner, admin: values.admin, key }));
  } else if (cmd === "list") {
    for (const k of await listKeys(db, values.owner)) {
      console.log(JSON.stringify({
        id: k.id,
        owner: k.owner,
        name: k.name,
        prefix: k.prefix,
        admin: k.is_admin,
        created_at: k.created_at.toISOString(),
        revoked_at: k.revoked_at?.toISOString() ?? null,
      }));
    }
  } else if (cmd === "revoke") {
    if (!arg) throw new Error("revoke needs a key id");
    if (!(await revokeKey(db, arg))) throw new Error(`no live key ${arg}`);
    console.log(JSON.stringify({ id: arg, revoked: true }));
  } else {
    throw new Error(usage);
  }
} catch (e) {
  console.error((e as Error).message);
  code = 1;
} finally {
  await db.close();
}
Deno.exit(code);
