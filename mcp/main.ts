/**
 * The stdio entry point: `deno run -A mcp/main.ts`.
 *
 * Environment (read here only):
 * - `BAY_ENDPOINT`: Bay's base URL (default `http://localhost:8114`);
 * - `BAY_TOKEN` (or `BAY_API_KEY`): the API key the tools act with;
 * - `MCP_MAX_OUTPUT_BYTES`: text bound of one tool result (default 65536);
 * - `MCP_LOCAL_FILES`: `false` forbids upload_file/download_file from touching
 *   local files (default allowed).
 *
 * stdout carries the protocol; diagnostics go to stderr.
 *
 * @module
 */
import { BayClient } from "@shipyard/sdk";
import { StdioServerTransport } from "./_sdk.ts";
import { createServer } from "./server.ts";

function positiveInt(name: string): number | undefined {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`shipyard-mcp: ${name} must be a positive integer, got '${raw}'`);
    Deno.exit(2);
  }
  return n;
}

if (import.meta.main) {
  const endpoint = Deno.env.get("BAY_ENDPOINT") || "http://localhost:8114";
  const apiKey = Deno.env.get("BAY_TOKEN") || Deno.env.get("BAY_API_KEY") || "";
  if (!apiKey) console.error("shipyard-mcp: BAY_TOKEN is not set; calls will be anonymous");
  const server = createServer({
    client: new BayClient({ endpoint, apiKey }),
    limits: { maxOutputBytes: positiveInt("MCP_MAX_OUTPUT_BYTES") },
    localFiles: Deno.env.get("MCP_LOCAL_FILES")?.toLowerCase() !== "false",
  });
  const stop = () => {
    server.close().finally(() => Deno.exit(0));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  await server.connect(new StdioServerTransport());
  console.error(`shipyard-mcp: serving over stdio for ${endpoint}`);
}
