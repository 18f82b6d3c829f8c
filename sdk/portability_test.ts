/**
 * The SDK's own modules (everything `mod.ts` reaches) use Web APIs only, so
 * the same code runs on Deno, Node 20+ and browsers, and build every request
 * from the route table that `openapi_test.ts` checks.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { bayTest } from "./_test_bay.ts";

const MOD = fileURLToPath(new URL("./mod.ts", import.meta.url));
const SDK_DIR = new URL(".", import.meta.url).href;

/** APIs missing from Node 20 or specific to one runtime, by pattern. */
const FORBIDDEN: [RegExp, string][] = [
  [/\bDeno\./, "Deno namespace"],
  [/\bBuffer\b/, "Node Buffer"],
  [/\brequire\(/, "CommonJS require"],
  [/\bwithResolvers\b/, "Promise.withResolvers (Node 22+)"],
  [/\bfromAsync\b/, "Array.fromAsync (Node 22+)"],
  [/\bIterator\.from\b/, "Iterator helpers (Node 22+)"],
  [/\bprocess\./, "process global"],
];

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1");
}

bayTest("portability: mod.ts reaches only SDK files, Web APIs, and the route table", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", MOD],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules: string[] = info.modules.map((m: { specifier: string }) => m.specifier);
  const foreign = modules.filter((s) =>
    !s.startsWith(SDK_DIR) || s.slice(SDK_DIR.length).includes("/")
  );
  assert.deepEqual(foreign, [], "mod.ts must import nothing outside sdk/ (no npm:, node:, jsr:)");
  assert.ok(modules.length > 15);

  const problems: string[] = [];
  for (const spec of modules) {
    const name = spec.slice(SDK_DIR.length);
    const code = stripComments(await Deno.readTextFile(new URL(spec)));
    for (const [re, what] of FORBIDDEN) {
      if (name === "_env.ts" && (what === "Deno namespace" || what === "process global")) continue;
      if (re.test(code)) problems.push(`${name}: ${what}`);
    }
    if (name !== "_routes.ts" && /["'`]\/v1\//.test(code)) {
      problems.push(`${name}: a /v1 path outside _routes.ts`);
    }
    if (/\bfetch\(/.test(code) && !["client.ts", "_http.ts"].includes(name)) {
      problems.push(`${name}: fetch() outside the transport`);
    }
  }
  assert.deepEqual(problems, []);
});
