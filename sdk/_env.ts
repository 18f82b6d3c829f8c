/**
 * The one place the SDK looks at the process environment. It works where
 * `Deno.env` (with permission granted) or `process.env` exists and answers
 * `undefined` everywhere else (browsers, workers, Deno without `--allow-env`),
 * never prompting and never throwing.
 *
 * @module
 */

interface EnvHost {
  Deno?: {
    env?: { get(name: string): string | undefined };
    permissions?: {
      querySync?(desc: { name: "env"; variable: string }): { state: string };
    };
  };
  process?: { env?: Record<string, string | undefined> };
}

/**
 * The value of environment variable `name`, or `undefined` when it is unset or
 * the runtime has no readable environment.
 *
 * @example Read the default endpoint
 * ```ts
 * const endpoint = readEnv("BAY_ENDPOINT") ?? "http://localhost:8114";
 * console.log(endpoint.length > 0);
 * ```
 */
export function readEnv(name: string): string | undefined {
  const host = globalThis as unknown as EnvHost;
  try {
    const deno = host.Deno;
    if (deno?.env) {
      const state = deno.permissions?.querySync?.({ name: "env", variable: name }).state;
      if (state !== undefined && state !== "granted") return undefined;
      return deno.env.get(name) || undefined;
    }
    return host.process?.env?.[name] || undefined;
  } catch {
    return undefined;
  }
}
