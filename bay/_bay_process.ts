/**
 * A real Bay as a subprocess (`deno run bay/main.ts`) for black-box suites,
 * SDK tests and the benchmark: spawned with a clean environment, its output
 * kept as a tail, ready once `/health` answers, stopped with SIGTERM then
 * SIGKILL. Re-exported by `@shipyard/bay/testing`.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

/** A loopback TCP port that was free a moment ago. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Options of {@link spawnBayProcess}. */
export interface BayProcessOptions {
  /**
   * `BAY_*` settings (and anything else) on top of the caller's environment, whose own
   * `BAY_*` variables are dropped. `BAY_PORT` is set to a free port unless given.
   */
  env: Record<string, string>;
  /** How long Bay may take to answer `/health` (default 60 s). */
  readyTimeoutMs?: number;
  /** How much of Bay's output to keep (default 64 KiB). */
  tailBytes?: number;
  /** Grace between SIGTERM and SIGKILL on stop (default 20 s). */
  killAfterMs?: number;
}

/** A running Bay subprocess. */
export interface BayProcess {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** pid of the Bay (deno) process itself. */
  pid: number;
  /** Exit code once it exited, else null. */
  readonly exitCode: number | null;
  /** The last output (stdout and stderr). */
  logTail(): string;
  /** SIGTERM, SIGKILL after the grace period; resolves once it exited (idempotent). */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash); resolves once it exited. */
  crash(): Promise<void>;
}

/** Start Bay and wait until `/health` says ok; throws (with its output) when it does not. */
export async function spawnBayProcess(opts: BayProcessOptions): Promise<BayProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("BAY_")) env[k] = v; // no stray BAY_* settings from the caller
  }
  Object.assign(env, { BAY_HOST: "127.0.0.1", NO_COLOR: "1" }, opts.env);
  env.BAY_PORT ??= String(freePort());
  const port = Number(env.BAY_PORT);
  const tailBytes = opts.tailBytes ?? 64 * 1024;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", "--unstable-no-legacy-abort", MAIN],
    env,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const drain = async (s: ReadableStream<Uint8Array>) => {
    for await (const text of s.pipeThrough(new TextDecoderStream())) {
      tail = (tail + text).slice(-tailBytes);
    }
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]).catch(() => {});
  let exitCode: number | null = null;
  const exited = child.status.then((st) => {
    exitCode = st.code;
  });
  const kill = (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch { /* already exited */ }
  };
  let stopped: Promise<void> | null = null;
  const stop = () =>
    stopped ??= (async () => {
      kill("SIGTERM");
      const grace = setTimeout(() => kill("SIGKILL"), opts.killAfterMs ?? 20_000);
      await exited;
      clearTimeout(grace);
      await drained;
    })();
  const crash = async () => {
    kill("SIGKILL");
    await exited;
    await drained;
  };
  const url = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + readyTimeoutMs;
  try {
    for (;;) {
      if (exitCode !== null) throw new Error(`Bay exited early (code ${exitCode}):\n${tail}`);
      if (Date.now() > deadline) {
        throw new Error(`Bay not healthy in ${readyTimeoutMs} ms:\n${tail}`);
      }
      const ok = await fetch(`${url}/health`)
        .then(async (r) => r.ok && (await r.json()).status === "ok")
        .catch(() => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    url,
    port,
    pid: child.pid,
    get exitCode() {
      return exitCode;
    },
    logTail: () => tail,
    stop,
    crash,
  };
}
