/**
 * Test helpers: run the CLI (source or bundle) as a subprocess.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** cli/main.ts. */
export const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

/** What a CLI run printed and returned. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The caller's environment without any BAY_* variable, plus `env`. */
export function cleanEnv(env: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("BAY_")) out[k] = v;
  }
  return { ...out, NO_COLOR: "1", ...env };
}

/** Run `deno <denoArgs…>` with a clean environment. */
export async function deno(
  denoArgs: string[],
  env: Record<string, string> = {},
  opts: { cwd?: string; stdin?: string } = {},
): Promise<Run> {
  const child = new Deno.Command(Deno.execPath(), {
    args: denoArgs,
    env: cleanEnv(env),
    clearEnv: true,
    cwd: opts.cwd ?? ROOT,
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (opts.stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(opts.stdin));
    await w.close();
  }
  const o = await child.output();
  const dec = new TextDecoder();
  return { code: o.code, stdout: dec.decode(o.stdout), stderr: dec.decode(o.stderr) };
}

/** Run the CLI from source. */
export function bay(
  args: string[],
  env: Record<string, string> = {},
  opts: { stdin?: string } = {},
): Promise<Run> {
  return deno(["run", "-A", "--frozen", "--unstable-no-legacy-abort", MAIN, ...args], env, opts);
}
