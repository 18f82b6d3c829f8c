/**
 * `bay`: the Shipyard Neo command line.
 *
 *   bay serve                                   run Bay (BAY_* variables)
 *   bay keys create|list|revoke …               manage API keys in Bay's store
 *   bay gc [--task NAME]…                       run garbage collection (admin key)
 *   bay sandbox create|list|get|delete …        sandboxes
 *   bay exec python|shell SANDBOX CODE…         run code, output streamed
 *   bay files put|get SANDBOX SRC DST           streamed transfers with progress
 *
 * Client commands take `--endpoint URL` and `--key KEY`, else `BAY_ENDPOINT`
 * and `BAY_API_KEY` (or `BAY_TOKEN`). `deno task cli …` runs it from source;
 * `deno task bundle:cli` builds `dist/bay.js`.
 *
 * @module
 */
import { BayError } from "@shipyard/sdk";
import { UsageError } from "./_common.ts";
import { exec, EXEC_USAGE } from "./exec.ts";
import { files, FILES_USAGE } from "./files.ts";
import { gc, sandbox, SANDBOX_USAGE } from "./sandbox.ts";
import { keys, serve } from "./server.ts";

/** The top-level help. */
export const USAGE = `bay — Shipyard Neo command line

usage: bay <command> [options]

server (needs the source tree):
  bay serve                                  run Bay, configured by BAY_* variables
  bay keys create --owner O [--name N] [--admin] | keys list [--owner O] | keys revoke ID

client (--endpoint URL, --key KEY; env BAY_ENDPOINT, BAY_API_KEY or BAY_TOKEN):
${SANDBOX_USAGE.replace("usage:\n", "")}
${EXEC_USAGE.replace("usage:\n", "")}
${FILES_USAGE.replace("usage:\n", "")}
  bay gc [--task NAME]... [--json]           run garbage collection now (admin key)

--json prints machine-readable output (create, list, get, gc, exec).`;

type Command = (args: string[]) => Promise<number>;
const COMMANDS: Record<string, [Command, string]> = {
  serve: [serve, "usage: bay serve"],
  keys: [keys, "usage: bay keys create|list|revoke ..."],
  gc: [gc, "usage: bay gc [--task NAME]... [--json]"],
  sandbox: [sandbox, SANDBOX_USAGE],
  exec: [exec, EXEC_USAGE],
  files: [files, FILES_USAGE],
};

/** Run the CLI with `args`; the process exit code (-1: keep running). */
export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`bay: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  const [fn, usage] = cmd;
  if (name !== "keys" && name !== "serve" && (rest[0] === "--help" || rest[0] === "-h")) {
    console.log(usage);
    return 0;
  }
  try {
    return await fn(rest);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`bay ${name}: ${(e as Error).message}\n${usage}`);
      return 2;
    }
    if (e instanceof BayError) {
      console.error(`bay: ${e.message} [${e.code}${e.status ? `, HTTP ${e.status}` : ""}]`);
      return 1;
    }
    console.error(`bay: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (import.meta.main) {
  const code = await run(Deno.args);
  if (code >= 0) Deno.exit(code);
}
