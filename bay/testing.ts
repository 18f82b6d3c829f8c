/**
 * Test fixtures for Bay: an in-process Bay over a throwaway database and the
 * fake driver, optionally with real ships connected in-process through
 * in-memory sockets (no bubblewrap, no network). HTTP is driven through
 * `app.request()`.
 *
 * @module
 */
import { createSocketPair } from "@shipyard/ship/channel-testing";
import { ShipRuntime } from "@shipyard/ship/runtime";
import { runShipClient } from "@shipyard/ship/client";
import { loadConfig } from "./config/load.ts";
import type { Config } from "./config/schema.ts";
import { FakeDriver } from "./drivers/fake/mod.ts";
import { type Bay, startBay } from "./server.ts";
import type { Db } from "./store/db.ts";
import type { Driver } from "./drivers/driver.ts";
import { openPgliteFromSnapshot } from "./store/pglite.ts";
import { createLogger } from "./core/log.ts";

/** The key every test Bay accepts (owner `default`, admin). */
export const TEST_KEY = "test-key-0123456789abcdef";

/** Options of {@link testBay}. */
export interface TestBayOptions {
  /** Extra `BAY_*` variables. */
  env?: Record<string, string>;
  /** A database to use (default: fresh PGlite from the snapshot). */
  db?: Db;
  /** Run real ships in-process for started sessions (default false). */
  ships?: boolean;
  /** Profiles file content (YAML). */
  configYaml?: string;
  /**
   * Which driver (default `fake`). `local` and `docker` run real sandboxes; `kubernetes`
   * needs `BAY_KUBE_CONFIG_FILE` in `env` (e.g. tests/k8s_fake) and makes Bay listen on
   * 127.0.0.1 so ships can dial `BAY_KUBE_BAY_URL` (set to that address unless given).
   */
  driver?: "fake" | "local" | "docker" | "kubernetes";
}

/** A Bay for tests. */
export interface TestBay {
  bay: Bay;
  db: Db;
  /** The fake driver (only when `driver` is `fake`). */
  driver: FakeDriver;
  /** The driver in use, whatever its kind. */
  anyDriver: Driver;
  config: Config;
  dataDir: string;
  /** Fake driver only: cut a session's in-process ship as if its runtime died. */
  killShip(sessionId: string): void;
  /** Send a request through the app; JSON bodies are encoded. */
  request(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string>; key?: string | null },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** Start an in-process Bay on the fake driver. Close it in `finally`. */
export async function testBay(opts: TestBayOptions = {}): Promise<TestBay> {
  const dataDir = await Deno.makeTempDir({ prefix: "bay-test-" });
  const env: Record<string, string> = {
    BAY_DRIVER: opts.driver ?? "fake",
    BAY_API_KEY: TEST_KEY,
    BAY_DATA_DIR: dataDir,
    BAY_GC_ENABLED: "false",
    ...opts.env,
  };
  const kube = opts.driver === "kubernetes";
  if (kube) {
    // Ships dial Bay over TCP: take a free port now so the URL is known before Bay starts.
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    env.BAY_HOST = "127.0.0.1";
    env.BAY_PORT = String(port);
    env.BAY_KUBE_BAY_URL ??= `http://127.0.0.1:${port}`;
  }
  if (opts.configYaml) {
    await Deno.writeTextFile(`${dataDir}/bay.yaml`, opts.configYaml);
    env.BAY_CONFIG_FILE = `${dataDir}/bay.yaml`;
  }
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const config = loaded.config;
  const db = opts.db ?? await openPgliteFromSnapshot();
  const shipsDone = new Set<Promise<unknown>>();
  const runtimes = new Map<string, { stop: () => void; runtime: ShipRuntime }>();
  let bayRef: Bay | null = null;
  const driver = new FakeDriver({
    launch: opts.ships
      ? async (spec) => {
        const ws = `${dataDir}/cargos/${spec.cargoId}`;
        await Deno.mkdir(ws, { recursive: true });
        const runtime = new ShipRuntime({
          workspace: await Deno.realPath(ws),
          runtimeDir: `${dataDir}/run-${spec.sessionId}`,
          eagerKernel: false,
          maxOutputBytes: config.maxOutputBytes,
        });
        const [shipEnd, bayEnd] = createSocketPair();
        let stopped = false;
        const finished = runShipClient(runtime, {
          sessionId: spec.sessionId,
          token: spec.channel.token,
          heartbeatMs: config.heartbeatIntervalMs,
          timeoutMs: config.heartbeatTimeoutMs,
          maxOfflineMs: 0,
          version: "test",
          log: () => {},
          connect: () => {
            if (stopped) throw new Error("stopped");
            bayRef!.services.hub.accept(bayEnd);
            return shipEnd;
          },
        }).finally(() => runtime.close()).catch(() => {});
        shipsDone.add(finished);
        runtimes.set(spec.sessionId, {
          runtime,
          stop: () => {
            stopped = true;
            shipEnd.close();
          },
        });
      }
      : undefined,
    onStop: (_runtimeId, spec) => {
      runtimes.get(spec.sessionId)?.stop();
      runtimes.delete(spec.sessionId);
    },
  });
  const real = opts.driver === "local" || opts.driver === "docker" || kube;
  const bay = await startBay(config, {
    db,
    driver: real ? undefined : driver,
    listen: kube,
    log: createLogger("error", () => {}),
  });
  bayRef = bay;
  return {
    bay,
    db,
    driver,
    anyDriver: bay.services.driver,
    config,
    dataDir,
    killShip(sessionId) {
      runtimes.get(sessionId)?.stop();
      runtimes.delete(sessionId);
    },
    request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.key !== null) headers.Authorization ??= `Bearer ${init.key ?? TEST_KEY}`;
      let body: BodyInit | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
        headers["Content-Type"] ??= "application/json";
      }
      return Promise.resolve(bay.app.request(path, { method, headers, body }));
    },
    async close() {
      for (const r of runtimes.values()) r.stop();
      // Wait for every in-process ship (and its kernel) to be fully shut down: a
      // zeromq socket closed after the module ends can crash the test process.
      await Promise.all(shipsDone);
      if (real) {
        // Stop this Bay's runtimes (docker containers outlive Bay otherwise) ...
        const rts = await db.query<{ runtime_id: string | null }>(
          `SELECT runtime_id FROM sessions WHERE status IN ('starting', 'ready')`,
        ).catch(() => []);
        for (const { runtime_id } of rts) {
          if (runtime_id) await bay.services.driver.stopSession(runtime_id).catch(() => {});
        }
        // ... and release its cargo storage (loop mounts, volumes) before its data dir goes.
        const ids = await db.query<{ id: string }>(`SELECT id FROM cargos`).catch(() => []);
        for (const { id } of ids) await bay.services.driver.deleteCargo(id).catch(() => {});
      }
      await bay.close();
      await db.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

export { tempDatabaseUrl } from "./store/_testing.ts";
export {
  type BayProcess,
  type BayProcessOptions,
  freePort,
  spawnBayProcess,
} from "./_bay_process.ts";
