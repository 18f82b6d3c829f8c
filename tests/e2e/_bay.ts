/**
 * The end-to-end fixture: a REAL Bay subprocess (`deno run bay/main.ts`) on a
 * free loopback port, a temporary data directory and a fixed API key, driven
 * only over HTTP. `E2E_DRIVER` picks the driver (default `local`).
 *
 * ```ts
 * await withBay({}, async (bay) => {
 *   const sb = await bay.createSandbox();
 *   const r = await bay.api("POST", `/v1/sandboxes/${sb.id}/shell/exec`, { command: "id" });
 * });
 * ```
 *
 * Host-side helpers (finding the ship process, checking cargo directories)
 * are in `_host.ts`; they are the only driver-specific part of the suite.
 *
 * @module
 */
import { join } from "node:path";
import { freePort, spawnBayProcess } from "@shipyard/bay/testing";
import { reapLeftovers } from "./_host.ts";

/** The key every e2e Bay accepts. */
export const API_KEY = "e2e-key-0123456789abcdef";
/** The driver under test. */
export const DRIVER = Deno.env.get("E2E_DRIVER") || "local";

/** Longest any single JSON request may take (the longest exec in the suite is ~10 s). */
const REQUEST_TIMEOUT_MS = 60_000;

/** A JSON answer of Bay, body already read. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
}

/** Options of {@link startBay}. */
export interface BayOptions {
  /** YAML written to a config file passed as `BAY_CONFIG_FILE`. */
  configYaml?: string;
  /** Extra `BAY_*` variables. */
  env?: Record<string, string>;
  /** Use this directory (kept on stop) instead of a fresh temporary one. */
  root?: string;
  /** Listen on this port instead of a free one. */
  port?: number;
}

/** A sandbox object as Bay returns it. */
export interface SandboxObj {
  id: string;
  cargo_id: string;
  status: string;
  profile: string;
}

export { freePort };

/** A running Bay subprocess. */
export class E2EBay {
  readonly url: string;
  readonly dataDir: string;
  readonly pid: number;
  readonly driver = DRIVER;
  #tail: () => string;
  #stop: () => Promise<string[]>;

  constructor(
    url: string,
    dataDir: string,
    pid: number,
    tail: () => string,
    stop: () => Promise<string[]>,
    crash: () => Promise<void>,
  ) {
    this.url = url;
    this.dataDir = dataDir;
    this.pid = pid;
    this.#tail = tail;
    this.#stop = stop;
    this.#crash = crash;
  }

  #crash: () => Promise<void>;

  /** `kill -9` Bay alone: its sandboxes and data dir stay (for restart tests). */
  crash(): Promise<void> {
    return this.#crash();
  }

  /** The last output of Bay (stdout and stderr). */
  logTail(): string {
    return this.#tail();
  }

  /** A raw authenticated request; the caller consumes the body. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${API_KEY}`);
    return fetch(`${this.url}${path}`, { ...init, headers });
  }

  /** A JSON request; the body is read and parsed (null when empty or not JSON). */
  async api(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h["Content-Type"] = "application/json";
    // A hung request fails the test instead of hanging the suite.
    const ctrl = new AbortController();
    const timer = setTimeout(
      () => ctrl.abort(new Error(`${method} ${path}: no answer in ${REQUEST_TIMEOUT_MS} ms`)),
      REQUEST_TIMEOUT_MS,
    );
    let text: string;
    let res: Response;
    try {
      res = await this.fetch(path, {
        method,
        headers: h,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctrl.signal,
      });
      text = await res.text();
    } finally {
      clearTimeout(timer);
    }
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  /** Create a sandbox (201 asserted) and return it. */
  async createSandbox(body: Record<string, unknown> = {}): Promise<SandboxObj> {
    const r = await this.api("POST", "/v1/sandboxes", body);
    if (r.status !== 201) throw new Error(`create sandbox: ${r.status} ${r.text}`);
    return r.body;
  }

  /** Delete a sandbox (best effort, for cleanup). */
  async deleteSandbox(id: string): Promise<void> {
    await this.api("DELETE", `/v1/sandboxes/${id}`).catch(() => {});
  }

  /** `POST …/shell/exec`, expecting 200; returns the result object. */
  // deno-lint-ignore no-explicit-any
  async sh(id: string, command: string, extra: Record<string, unknown> = {}): Promise<any> {
    const r = await this.api("POST", `/v1/sandboxes/${id}/shell/exec`, { command, ...extra });
    if (r.status !== 200) throw new Error(`shell exec: ${r.status} ${r.text}`);
    return r.body;
  }

  /** `POST …/python/exec`, expecting 200; returns the result object. */
  // deno-lint-ignore no-explicit-any
  async py(id: string, code: string, extra: Record<string, unknown> = {}): Promise<any> {
    const r = await this.api("POST", `/v1/sandboxes/${id}/python/exec`, { code, ...extra });
    if (r.status !== 200) throw new Error(`python exec: ${r.status} ${r.text}`);
    return r.body;
  }

  /** `t.step` that prints Bay's recent log when the step fails. */
  step(t: Deno.TestContext, name: string, fn: () => Promise<void>): Promise<boolean> {
    return t.step(name, async () => {
      const mark = this.#tail().length;
      try {
        await fn();
      } catch (e) {
        const log = this.#tail();
        console.error(
          `--- Bay log during '${name}' ---\n${log.slice(Math.max(0, mark - 2000))}---`,
        );
        throw e;
      }
    });
  }

  /**
   * SIGTERM, SIGKILL after a grace period; waits for exit, kills and returns
   * any process left behind that still mentions the data dir (a leaked
   * sandbox), removes the data dir.
   */
  stop(): Promise<string[]> {
    return this.#stop();
  }
}

/** Start Bay and wait until `/health` answers. Stop it in `finally`. */
export async function startBay(opts: BayOptions = {}, readyTimeoutMs = 60_000): Promise<E2EBay> {
  const dataDir = opts.root ?? await Deno.makeTempDir({ prefix: "bay-e2e-" });
  const env: Record<string, string> = {
    BAY_DRIVER: DRIVER,
    BAY_DATA_DIR: join(dataDir, "data"),
    BAY_API_KEY: API_KEY,
    BAY_HEARTBEAT_INTERVAL_MS: "500",
    BAY_HEARTBEAT_TIMEOUT_MS: "2000",
    ...(opts.port === undefined ? {} : { BAY_PORT: String(opts.port) }),
    ...opts.env,
  };
  if (opts.configYaml !== undefined) {
    const file = join(dataDir, "bay.yaml");
    await Deno.writeTextFile(file, opts.configYaml);
    env.BAY_CONFIG_FILE = file;
  }
  const cleanUp = async () => {
    const leaked = await reapLeftovers(DRIVER, join(dataDir, "data"));
    if (!opts.root) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    return leaked;
  };
  const proc = await spawnBayProcess({ env, readyTimeoutMs }).catch(async (e) => {
    await cleanUp();
    throw e;
  });
  let stopped: Promise<string[]> | null = null;
  const stop = () =>
    stopped ??= (async () => {
      await proc.stop();
      return await cleanUp();
    })();
  return new E2EBay(proc.url, join(dataDir, "data"), proc.pid, proc.logTail, stop, proc.crash);
}

/**
 * Run `fn` against a fresh Bay. Bay is stopped afterwards (its log is shown
 * when `fn` throws); sandbox processes surviving Bay's shutdown fail the run.
 */
export async function withBay(opts: BayOptions, fn: (bay: E2EBay) => Promise<void>) {
  const bay = await startBay(opts);
  let leaked: string[] = [];
  try {
    await fn(bay);
  } catch (e) {
    console.error(`--- Bay log tail ---\n${bay.logTail().slice(-8000)}\n---`);
    throw e;
  } finally {
    leaked = await bay.stop();
  }
  if (leaked.length > 0) {
    throw new Error(`Bay left sandbox processes running after shutdown:\n${leaked.join("\n")}`);
  }
}

/** Wait until `check` returns true (polling), or fail with `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  everyMs = 100,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Sleep `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
