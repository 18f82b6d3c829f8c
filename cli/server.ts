/**
 * Server-side commands: `bay serve` (Bay itself, imported lazily so that the
 * client commands never load it) and `bay keys …` (delegated to bay/cli.ts in
 * a child process, since it reads its own arguments).
 *
 * Both need the source tree: in a bundle (`dist/bay.js`) they resolve
 * `../bay/` next to the bundle, i.e. they work when run from the repository.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository file `rel` (relative to the repo root). */
function repoFile(rel: string): URL {
  return new URL(`../${rel}`, import.meta.url);
}

/** `bay serve`: run Bay in this process (configured by `BAY_*` variables). */
export async function serve(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log("usage: bay serve   (configured by BAY_* environment variables, see README)");
    return 0;
  }
  if (args.length > 0) {
    console.error("bay serve takes no arguments; configure it with BAY_* variables");
    return 2;
  }
  // A computed specifier: bundlers leave it alone, so the bundle stays client-only.
  const main = repoFile("bay/main.ts").href;
  await import(main);
  return -1; // keep running: Bay exits on SIGINT/SIGTERM itself
}

/** `bay keys create|list|revoke …`: bay/cli.ts with the same arguments. */
export async function keys(args: string[]): Promise<number> {
  const cli = fileURLToPath(repoFile("bay/cli.ts"));
  const config = fileURLToPath(repoFile("deno.json"));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", "--config", config, cli, ...args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}
