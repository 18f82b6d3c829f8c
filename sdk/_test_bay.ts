/**
 * Test fixtures for the SDK: an in-process Bay driven through a `fetch`
 * adapter (fast, no port), the same Bay also served on a loopback port (for
 * streams and WebSockets), and a real Bay subprocess on the local driver
 * (for the Node smoke test).
 *
 * @module
 */
import { join } from "node:path";
import { spawnBayProcess, type TestBay, type TestBayOptions } from "@shipyard/bay/testing";
import { BayClient, type BayClientOptions } from "./mod.ts";

/**
 * The key every test Bay accepts (admin, owner `default`).
 *
 * @example
 * ```ts
 * const headers = { Authorization: `Bearer ${TEST_KEY}` };
 * ```
 */
export const TEST_KEY = "test-key-0123456789abcdef";

const PERMISSIONS = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;

/**
 * True when the tests run with every permission (`deno test -A`). Tests that
 * need a Bay are ignored otherwise (e.g. under a bare `deno test --doc`),
 * and Bay's modules are only loaded when a test runs.
 *
 * @example
 * ```ts
 * if (!FULL_ACCESS) console.log("Bay tests will be ignored");
 * ```
 */
export const FULL_ACCESS: boolean = PERMISSIONS.every((name) =>
  Deno.permissions.querySync({ name }).state === "granted"
);

/**
 * Register a test that needs a Bay (ignored without full permissions).
 *
 * @example
 * ```ts
 * function register() {
 *   bayTest("sandboxes exist", async () => {
 *     await withBay({ ships: false }, async ({ client }) => {
 *       await client().createSandbox();
 *     });
 *   });
 * }
 * ```
 */
export function bayTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({ name, ignore: !FULL_ACCESS, fn });
}

/**
 * Bay's test fixtures, loaded on first use (they pull in native modules).
 *
 * @example
 * ```ts
 * async function demo() {
 *   const { testBay } = await bayTesting();
 *   await (await testBay()).close();
 * }
 * ```
 */
export function bayTesting(): Promise<typeof import("@shipyard/bay/testing")> {
  return import("@shipyard/bay/testing");
}

/**
 * Add an API key of `owner` (not admin) to a test Bay.
 *
 * @example
 * ```ts
 * async function demo(b: SdkBay) {
 *   await addKey(b.t, "alice-key-0123456789abcdef", "alice");
 * }
 * ```
 */
export async function addKey(t: TestBay, key: string, owner: string): Promise<void> {
  const { createKey } = await import("../bay/core/auth.ts");
  await createKey(t.db, key, owner);
}

/**
 * A test Bay and clients of it.
 *
 * @example
 * ```ts
 * async function demo(b: SdkBay) {
 *   const sb = await b.client().createSandbox();
 *   console.log(sb.id, b.url);
 * }
 * ```
 */
export interface SdkBay {
  /** The in-process Bay. */
  t: TestBay;
  /** Base URL when served on a port (`serve: true`), else a placeholder. */
  url: string;
  /** The admin API key. */
  key: string;
  /** A client: over the port when served, else through `app.request`. */
  client(opts?: BayClientOptions): BayClient;
}

/**
 * Run `fn` against an in-process Bay (fake driver; real in-process ships
 * unless `ships: false`); with `serve`, also listening on 127.0.0.1.
 *
 * @example
 * ```ts
 * async function demo() {
 *   await withBay({ serve: true }, async ({ client }) => {
 *     const sb = await client().createSandbox();
 *     console.log((await sb.shell.exec("echo hi")).output);
 *   });
 * }
 * ```
 */
export async function withBay(
  opts: TestBayOptions & { serve?: boolean },
  fn: (b: SdkBay) => Promise<void>,
): Promise<void> {
  const { testBay } = await bayTesting();
  const t = await testBay({ ships: true, ...opts });
  let server: Deno.HttpServer<Deno.NetAddr> | null = null;
  let url = "http://bay.test";
  if (opts.serve) {
    const ready = Promise.withResolvers<void>();
    server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => ready.resolve() },
      (req) => t.bay.app.fetch(req),
    );
    await ready.promise;
    url = `http://127.0.0.1:${server.addr.port}`;
  }
  const served = server !== null;
  try {
    await fn({
      t,
      url,
      key: TEST_KEY,
      client: (o = {}) =>
        new BayClient({
          endpoint: url,
          apiKey: TEST_KEY,
          fetch: served
            ? undefined
            : (input, init) => Promise.resolve(t.bay.app.request(input, init)),
          ...o,
        }),
    });
  } finally {
    await settleKernels(t);
    await server?.shutdown();
    await t.close();
  }
}

/** Pids of this process's descendants whose command line mentions `ipykernel`. */
async function kernelProcesses(): Promise<number[]> {
  const parent = new Map<number, number>();
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid) parent.set(Number(e.name), ppid);
  }
  const out: number[] = [];
  for (const pid of parent.keys()) {
    let p: number | undefined = pid;
    while (p && p !== Deno.pid) p = parent.get(p);
    if (p !== Deno.pid) continue;
    const cmd = await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "");
    if (cmd.includes("ipykernel")) out.push(pid);
  }
  return out;
}

/**
 * Delete every sandbox and wait for the in-process ships' kernels to shut
 * down: `testBay().close()` does not wait for them, and zeromq sockets still
 * closing when the next test module loads the addon crash Deno.
 */
async function settleKernels(t: TestBay): Promise<void> {
  const rows = await t.db.query<{ id: string }>(`SELECT id FROM sandboxes WHERE deleted_at IS NULL`)
    .catch(() => []);
  for (const { id } of rows) {
    const res = await t.request("DELETE", `/v1/sandboxes/${id}`).catch(() => null);
    await res?.body?.cancel();
  }
  const end = Date.now() + 15_000;
  while ((await kernelProcesses()).length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 500)); // the sockets close QUIET_MS after the exit
}

/**
 * A Bay subprocess.
 *
 * @example
 * ```ts
 * async function demo(p: BayProcess) {
 *   console.log(p.url);
 *   await p.stop();
 * }
 * ```
 */
export interface BayProcess {
  url: string;
  apiKey: string;
  log(): string;
  stop(): Promise<void>;
}

/**
 * Start a real Bay (`deno run bay/main.ts`, local driver) on a free loopback port.
 *
 * @example
 * ```ts
 * async function demo() {
 *   const bay = await spawnBay();
 *   try {
 *     console.log(bay.url);
 *   } finally {
 *     await bay.stop();
 *   }
 * }
 * ```
 */
export async function spawnBay(): Promise<BayProcess> {
  const dir = await Deno.makeTempDir({ prefix: "sdk-bay-" });
  const removeDir = () => Deno.remove(dir, { recursive: true }).catch(() => {});
  const bay = await spawnBayProcess({
    env: {
      BAY_DRIVER: "local",
      BAY_DATA_DIR: join(dir, "data"),
      BAY_API_KEY: TEST_KEY,
      BAY_GC_ENABLED: "false",
    },
    tailBytes: 32_768,
    killAfterMs: 15_000,
  }).catch(async (e) => {
    await removeDir();
    throw e;
  });
  return {
    url: bay.url,
    apiKey: TEST_KEY,
    log: bay.logTail,
    stop: async () => {
      await bay.stop();
      await removeDir();
    },
  };
}
