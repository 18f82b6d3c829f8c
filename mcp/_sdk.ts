/**
 * The one place the MCP SDK's server side is imported. Its `.js` subpath
 * imports need `// @ts-types` pointing at the extensionless subpath, or
 * `deno check` sees every value as `any` (FEASIBILITY item 7).
 *
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
export { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/stdio"
export { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
// @ts-types="@modelcontextprotocol/sdk/server/webStandardStreamableHttp"
export { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
export type {
  CallToolResult,
  ContentBlock,
  ToolAnnotations,
} from "@modelcontextprotocol/sdk/types";
