/**
 * The Shipyard Neo MCP server: sandboxes, Python and shell execution (plots
 * come back as images), files, background processes, execution history and
 * skills, as MCP tools over a `BayClient`.
 *
 * - stdio: `deno run -A mcp/main.ts` with `BAY_ENDPOINT` and `BAY_API_KEY`.
 * - Streamable HTTP: Bay serves the same tools at `/mcp` with the caller's key
 *   (see {@link handleHttpRequest}).
 *
 * @example In-process
 * ```ts
 * import { BayClient } from "@shipyard/sdk";
 * import { createServer } from "@shipyard/mcp";
 * const server = createServer({ client: new BayClient({ endpoint: "http://localhost:8114", apiKey: "…" }) });
 * await server.close();
 * ```
 *
 * @module
 */
export { createServer } from "./server.ts";
export type { ServerOptions } from "./server.ts";
export { handleHttpRequest } from "./http.ts";
export type { HttpOptions } from "./http.ts";
export { DEFAULT_LIMITS, truncate } from "./_format.ts";
export type { Limits } from "./_format.ts";
export { TOOL_NAMES } from "./tool_names.ts";
export { VERSION } from "./version.ts";
export type { McpServer } from "./_sdk.ts";
