/**
 * The MCP server's version, reported in its `initialize` answer.
 *
 * @module
 */

/** Version of `@shipyard/mcp`. */
export const VERSION = "0.1.0";
