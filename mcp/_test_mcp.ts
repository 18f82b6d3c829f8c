/**
 * Test fixtures: an in-process Bay (real in-process ships) with an MCP
 * client connected to the server over the SDK's linked in-memory
 * transports, or the same Bay served on a loopback port.
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/inMemory"
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types";
import { TEST_KEY, type TestBay, testBay } from "@shipyard/bay/testing";
import { BayClient } from "@shipyard/sdk";
import { createServer, type ServerOptions } from "./server.ts";

export { Client, TEST_KEY };
export type { CallToolResult };

/** What a test gets. */
export interface McpFixture {
  t: TestBay;
  client: Client;
  /** Call a tool and return its result. */
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
}

/** The text blocks of a result, joined. */
export function text(r: CallToolResult): string {
  return r.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

/** A JSON text result, parsed. */
// deno-lint-ignore no-explicit-any
export function json(r: CallToolResult): any {
  if (r.isError) throw new Error(`tool error: ${text(r)}`);
  return JSON.parse(text(r));
}

/** An MCP client of `server options` over in-memory transports. */
export async function connect(opts: ServerOptions): Promise<Client> {
  const server = createServer(opts);
  const [a, b] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "test", version: "0" });
  await Promise.all([server.connect(b), client.connect(a)]);
  return client;
}

/** A Bay client that goes through the test Bay's app without a network. */
export function inProcessClient(t: TestBay): BayClient {
  return new BayClient({
    endpoint: "http://bay.test",
    apiKey: TEST_KEY,
    fetch: (input, init) => Promise.resolve(t.bay.app.request(input, init)),
  });
}

/** Run `fn` with an in-process Bay and a connected MCP client. */
export async function withMcp(
  opts: Omit<ServerOptions, "client">,
  fn: (f: McpFixture) => Promise<void>,
): Promise<void> {
  const t = await testBay({ ships: true });
  let client: Client | null = null;
  try {
    client = await connect({ ...opts, client: inProcessClient(t) });
    const c = client;
    await fn({
      t,
      client: c,
      call: async (name, args = {}) =>
        (await c.callTool({ name, arguments: args })) as CallToolResult,
    });
  } finally {
    await client?.close();
    await closeBay(t);
  }
}

/** Run `fn` with an in-process Bay listening on 127.0.0.1 (its base URL). */
export async function withServedBay(fn: (url: string, t: TestBay) => Promise<void>): Promise<void> {
  const t = await testBay({ ships: true });
  const ready = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => ready.resolve() },
    (req) => t.bay.app.fetch(req),
  );
  try {
    await ready.promise;
    await fn(`http://127.0.0.1:${server.addr.port}`, t);
  } finally {
    await server.shutdown();
    await closeBay(t);
  }
}

/** Live (non-zombie) child processes of this process (Linux `/proc`). */
async function childPids(): Promise<number[]> {
  const out: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = await Deno.readTextFile(`/proc/${e.name}/stat`);
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(ppid) === Deno.pid && state !== "Z") out.push(Number(e.name));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

/**
 * Close a test Bay and wait for its in-process ships to finish closing.
 * `TestBay.close()` does not await the ships' runtimes, whose Python kernels
 * close their zeromq sockets a moment after the kernel process exits; a test
 * module that ends before that crashes Deno (SIGSEGV in the zeromq addon) when
 * the next module starts. So: wait until no child process is left, then for
 * the sockets to be closed.
 */
export async function closeBay(t: TestBay): Promise<void> {
  await t.close();
  const end = Date.now() + 10_000;
  while ((await childPids()).length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 600));
}

/** Poll `fn` until it returns a truthy value (or fail after `ms`). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, ms = 10_000) {
  const end = Date.now() + ms;
  while (true) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}
