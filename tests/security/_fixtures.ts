/**
 * Shared helpers of the security suites: owners with their own keys, table
 * counts (every table of the schema, so new tables are covered), file-tree
 * snapshots for canaries, the route list from `/openapi.json` with sample
 * bodies generated from its schemas, and latency percentiles.
 *
 * @module
 */
import assert from "node:assert/strict";
import { createKey, generateKey } from "../../bay/core/auth.ts";
import type { Db } from "../../bay/store/db.ts";

/** A non-admin key for `owner`. */
export async function ownerKey(db: Db, owner: string): Promise<string> {
  const key = generateKey();
  await createKey(db, key, owner);
  return key;
}

/** Row count of every table in the public schema, by table name. */
export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const tables = await db.query<{ t: string }>(
    `SELECT table_name AS t FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const out: Record<string, number> = {};
  for (const { t } of tables) {
    out[t] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${t}"`))[0].n;
  }
  return out;
}

/** Every entry below `root` (not following links): type, size, mtime, content or link target. */
export async function snapshotTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, rel: string) => {
    const names: string[] = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    names.sort();
    for (const name of names) {
      const full = `${dir}/${name}`;
      const r = rel ? `${rel}/${name}` : name;
      const st = await Deno.lstat(full);
      const m = st.mtime?.getTime();
      if (st.isSymlink) out[r] = `link -> ${await Deno.readLink(full)}`;
      else if (st.isDirectory) {
        out[r] = `dir mtime=${m} mode=${st.mode}`;
        await walk(full, r);
      } else if (!st.isFile) {
        out[r] = `special mtime=${m} mode=${st.mode} ino=${st.ino}`; // socket, fifo: never opened
      } else {
        const data = st.size <= 1 << 20 ? await Deno.readFile(full) : new Uint8Array();
        const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", data)).toHex();
        out[r] = `file size=${st.size} mtime=${m} mode=${st.mode} ino=${st.ino} sha=${hash}`;
      }
    }
  };
  await walk(root, "");
  return out;
}

/** A canary directory on the host: a secret file and a subdirectory. */
export interface Canary {
  dir: string;
  /** Text of `secret.txt`; must never appear in any response. */
  secret: string;
  snapshot(): Promise<Record<string, string>>;
  /** Assert nothing below the canary changed since it was made. */
  assertIntact(what: string): Promise<void>;
  remove(): Promise<void>;
}

/** Make a canary directory under the host's /tmp. */
export async function makeCanary(prefix = "sec-canary-"): Promise<Canary> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix }));
  const secret = `canary-secret-${crypto.randomUUID()}`;
  await Deno.writeTextFile(`${dir}/secret.txt`, secret);
  await Deno.mkdir(`${dir}/sub`);
  await Deno.writeTextFile(`${dir}/sub/inner.txt`, secret);
  const before = await snapshotTree(dir);
  return {
    dir,
    secret,
    snapshot: () => snapshotTree(dir),
    async assertIntact(what) {
      assert.deepEqual(await snapshotTree(dir), before, `canary ${dir} changed: ${what}`);
    },
    remove: () => Deno.remove(dir, { recursive: true }).catch(() => {}),
  };
}

/** One operation of the OpenAPI document. */
export interface Route {
  method: string;
  /** Template, e.g. `/v1/sandboxes/{id}/history/{execution_id}`. */
  path: string;
  pathParams: string[];
  /** Required query parameters with a sample value. */
  query: Record<string, string>;
  /** Sample JSON body built from the schema (required properties only), if any. */
  body: unknown;
  multipart: boolean;
}

// deno-lint-ignore no-explicit-any
type Schema = any;

/**
 * A minimal valid-looking value for a JSON schema (required properties only).
 * A string property's sample is its own name, so two of them never collide.
 */
export function sample(schema: Schema, doc: Schema, depth = 0, key?: string): unknown {
  if (!schema || depth > 8) return null;
  if (schema.$ref) {
    const name = String(schema.$ref).split("/").pop()!;
    return sample(doc.components?.schemas?.[name], doc, depth + 1, key);
  }
  for (const k of ["anyOf", "oneOf", "allOf"]) {
    if (Array.isArray(schema[k])) {
      const pick = schema[k].find((s: Schema) => s.type !== "null") ?? schema[k][0];
      return sample(pick, doc, depth + 1, key);
    }
  }
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const type = Array.isArray(schema.type)
    ? schema.type.find((t: string) => t !== "null")
    : schema.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const k of schema.required ?? []) {
        out[k] = sample(schema.properties?.[k], doc, depth + 1, k);
      }
      return out;
    }
    case "array":
      return [sample(schema.items, doc, depth + 1)].slice(0, schema.minItems ? 1 : 1);
    case "integer":
    case "number":
      return Math.max(1, schema.minimum ?? 1, schema.exclusiveMinimum ?? 0);
    case "boolean":
      return true;
    case "string":
      return key ?? "x";
    default:
      return {};
  }
}

/** Every operation of `/openapi.json`. */
export function routesOf(doc: Schema): Route[] {
  const out: Route[] = [];
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Schema>)) {
    for (const [method, op] of Object.entries(ops as Record<string, Schema>)) {
      const params = (op.parameters ?? []) as Schema[];
      const query: Record<string, string> = {};
      for (const p of params) {
        if (p.in === "query" && p.required) query[p.name] = String(sample(p.schema, doc));
      }
      const content = op.requestBody?.content ?? {};
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === "path").map((p) => p.name as string),
        query,
        body: content["application/json"]
          ? sample(content["application/json"].schema, doc)
          : undefined,
        multipart: !!content["multipart/form-data"],
      });
    }
  }
  return out;
}

/** The `q` quantile (0..1) of `xs`. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
}

/** Sleep `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
