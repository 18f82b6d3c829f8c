import assert from "node:assert/strict";
import { TOOL_NAMES } from "./mod.ts";
import { json, text, withMcp } from "./_test_mcp.ts";

const ALL = Object.values(TOOL_NAMES).flat() as string[];

/** The 25 non-browser tools of the original Shipyard Neo MCP server. */
const ORIGINAL = [
  "create_sandbox",
  "delete_sandbox",
  "list_profiles",
  "execute_python",
  "execute_shell",
  "read_file",
  "write_file",
  "list_files",
  "delete_file",
  "upload_file",
  "download_file",
  "get_execution_history",
  "get_execution",
  "get_last_execution",
  "annotate_execution",
  "create_skill_payload",
  "get_skill_payload",
  "create_skill_candidate",
  "evaluate_skill_candidate",
  "promote_skill_candidate",
  "list_skill_candidates",
  "list_skill_releases",
  "delete_skill_release",
  "delete_skill_candidate",
  "rollback_skill_release",
];

Deno.test("tools/list: every tool, described, with described inputs", async () => {
  await withMcp({}, async ({ client }) => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    assert.deepEqual(names, [...ALL].sort());
    for (const n of ORIGINAL) assert.ok(names.includes(n), `missing original tool ${n}`);
    for (const t of tools) {
      assert.ok(t.description && t.description.length > 20, `${t.name} has a description`);
      const props = (t.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
      for (const [k, v] of Object.entries(props)) {
        assert.ok(v.description, `${t.name}.${k} has a description`);
      }
    }
    const py = tools.find((t) => t.name === "execute_python")!;
    assert.deepEqual(py.inputSchema.required?.sort(), ["code", "sandbox_id"]);
  });
});

Deno.test("sandbox tools: create, get, list, extend, keepalive, profiles, stop, delete", async () => {
  await withMcp({}, async ({ call }) => {
    const profiles = json(await call("list_profiles"));
    assert.ok(profiles.some((p: { id: string }) => p.id === "python-default"));

    const sb = json(await call("create_sandbox", { ttl: 600 }));
    assert.match(sb.id, /^sandbox-[0-9a-f]{12}$/);
    assert.equal(sb.profile, "python-default");
    assert.ok(sb.expires_at);

    const got = json(await call("get_sandbox", { sandbox_id: sb.id }));
    assert.equal(got.id, sb.id);
    const page = json(await call("list_sandboxes", {}));
    assert.ok(page.items.some((s: { id: string }) => s.id === sb.id));

    const extended = json(await call("extend_sandbox_ttl", { sandbox_id: sb.id, extend_by: 600 }));
    assert.ok(Date.parse(extended.expires_at) > Date.parse(sb.expires_at));
    assert.deepEqual(json(await call("keepalive_sandbox", { sandbox_id: sb.id })), {
      status: "ok",
    });
    assert.deepEqual(json(await call("stop_sandbox", { sandbox_id: sb.id })), {
      status: "stopped",
    });

    const forever = json(await call("create_sandbox", { ttl: 0 }));
    assert.equal(forever.expires_at, null);
    const infinite = await call("extend_sandbox_ttl", { sandbox_id: forever.id, extend_by: 5 });
    assert.equal(infinite.isError, true);
    assert.match(text(infinite), /sandbox_ttl_infinite/);

    assert.equal(json(await call("delete_sandbox", { sandbox_id: sb.id })).status, "deleted");
    const gone = await call("get_sandbox", { sandbox_id: sb.id });
    assert.equal(gone.isError, true);
    assert.match(text(gone), /error \[not_found\] \(HTTP 404\)/);
  });
});

Deno.test("exec tools: shell and python, state kept, failures reported", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const sh = await call("execute_shell", {
      sandbox_id: id,
      command: "echo hello; echo oops >&2",
      include_code: true,
    });
    assert.equal(sh.isError, undefined);
    assert.match(text(sh), /^success \(exit_code 0\)\nexecution_id: exec-[0-9a-f]{12}/);
    assert.match(text(sh), /--- stdout ---\nhello\n/);
    assert.match(text(sh), /--- stderr ---\noops/);
    assert.match(text(sh), /--- command ---\necho hello/);

    const failed = await call("execute_shell", { sandbox_id: id, command: "echo no; exit 3" });
    assert.match(text(failed), /^FAILED \(exit_code 3\)/);

    await call("execute_python", { sandbox_id: id, code: "x = 20" });
    const py = await call("execute_python", { sandbox_id: id, code: "print(x * 2 + 2)" });
    assert.match(text(py), /^success\n/);
    assert.match(text(py), /--- output ---\n42\n/);
    const raised = await call("execute_python", { sandbox_id: id, code: "1/0" });
    assert.match(text(raised), /^FAILED/);
    assert.match(text(raised), /ZeroDivisionError/);
  });
});

Deno.test("execute_python: a matplotlib plot comes back as PNG image content", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const r = await call("execute_python", {
      sandbox_id: id,
      code: "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()",
      timeout: 120,
    });
    assert.ok(!r.isError, text(r));
    const images = r.content.filter((c) => c.type === "image");
    assert.equal(images.length, 1, text(r));
    const img = images[0] as { type: "image"; data: string; mimeType: string };
    assert.equal(img.mimeType, "image/png");
    const bytes = Uint8Array.fromBase64(img.data);
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  });
});

Deno.test("output is bounded with a truncation marker; the tail of exec output is kept", async () => {
  await withMcp({ limits: { maxOutputBytes: 2048 } }, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const r = await call("execute_python", {
      sandbox_id: id,
      code: "print('A' * 20000)\nprint('THE-END')",
    });
    const t = text(r);
    assert.ok(new TextEncoder().encode(t).length <= 2048, `${t.length} bytes`);
    assert.match(
      t,
      /\[\.\.\. output truncated: \d+ of \d+ bytes omitted \(limit 2048 bytes\) \.\.\.\]/,
    );
    assert.match(t, /^success/);
    assert.match(t, /THE-END/);

    await call("write_file", { sandbox_id: id, path: "big.txt", content: "é".repeat(5000) });
    const read = text(await call("read_file", { sandbox_id: id, path: "big.txt" }));
    assert.ok(new TextEncoder().encode(read).length <= 2048);
    assert.match(read, /^é+\n\[\.\.\. output truncated/);
  });
});

Deno.test("errors are tool errors with Bay's code: missing sandbox, missing file, bad path", async () => {
  await withMcp({}, async ({ call }) => {
    const missing = await call("execute_shell", {
      sandbox_id: "sandbox-000000000000",
      command: "echo hi",
    });
    assert.equal(missing.isError, true);
    assert.match(text(missing), /^error \[not_found\] \(HTTP 404\): /);
    assert.match(text(missing), /request_id: /);

    const { id } = json(await call("create_sandbox", {}));
    const nofile = await call("read_file", { sandbox_id: id, path: "nope.txt" });
    assert.equal(nofile.isError, true);
    assert.match(text(nofile), /error \[file_not_found\]/);

    const bad = await call("read_file", { sandbox_id: id, path: "../etc/passwd" });
    assert.equal(bad.isError, true);
    assert.match(text(bad), /error \[invalid_path\] \(HTTP 400\)/);
    assert.match(text(bad), /path_traversal/);

    const invalid = await call("execute_shell", { sandbox_id: id });
    assert.equal(invalid.isError, true, "schema validation failure is a tool error");
    assert.match(text(invalid), /command/);
  });
});
