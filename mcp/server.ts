/**
 * The Shipyard Neo MCP server: every tool family registered on one
 * `McpServer` that acts through a `BayClient`.
 *
 * @module
 */
import type { BayClient } from "@shipyard/sdk";
import { ToolContext, type ToolFamily } from "./_context.ts";
import { DEFAULT_LIMITS, type Limits } from "./_format.ts";
import { McpServer } from "./_sdk.ts";
import { execTools } from "./tools_exec.ts";
import { fileTools } from "./tools_files.ts";
import { historyTools } from "./tools_history.ts";
import { processTools } from "./tools_processes.ts";
import { sandboxTools } from "./tools_sandboxes.ts";
import { skillTools } from "./tools_skills.ts";
import { VERSION } from "./version.ts";

/**
 * Options of {@link createServer}.
 *
 * @example
 * ```ts
 * import { BayClient } from "@shipyard/sdk";
 * const o: ServerOptions = { client: new BayClient({ apiKey: "…" }), limits: { maxOutputBytes: 8192 } };
 * ```
 */
export interface ServerOptions {
  /** The Bay client the tools act through; its key decides the owner. */
  client: BayClient;
  /** Output and transfer limits (defaults: {@link DEFAULT_LIMITS}). */
  limits?: Partial<Limits>;
  /**
   * Let upload_file / download_file read and write the server's own files
   * by `local_path` (default false; the stdio entry point turns it on).
   */
  localFiles?: boolean;
}

const FAMILIES: ToolFamily[] = [
  sandboxTools,
  execTools,
  fileTools,
  processTools,
  historyTools,
  skillTools,
];

/**
 * Build an MCP server with every Shipyard Neo tool. Connect it to a
 * transport (stdio, in-memory, Streamable HTTP) with `server.connect()`.
 *
 * @example
 * ```ts
 * import { BayClient } from "@shipyard/sdk";
 * import { createServer } from "@shipyard/mcp";
 * const server = createServer({ client: new BayClient({ endpoint: "http://localhost:8114" }) });
 * await server.close();
 * ```
 */
export function createServer(opts: ServerOptions): McpServer {
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(opts.limits ?? {}) as [keyof Limits, number][]) {
    if (v !== undefined) limits[k] = v;
  }
  const server = new McpServer(
    { name: "shipyard-neo", title: "Shipyard Neo", version: VERSION },
    {
      instructions: "Shipyard Neo sandboxes: create_sandbox first, then run code with " +
        "execute_python / execute_shell and manage files by sandbox_id. Sandboxes keep " +
        "/workspace and the Python state between calls; delete_sandbox when done.",
    },
  );
  const ctx = new ToolContext(opts.client, limits, opts.localFiles ?? false);
  for (const family of FAMILIES) family(server, ctx);
  return server;
}
