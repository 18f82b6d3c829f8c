import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { testBay } from "@shipyard/bay/testing";
import { TOOL_NAMES } from "./mod.ts";
import {
  type CallToolResult,
  Client,
  closeBay,
  json,
  TEST_KEY,
  text,
  withServedBay,
} from "./_test_mcp.ts";

const ACCEPT = "application/json, text/event-stream";

/** The JSON-RPC messages of an SSE (or plain JSON) answer. */
// deno-lint-ignore no-explicit-any
async function messages(res: Response): Promise<any[]> {
  const body = await res.text();
  if (res.headers.get("Content-Type")?.startsWith("application/json")) return [JSON.parse(body)];
  return body.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
}

Deno.test("HTTP /mcp: Streamable HTTP client lists and calls tools as the key's owner", async () => {
  await withServedBay(async (url, t) => {
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${TEST_KEY}` } },
    });
    const client = new Client({ name: "http-test", version: "0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      assert.deepEqual(
        tools.map((x) => x.name).sort(),
        (Object.values(TOOL_NAMES).flat() as string[]).sort(),
      );
      const call = async (name: string, args: Record<string, unknown>) =>
        (await client.callTool({ name, arguments: args })) as CallToolResult;
      const { id } = json(await call("create_sandbox", {}));
      const listed = await t.request("GET", `/v1/sandboxes/${id}`);
      assert.equal(listed.status, 200, "the sandbox belongs to the key's owner");
      await listed.body?.cancel();

      const py = await call("execute_python", { sandbox_id: id, code: "print(6 * 7)" });
      assert.match(text(py), /--- output ---\n42\n/);
      const sh = await call("execute_shell", { sandbox_id: id, command: "echo over-http" });
      assert.match(text(sh), /over-http/);

      const local = await call("upload_file", { sandbox_id: id, local_path: "/etc/hostname" });
      assert.match(text(local), /error \[local_files_disabled\]/, "no host files over HTTP");
      const missing = await call("get_sandbox", { sandbox_id: "sandbox-000000000000" });
      assert.equal(missing.isError, true);
      assert.match(text(missing), /error \[not_found\] \(HTTP 404\)/);
      await call("delete_sandbox", { sandbox_id: id });
    } finally {
      await client.close();
    }
  });
});

Deno.test("HTTP /mcp: 401 without or with a wrong key, 405 for GET, JSON-RPC via app.request", async () => {
  const t = await testBay({ ships: true });
  try {
    const init = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-06-18",
        capabilities: {},
        clientInfo: { name: "raw", version: "0" },
      },
    };
    const headers = { Accept: ACCEPT, "Content-Type": "application/json" };
    for (const auth of [undefined, "Bearer wrong-key-000000000000"]) {
      const res = await t.bay.app.request("/mcp", {
        method: "POST",
        headers: auth ? { ...headers, Authorization: auth } : headers,
        body: JSON.stringify(init),
      });
      assert.equal(res.status, 401);
      const body = await res.json();
      assert.equal(body.error.code, "unauthorized");
    }

    const authed = { ...headers, Authorization: `Bearer ${TEST_KEY}` };
    const get = await t.bay.app.request("/mcp", { headers: authed });
    assert.equal(get.status, 405);
    await get.body?.cancel();

    const res = await t.bay.app.request("/mcp", {
      method: "POST",
      headers: authed,
      body: JSON.stringify(init),
    });
    assert.equal(res.status, 200);
    const [hello] = await messages(res);
    assert.equal(hello.result.serverInfo.name, "shipyard-neo");

    const post = async (id: number, method: string, params: unknown) =>
      (await messages(
        await t.bay.app.request("/mcp", {
          method: "POST",
          headers: { ...authed, "Mcp-Protocol-Version": "2025-06-18" },
          body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        }),
      ))[0];
    const listed = await post(2, "tools/list", {});
    assert.ok(listed.result.tools.some((x: { name: string }) => x.name === "execute_shell"));
    const created = await post(3, "tools/call", { name: "create_sandbox", arguments: {} });
    const sandbox = JSON.parse(created.result.content[0].text);
    const ran = await post(4, "tools/call", {
      name: "execute_shell",
      arguments: { sandbox_id: sandbox.id, command: "echo raw" },
    });
    assert.match(ran.result.content[0].text, /--- stdout ---\nraw\n/);
  } finally {
    await closeBay(t);
  }
});

Deno.test("HTTP /mcp: a client that disconnects cancels its running tool call", async () => {
  await withServedBay(async (url) => {
    const headers = {
      Accept: ACCEPT,
      "Content-Type": "application/json",
      Authorization: `Bearer ${TEST_KEY}`,
      "Mcp-Protocol-Version": "2025-06-18",
    };
    const rpc = (id: number, method: string, params: unknown, signal?: AbortSignal) =>
      fetch(`${url}/mcp`, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal,
      });
    const call = async (id: number, name: string, args: Record<string, unknown>) =>
      (await messages(await rpc(id, "tools/call", { name, arguments: args })))[0].result;
    const sandbox = JSON.parse((await call(1, "create_sandbox", {})).content[0].text);
    await call(2, "execute_python", { sandbox_id: sandbox.id, code: "n = 1" });

    const gone = new AbortController();
    const slow = rpc(3, "tools/call", {
      name: "execute_python",
      arguments: { sandbox_id: sandbox.id, code: "import time\ntime.sleep(60)\nn = 2" },
    }, gone.signal);
    const res = await slow;
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 1000));
    gone.abort();
    await res.body?.cancel().catch(() => {});

    const t0 = Date.now();
    const after = await call(4, "execute_python", { sandbox_id: sandbox.id, code: "print(n)" });
    assert.match(after.content[0].text, /--- output ---\n1\n/, "the slow code never finished");
    assert.ok(Date.now() - t0 < 20_000, "the kernel was interrupted, not left sleeping");
  });
});
