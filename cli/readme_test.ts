/**
 * The README's "TypeScript SDK in 10 lines" example, run as printed against
 * a real Bay with BAY_ENDPOINT and BAY_API_KEY set.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { API_KEY, startBay } from "../tests/e2e/_bay.ts";
import { deno, ROOT } from "./_test_util.ts";

/** The first fenced block of `lang` after the heading `title`. */
function codeBlock(markdown: string, title: string, lang: string): string {
  const at = markdown.indexOf(`\n## ${title}\n`);
  assert.ok(at >= 0, `README has no '## ${title}' section`);
  const m = markdown.slice(at).match(new RegExp("```" + lang + "\\n([\\s\\S]*?)```"));
  assert.ok(m, `no ${lang} block under '${title}'`);
  return m[1];
}

Deno.test("README: the TypeScript SDK example runs as printed", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const code = codeBlock(readme, "TypeScript SDK in 10 lines", "ts");
  assert.ok(code.trim().split("\n").length <= 12, "the example grew past 10 lines");
  const dir = await Deno.makeTempDir({ prefix: "bay-readme-" });
  const server = await startBay();
  try {
    const file = join(dir, "example.ts");
    await Deno.writeTextFile(file, code);
    const r = await deno(
      ["run", "-A", "--frozen", "--config", join(ROOT, "deno.json"), file],
      { BAY_ENDPOINT: server.url, BAY_API_KEY: API_KEY },
      { cwd: dir },
    );
    assert.equal(r.code, 0, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], "42");
    assert.match(lines[1], /^Linux /);
    assert.equal(lines[2], "hi");
    const left = await server.api("GET", "/v1/sandboxes");
    assert.deepEqual(left.body.items, [], "the example deletes its sandbox");
  } finally {
    assert.deepEqual(await server.stop(), []);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("README: shows an MCP client configuration using mcp/main.ts", async () => {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const json = JSON.parse(codeBlock(readme, "CLI", "json"));
  const server = json.mcpServers["shipyard-neo"];
  assert.equal(server.command, "deno");
  assert.ok(server.args.some((a: string) => a.endsWith("mcp/main.ts")));
  assert.ok(readme.includes("deno task mcp"));
});
