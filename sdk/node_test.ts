/**
 * The SDK on Node 20+: bundle `mod.ts` with `deno bundle`, start a real Bay
 * subprocess (local driver), and run `node node_smoke.mjs` against it.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { FULL_ACCESS, spawnBay } from "./_test_bay.ts";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" }).output();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test({
  name: "node: the bundled SDK runs create, python, shell, files, delete on Node",
  ignore: !FULL_ACCESS,
  fn: async () => {
    const node = await run("node", ["--version"]);
    const major = Number(/^v(\d+)/.exec(node.stdout)?.[1]);
    assert.ok(major >= 20, `node ${node.stdout.trim()} is older than 20`);
    const dir = await Deno.makeTempDir({ prefix: "sdk-node-" });
    const bundle = `${dir}/sdk.mjs`;
    const bay = await spawnBay();
    try {
      const b = await run(Deno.execPath(), [
        "bundle",
        "--platform",
        "browser",
        "--format",
        "esm",
        "-o",
        bundle,
        here("./mod.ts"),
      ]);
      assert.equal(b.code, 0, `deno bundle failed:\n${b.stderr}`);
      const js = await Deno.readTextFile(bundle);
      assert.doesNotMatch(js, /\bDeno\.(?!env\b|permissions\b)/, "no Deno-only APIs in the bundle");
      const r = await run("node", [here("./node_smoke.mjs")], {
        SDK_BUNDLE: bundle,
        BAY_ENDPOINT: bay.url,
        BAY_API_KEY: bay.apiKey,
      });
      assert.equal(r.code, 0, `node failed:\n${r.stdout}\n${r.stderr}\n--- Bay ---\n${bay.log()}`);
      const result = JSON.parse(r.stdout.trim().split("\n").pop()!);
      console.log(`node ${result.node}: ${result.steps.join(", ")}`);
      assert.deepEqual(result.steps, [
        "python",
        "shell-stream",
        "files",
        "upload-download",
        "errors",
        "delete",
      ]);
    } finally {
      await bay.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
