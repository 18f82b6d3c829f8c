/**
 * An in-process Bay that LISTENS like a deployed one: HTTP on a loopback TCP
 * port and the ship channel on a unix socket (both from `bay/server.ts`), with
 * real (in-process, unsandboxed) ships that dial that unix socket. Sessions of
 * sandboxes marked with {@link ListeningBay.hold} get no ship: the test reads
 * the session's credential from the fake driver and plays the ship itself.
 *
 * Only harmless commands may run in these ships: they run on the host as the
 * test's user.
 *
 * @module
 */
import { ShipRuntime } from "@shipyard/ship/runtime";
import { runShipClient } from "@shipyard/ship/client";
import type { ChannelSocket } from "@shipyard/ship/channel";
import { loadConfig } from "../../bay/config/load.ts";
import type { Config } from "../../bay/config/schema.ts";
import { createLogger } from "../../bay/core/log.ts";
import type { SessionSpec } from "../../bay/drivers/driver.ts";
import { FakeDriver } from "../../bay/drivers/fake/mod.ts";
import { type Bay, startBay } from "../../bay/server.ts";
import type { Db } from "../../bay/store/db.ts";
import { openPgliteFromSnapshot } from "../../bay/store/pglite.ts";
import { TEST_KEY } from "../../bay/testing.ts";

export { TEST_KEY };

/** A JSON answer, body read. */
export interface ApiResult {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
}

/** A listening in-process Bay. */
export interface ListeningBay {
  bay: Bay;
  db: Db;
  config: Config;
  dataDir: string;
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Bay's ship socket (mode 0600). */
  socketPath: string;
  /** Every session spec the driver was asked to start, by session id. */
  specs: Map<string, SessionSpec>;
  /** Sessions of `sandboxId` get no ship; the returned function waits for the next one. */
  hold(sandboxId: string): () => Promise<SessionSpec>;
  /** Authenticated JSON request over TCP; returns status and parsed body. */
  api(method: string, path: string, body?: unknown, key?: string): Promise<ApiResult>;
  close(): Promise<void>;
}

/** Dial Bay's unix socket as the ship's client does. */
function dialUnix(path: string): { socket: WebSocket; client: Deno.HttpClient } {
  const client = Deno.createHttpClient({ proxy: { transport: "unix", path } });
  const socket = new WebSocket("ws://bay/v1/ship/connect", { client } as unknown as string[]);
  return { socket, client };
}

/** Start a listening Bay. Close it in `finally`. */
export async function listeningBay(env: Record<string, string> = {}): Promise<ListeningBay> {
  const dataDir = await Deno.makeTempDir({ prefix: "bay-sec-" });
  const loaded = loadConfig({
    BAY_DRIVER: "fake",
    BAY_API_KEY: TEST_KEY,
    BAY_DATA_DIR: dataDir,
    BAY_HOST: "127.0.0.1",
    BAY_PORT: "0",
    BAY_GC_ENABLED: "false",
    BAY_HEARTBEAT_INTERVAL_MS: "500",
    BAY_HEARTBEAT_TIMEOUT_MS: "5000",
    BAY_SESSION_START_TIMEOUT_MS: "15000",
    ...env,
  });
  if (!loaded.ok) throw new Error(loaded.errors.join("; "));
  const config = loaded.config;
  const db = await openPgliteFromSnapshot();
  const specs = new Map<string, SessionSpec>();
  /** Held sandboxes: specs not yet taken, and tests waiting for one. */
  const held = new Map<string, { specs: SessionSpec[]; waiters: ((s: SessionSpec) => void)[] }>();
  const ships = new Map<string, () => void>();
  const log = () => {};
  const driver = new FakeDriver({
    launch: async (spec) => {
      specs.set(spec.sessionId, spec);
      const h = held.get(spec.sandboxId);
      if (h) {
        const w = h.waiters.shift();
        if (w) w(spec);
        else h.specs.push(spec);
        return;
      }
      const ws = `${dataDir}/cargos/${spec.cargoId}`;
      await Deno.mkdir(ws, { recursive: true });
      const runtime = new ShipRuntime({
        workspace: await Deno.realPath(ws),
        runtimeDir: `${dataDir}/run-${spec.sessionId}`,
        eagerKernel: false,
        maxOutputBytes: config.maxOutputBytes,
      });
      let stopped = false;
      let current: { socket: WebSocket; client: Deno.HttpClient } | null = null;
      ships.set(spec.sessionId, () => {
        stopped = true;
        current?.socket.close();
      });
      runShipClient(runtime, {
        sessionId: spec.sessionId,
        token: spec.channel.token,
        heartbeatMs: config.heartbeatIntervalMs,
        timeoutMs: config.heartbeatTimeoutMs,
        maxOfflineMs: 0,
        version: "test",
        log,
        connect: (): ChannelSocket => {
          if (stopped) throw new Error("stopped");
          current?.client.close();
          current = dialUnix(spec.channel.socketPath!);
          return current.socket as unknown as ChannelSocket;
        },
      }).finally(() => {
        current?.client.close();
        return runtime.close();
      });
    },
    onStop: (_rid, spec) => {
      ships.get(spec.sessionId)?.();
      ships.delete(spec.sessionId);
    },
  });
  // The unix ship socket is served for the local and docker drivers only: pose as one.
  Object.defineProperty(driver, "name", { value: "local" });
  const bay = await startBay(config, {
    db,
    driver,
    listen: true,
    log: createLogger("error", () => {}),
  });
  const url = bay.url!;
  return {
    bay,
    db,
    config,
    dataDir,
    url,
    port: Number(new URL(url).port),
    socketPath: bay.shipSocketPath!,
    specs,
    hold(sandboxId) {
      const h = { specs: [] as SessionSpec[], waiters: [] as ((s: SessionSpec) => void)[] };
      held.set(sandboxId, h);
      return () => {
        const ready = h.specs.shift();
        return ready ? Promise.resolve(ready) : new Promise((r) => h.waiters.push(r));
      };
    },
    async api(method, path, body, key = TEST_KEY) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch { /* not JSON */ }
      return { status: res.status, body: parsed, text };
    },
    async close() {
      for (const stop of ships.values()) stop();
      await bay.close();
      await db.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}
