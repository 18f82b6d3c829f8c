/**
 * The SDK against Bay's own `/openapi.json`: every route the SDK calls must
 * exist with its method, every operation of the document must be reachable
 * from the SDK, and every mirrored response type must list exactly the
 * document's fields with the same kinds, nullability, enums and required set.
 */
import assert from "node:assert/strict";
import { ROUTES } from "./_routes.ts";
import type { SpecTarget } from "./_spec_type.ts";
import { SPECS } from "./_specs.ts";
import { bayTest, bayTesting } from "./_test_bay.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Operations of the document the SDK deliberately does not wrap (none today). */
const NOT_WRAPPED: string[] = [];

async function openapi(): Promise<Json> {
  const { testBay } = await bayTesting();
  const t = await testBay({ ships: false });
  try {
    const res = await t.bay.app.request("/openapi.json");
    assert.equal(res.status, 200);
    return await res.json();
  } finally {
    await t.close();
  }
}

function deref(doc: Json, schema: Json): Json {
  if (schema?.$ref) return deref(doc, doc.components.schemas[schema.$ref.split("/").pop()]);
  if (schema?.allOf) {
    const parts = schema.allOf.map((s: Json) => deref(doc, s));
    return {
      type: "object",
      properties: Object.assign({}, ...parts.map((p: Json) => p.properties ?? {})),
      required: parts.flatMap((p: Json) => p.required ?? []),
    };
  }
  return schema;
}

function locate(doc: Json, at: SpecTarget): Json {
  let s: Json;
  if ("component" in at) {
    s = doc.components.schemas[at.component];
    assert.ok(s, `component ${at.component} is missing from /openapi.json`);
  } else {
    const [method, path] = at.route;
    const op = doc.paths[path]?.[method.toLowerCase()];
    assert.ok(op, `${method} ${path} is missing from /openapi.json`);
    const ok = op.responses["200"] ?? op.responses["201"];
    s = ok?.content?.["application/json"]?.schema;
    assert.ok(s, `${method} ${path} documents no JSON answer`);
  }
  s = deref(doc, s);
  for (const step of at.path ?? []) {
    s = deref(doc, step === "items" ? s.items : s.properties?.[step]);
    assert.ok(s, `no '${step}' in ${JSON.stringify(at)}`);
  }
  return s;
}

function kindOf(schema: Json): { types: string[]; enum?: string[] } {
  const types = schema.type === undefined ? [] : [schema.type].flat();
  return { types, enum: schema.enum };
}

/** Differences between a mirror and its document schema (empty when they agree). */
function compare(name: string, spec: Record<string, Json>, schema: Json): string[] {
  const out: string[] = [];
  const props: Record<string, Json> = schema.properties ?? {};
  const required = new Set<string>(schema.required ?? []);
  for (const k of Object.keys(props)) {
    if (!(k in spec)) out.push(`${name}.${k}: in the document, not in the SDK`);
  }
  for (const [k, want] of Object.entries(spec)) {
    const p = props[k];
    if (!p) {
      out.push(`${name}.${k}: in the SDK, not in the document`);
      continue;
    }
    if (want === "any") continue;
    if (!required.has(k)) out.push(`${name}.${k}: required in the SDK, optional in the document`);
    const { types, enum: values } = kindOf(p);
    const nullable = typeof want === "string" ? want.endsWith("|null") : want.nullable === true;
    if (types.includes("null") !== nullable) {
      out.push(
        `${name}.${k}: nullable ${nullable} in the SDK, type ${
          JSON.stringify(p.type)
        } in the document`,
      );
    }
    const base = types.filter((t) => t !== "null");
    if (typeof want === "string") {
      const w = want.replace("|null", "");
      if (base.length !== 1 || base[0] !== w) {
        out.push(`${name}.${k}: '${w}' in the SDK, ${JSON.stringify(p.type)} in the document`);
      }
    } else {
      const a = [...want.enum].sort().join("|");
      const b = [...(values ?? [])].filter((v) => v !== null).sort().join("|");
      if (a !== b) out.push(`${name}.${k}: enum ${a} in the SDK, ${b || "none"} in the document`);
    }
  }
  return out;
}

bayTest("openapi: the SDK's routes and response types match Bay's /openapi.json", async (t) => {
  const doc = await openapi();

  await t.step("every SDK route exists in the document with its method", () => {
    const missing = Object.entries(ROUTES)
      .filter(([, [m, p]]) => !doc.paths[p]?.[m.toLowerCase()])
      .map(([name, [m, p]]) => `${name}: ${m} ${p}`);
    assert.deepEqual(missing, [], "SDK routes missing from /openapi.json");
  });

  await t.step("every operation of the document is wrapped by the SDK", () => {
    const sdk = new Set(Object.values(ROUTES).map(([m, p]) => `${m} ${p}`));
    const unwrapped: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const method of Object.keys(ops)) {
        const op = `${method.toUpperCase()} ${path}`;
        if (!sdk.has(op) && !NOT_WRAPPED.includes(op)) unwrapped.push(op);
      }
    }
    assert.deepEqual(unwrapped, [], "operations the SDK does not offer");
  });

  await t.step("response types mirror the document's schemas", () => {
    const diffs = SPECS.flatMap((s) => compare(s.name, s.spec, locate(doc, s.at)));
    assert.deepEqual(diffs, []);
  });

  await t.step("the comparison catches drift", () => {
    const sandbox = locate(doc, { component: "Sandbox" });
    const spec = SPECS.find((s) => s.name === "Sandbox")!.spec;
    assert.deepEqual(compare("Sandbox", spec, sandbox), []);
    const renamed = { ...spec, cargo: spec.cargo_id };
    delete (renamed as Record<string, unknown>).cargo_id;
    assert.equal(compare("Sandbox", renamed, sandbox).length, 2);
    assert.equal(compare("Sandbox", { ...spec, expires_at: "string" }, sandbox).length, 1);
    assert.equal(compare("Sandbox", { ...spec, status: { enum: ["ready"] } }, sandbox).length, 1);
    const optional = { ...sandbox, required: sandbox.required.filter((k: string) => k !== "id") };
    assert.equal(compare("Sandbox", spec, optional).length, 1);
  });
});
