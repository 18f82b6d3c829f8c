/**
 * Runs a real Bay as a subprocess (`bay/main.ts`, local driver unless told) on a free
 * loopback port with a temporary data directory and a fixed API key, on top of
 * `spawnBayProcess` from `@shipyard/bay/testing`.
 *
 * @module
 */
import { join } from "node:path";
import { spawnBayProcess } from "@shipyard/bay/testing";

/** A running Bay subprocess. */
export interface BayProcess {
  url: string;
  apiKey: string;
  /** pid of the Bay (deno) process itself. */
  pid: number;
  dataDir: string;
  /** Last lines Bay printed (stdout and stderr). */
  logTail(): string;
  /** SIGTERM, then SIGKILL after a grace period; waits for exit. */
  stop(): Promise<void>;
}

/** Extra settings of {@link startBay}. */
export interface StartOptions {
  /** `BAY_DRIVER` (default `local`). */
  driver?: string;
  /** Written as JSON to `<root>/bay.json` and passed as `BAY_CONFIG_FILE`. */
  config?: Record<string, unknown>;
}

/** Start Bay with its data under `root` and wait until it is healthy. */
export async function startBay(
  root: string,
  readyTimeoutMs = 90_000,
  opts: StartOptions = {},
): Promise<BayProcess> {
  const dataDir = join(root, "bay-data");
  const apiKey = `bench-${crypto.randomUUID().replaceAll("-", "")}`;
  const env: Record<string, string> = {
    BAY_DATA_DIR: dataDir,
    BAY_API_KEY: apiKey,
    BAY_DRIVER: opts.driver ?? "local",
  };
  if (opts.config) {
    await Deno.mkdir(root, { recursive: true });
    const file = join(root, "bay.json");
    await Deno.writeTextFile(file, JSON.stringify(opts.config));
    env.BAY_CONFIG_FILE = file;
  }
  const bay = await spawnBayProcess({
    env,
    readyTimeoutMs,
    tailBytes: 16 * 1024,
    killAfterMs: 15_000,
  });
  return { url: bay.url, apiKey, pid: bay.pid, dataDir, logTail: bay.logTail, stop: bay.stop };
}
