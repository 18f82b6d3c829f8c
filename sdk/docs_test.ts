/**
 * Every export of every SDK source file documents an `@example` (the
 * examples themselves are type-checked and run by `deno test --doc sdk/`).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { bayTest } from "./_test_bay.ts";

const dir = fileURLToPath(new URL(".", import.meta.url));

interface DocNode {
  symbols: {
    name: string;
    declarations: {
      kind: string;
      declarationKind: string;
      location: { filename: string };
      jsDoc?: { tags?: { kind: string }[] };
    }[];
  }[];
}

bayTest("docs: every exported symbol has an @example", async () => {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
      files.push(`${dir}${e.name}`);
    }
  }
  assert.ok(files.length > 10);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", ...files.sort()],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const doc: { nodes: Record<string, DocNode> } = JSON.parse(new TextDecoder().decode(out.stdout));
  const missing: string[] = [];
  let checked = 0;
  for (const [file, node] of Object.entries(doc.nodes)) {
    for (const sym of node.symbols) {
      for (const d of sym.declarations) {
        if (d.declarationKind !== "export" || d.kind === "reference") continue;
        if (d.location.filename !== file) continue; // re-exported: checked where declared
        checked++;
        if (!d.jsDoc?.tags?.some((t) => t.kind === "example")) {
          missing.push(`${file.split("/").pop()}: ${sym.name} (${d.kind})`);
        }
      }
    }
  }
  assert.deepEqual(missing, [], "exports without an @example");
  assert.ok(checked > 80, `checked ${checked} exports`);
});
