/**
 * Shared pieces of the `bay` CLI: the client built from flags and
 * environment, output helpers and the usage error.
 *
 * @module
 */
import { BayClient } from "@shipyard/sdk";

/** A wrong invocation: printed with the usage line, exit code 2. */
export class UsageError extends Error {}

/** Options every client command accepts. */
export const CLIENT_OPTIONS = {
  endpoint: { type: "string" },
  key: { type: "string" },
  json: { type: "boolean", default: false },
} as const;

/** The client: `--endpoint`/`--key`, else `BAY_ENDPOINT` and `BAY_API_KEY` or `BAY_TOKEN`. */
export function client(values: { endpoint?: string; key?: string }): BayClient {
  const env = (n: string) => Deno.env.get(n) || undefined;
  return new BayClient({
    endpoint: values.endpoint ?? env("BAY_ENDPOINT") ?? "http://localhost:8114",
    apiKey: values.key ?? env("BAY_API_KEY") ?? env("BAY_TOKEN"),
  });
}

const enc = new TextEncoder();

/** Write all of `text` to a stream synchronously (keeps streamed output in order). */
export function writeAll(out: { writeSync(p: Uint8Array): number }, text: string): void {
  let data = enc.encode(text);
  while (data.length > 0) data = data.subarray(out.writeSync(data));
}

/** Print `value` as indented JSON on stdout. */
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** Rows as left-aligned columns. */
export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) {
    console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  }
}

/** A whole number ≥ `min` from a flag, or a usage error. */
export function intFlag(name: string, raw: string | undefined, min = 0): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${raw}'`);
  }
  return n;
}
