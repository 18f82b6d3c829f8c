/**
 * Runs a real Bay as a subprocess (`bay/main.ts`, local driver unless told) on a free
 * loopback port with a temporary data directory and a fixed API key.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

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

const MAIN = fileURLToPath(new URL("../../bay/main.ts", import.meta.url));
const TAIL = 16 * 1024;

/** A loopback TCP port that was free a moment ago. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Extra settings of {@link startBay}. */
export interface StartOptions {
  /** `BAY_DRIVER` (default `local`). */
  driver?: string;
  /** Written as JSON to `<root>/bay.json` and passed as `BAY_CONFIG_FILE`. */
  config?: Record<string, unknown>;
}

/** Start Bay with its data under `root` and wait until it listens. */
export async function startBay(
  root: string,
  readyTimeoutMs = 90_000,
  opts: StartOptions = {},
): Promise<BayProcess> {
  const dataDir = join(root, "bay-data");
  const apiKey = `bench-${crypto.randomUUID().replaceAll("-", "")}`;
  const port = freePort();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("BAY_")) env[k] = v; // no stray BAY_* settings from the caller
  }
  Object.assign(env, {
    BAY_DATA_DIR: dataDir,
    BAY_HOST: "127.0.0.1",
    BAY_PORT: String(port),
    BAY_API_KEY: apiKey,
    BAY_DRIVER: opts.driver ?? "local",
    NO_COLOR: "1",
  });
  if (opts.config) {
    await Deno.mkdir(root, { recursive: true });
    const file = join(root, "bay.json");
    await Deno.writeTextFile(file, JSON.stringify(opts.config));
    env.BAY_CONFIG_FILE = file;
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", "--unstable-no-legacy-abort", MAIN],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const listening = Promise.withResolvers<string>();
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const text of s.pipeThrough(new TextDecoderStream())) {
      tail = (tail + text).slice(-TAIL);
      const m = /Bay listening on (http:\/\/\S+)/.exec(tail);
      if (m) listening.resolve(m[1]);
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]).catch(() => {});
  const exited = child.status.then((st) => {
    listening.reject(new Error(`Bay exited early (code ${st.code}):\n${tail}`));
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Bay not listening after ${readyTimeoutMs} ms:\n${tail}`)),
      readyTimeoutMs,
    );
  });
  let stopped: Promise<void> | null = null;
  const stop = () =>
    stopped ??= (async () => {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      const grace = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already exited */ }
      }, 15_000);
      await exited;
      clearTimeout(grace);
      await drained;
    })();
  try {
    const url = await Promise.race([listening.promise, timeout]);
    return { url, apiKey, pid: child.pid, dataDir, logTail: () => tail, stop };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
