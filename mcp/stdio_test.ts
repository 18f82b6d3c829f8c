import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-types="@modelcontextprotocol/sdk/client/stdio"
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { TOOL_NAMES } from "./mod.ts";
import { type CallToolResult, Client, json, TEST_KEY, text, withServedBay } from "./_test_mcp.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

Deno.test("stdio: `deno run mcp/main.ts` serves the tools against a Bay on a port", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcp-stdio-" });
  try {
    await withServedBay(async (url) => {
      const transport = new StdioClientTransport({
        command: Deno.execPath(),
        args: ["run", "-A", "--frozen", "--unstable-no-legacy-abort", MAIN],
        env: {
          BAY_ENDPOINT: url,
          BAY_API_KEY: TEST_KEY,
          MCP_MAX_OUTPUT_BYTES: "4096",
          NO_COLOR: "1",
          ...(Deno.env.get("DENO_DIR") ? { DENO_DIR: Deno.env.get("DENO_DIR")! } : {}),
        },
        stderr: "pipe",
      });
      const client = new Client({ name: "stdio-test", version: "0" });
      await client.connect(transport);
      try {
        assert.equal(client.getServerVersion()?.name, "shipyard-neo");
        const { tools } = await client.listTools();
        assert.equal(tools.length, Object.values(TOOL_NAMES).flat().length);
        const call = async (name: string, args: Record<string, unknown>) =>
          (await client.callTool({ name, arguments: args })) as CallToolResult;

        const { id } = json(await call("create_sandbox", {}));
        const r = await call("execute_shell", { sandbox_id: id, command: "echo via-stdio" });
        assert.match(text(r), /--- stdout ---\nvia-stdio\n/);

        const big = text(await call("execute_shell", { sandbox_id: id, command: "seq 1 5000" }));
        assert.ok(new TextEncoder().encode(big).length <= 4096, "MCP_MAX_OUTPUT_BYTES applies");
        assert.match(big, /output truncated/);

        await Deno.writeTextFile(join(dir, "local.txt"), "from disk");
        const up = json(
          await call("upload_file", {
            sandbox_id: id,
            local_path: join(dir, "local.txt"),
            sandbox_path: "up/local.txt",
          }),
        );
        assert.equal(up.size, 9);
        await call("download_file", {
          sandbox_id: id,
          sandbox_path: "up/local.txt",
          local_path: join(dir, "back.txt"),
        });
        assert.equal(await Deno.readTextFile(join(dir, "back.txt")), "from disk");

        const missing = await call("delete_file", { sandbox_id: id, path: "nope" });
        assert.equal(missing.isError, true);
        assert.match(text(missing), /error \[file_not_found\]/);
        assert.equal(json(await call("delete_sandbox", { sandbox_id: id })).status, "deleted");
      } finally {
        await client.close();
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stdio: a wrong key surfaces as an unauthorized tool error", async () => {
  await withServedBay(async (url) => {
    const transport = new StdioClientTransport({
      command: Deno.execPath(),
      args: ["run", "-A", "--frozen", "--unstable-no-legacy-abort", MAIN],
      env: { BAY_ENDPOINT: url, BAY_API_KEY: "wrong-key-0000000000000", NO_COLOR: "1" },
      stderr: "pipe",
    });
    const client = new Client({ name: "stdio-test", version: "0" });
    await client.connect(transport);
    try {
      const r =
        (await client.callTool({ name: "list_sandboxes", arguments: {} })) as CallToolResult;
      assert.equal(r.isError, true);
      assert.match(text(r), /error \[unauthorized\] \(HTTP 401\)/);
    } finally {
      await client.close();
    }
  });
});
