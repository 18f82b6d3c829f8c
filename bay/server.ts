/**
 * The composition root: builds the store, the driver, the ship hub and the
 * services from a parsed config, and serves HTTP plus the ship socket. The
 * only module that knows the concrete drivers.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { Config } from "./config/schema.ts";
import { Authenticator, bootstrapKeys } from "./core/auth.ts";
import { CargoService } from "./core/cargos.ts";
import { ExecService } from "./core/exec.ts";
import { FileService } from "./core/files.ts";
import { GarbageCollector } from "./core/gc.ts";
import { InstanceRegistry } from "./core/instances.ts";
import { Metrics } from "./core/metrics.ts";
import { instrumentDb } from "./store/instrumented.ts";
import { POOL_OWNER, WarmPool } from "./core/warm_pool.ts";
import { ProcessService } from "./core/processes.ts";
import { TerminalService } from "./core/terminal.ts";
import { HistoryService } from "./core/history.ts";
import { ReleaseService } from "./core/releases.ts";
import { SkillService } from "./core/skills.ts";
import { randomHex } from "./core/ids.ts";
import { createLogger, type Logger } from "./core/log.ts";
import { SandboxService } from "./core/sandboxes.ts";
import { SessionManager } from "./core/sessions.ts";
import type { Driver } from "./drivers/driver.ts";
import { FakeDriver } from "./drivers/fake/mod.ts";
import { createDockerDriver } from "./drivers/docker/mod.ts";
import { createLocalDriver } from "./drivers/local/mod.ts";
import { createKubernetesDriver } from "./drivers/kubernetes/mod.ts";
import { createApp, shipConnectHandler } from "./http/app.ts";
import type { Services } from "./http/context.ts";
import { ShipHub } from "./ship_hub/hub.ts";
import { TransferBroker } from "./ship_hub/transfers.ts";
import type { Db } from "./store/db.ts";
import { migrate } from "./store/migrate.ts";
import { openPglite } from "./store/pglite.ts";
import { openPostgres } from "./store/postgres.ts";
import { getSession, markReady } from "./store/sessions.ts";
import { hashKey } from "./core/auth.ts";
import { VERSION } from "./version.ts";

/** Things a caller may inject instead of building them from config (tests). */
export interface BayOverrides {
  db?: Db;
  driver?: Driver;
  log?: Logger;
  /** Serve HTTP (default true). */
  listen?: boolean;
}

/** A running Bay. */
export interface Bay {
  services: Services;
  app: ReturnType<typeof createApp>;
  /** Base URL when listening. */
  url: string | null;
  /** Key generated on first start (printed once), if any. */
  generatedKey: string | null;
  credentialsFile: string | null;
  shipSocketPath: string | null;
  close(): Promise<void>;
}

/** The id this data directory's Bay keeps across restarts (so it can reclaim its sessions). */
async function stableInstanceId(dataDir: string): Promise<string> {
  const file = join(dataDir, "instance-id");
  try {
    const id = (await Deno.readTextFile(file)).trim();
    if (/^[A-Za-z0-9._-]{1,64}$/.test(id)) return id;
  } catch { /* first start */ }
  const id = `bay-${randomHex(4)}`;
  await Deno.writeTextFile(file, id + "\n", { mode: 0o600 });
  return id;
}

/** Build the configured driver. */
async function makeDriver(config: Config, log: Logger, instanceId: string): Promise<Driver> {
  switch (config.driver) {
    case "fake":
      return new FakeDriver();
    case "local":
      return await createLocalDriver({
        dataDir: resolve(config.dataDir),
        bwrapPath: config.bwrapPath,
        pythonPath: config.pythonPath,
        uid: config.sandboxUid,
        gid: config.sandboxGid,
        heartbeatMs: config.heartbeatIntervalMs,
        log,
        cargoQuota: config.cargoQuota,
        instanceId,
      });
    case "docker":
      return await createDockerDriver({
        socketPath: config.dockerSocketPath,
        image: config.dockerImage,
        uid: config.sandboxUid,
        gid: config.sandboxGid,
        heartbeatMs: config.heartbeatIntervalMs,
        log,
        cargoQuota: config.cargoQuota,
        dataDir: resolve(config.dataDir),
        instanceId,
      });
    case "kubernetes":
      return await createKubernetesDriver({
        kubeConfigFile: config.kubeConfigFile,
        namespace: config.kubeNamespace,
        image: config.kubeImage,
        bayUrl: config.kubeBayUrl ?? "",
        storageClass: config.kubeStorageClass,
        runtimeClassName: config.kubeRuntimeClassName,
        uid: config.sandboxUid,
        gid: config.sandboxGid,
        heartbeatMs: config.heartbeatIntervalMs,
        startTimeoutMs: config.sessionStartTimeoutMs,
        log,
      });
    default:
      throw new Error(`driver ${config.driver} is not available in this build`);
  }
}

/** Start Bay from `config`. */
export async function startBay(config: Config, over: BayOverrides = {}): Promise<Bay> {
  const log = over.log ?? createLogger(config.logLevel);
  const dataDir = resolve(config.dataDir);
  await Deno.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const metrics = new Metrics();
  const rawDb = over.db ??
    (config.databaseUrl
      ? await openPostgres(config.databaseUrl)
      : await openPglite({ dataDir: join(dataDir, "pgdata") }));
  const db = instrumentDb(rawDb, metrics.storeQuery);
  await migrate(db, new URL("./store/migrations/", import.meta.url));
  const keys = await bootstrapKeys(db, { apiKey: config.apiKey, dataDir });
  const instanceId = config.instanceId ?? await stableInstanceId(dataDir);
  const driver = over.driver ?? await makeDriver(config, log, instanceId);
  let sessions: SessionManager | null = null;
  const transfers = new TransferBroker();
  const hub = new ShipHub({
    transfers,
    heartbeatMs: config.heartbeatIntervalMs,
    timeoutMs: config.heartbeatTimeoutMs,
    verify: async (sessionId, token) => {
      const s = await getSession(db, sessionId);
      const ok = !!s && (s.status === "starting" || s.status === "ready") &&
        s.token_hash === await hashKey(token);
      return ok ? { sandboxId: s!.sandbox_id } : null;
    },
    onDetach: (sid, reason) => sessions?.onDetach(sid, reason),
    // Whichever replica a ship reaches becomes its holder (requests are forwarded there).
    onAttach: (sid) => {
      markReady(db, sid, instanceId).catch((e) =>
        log.warn("could not record the ship's replica", { session_id: sid, error: String(e) })
      );
    },
    log: (msg, fields) => log.info(msg, fields),
  });
  let shipSocketPath: string | null = null;
  let socketServer: Deno.HttpServer | null = null;
  if (driver.name === "local" || driver.name === "docker") {
    // One directory per instance, bound into runtimes as a directory (not the socket
    // file), so a restarted Bay's new socket is visible to sandboxes that outlived it.
    const runDir = join(dataDir, "run", instanceId);
    await Deno.mkdir(runDir, { recursive: true, mode: 0o700 });
    await Deno.chmod(runDir, 0o700);
    shipSocketPath = join(runDir, "ship.sock");
    await Deno.remove(shipSocketPath).catch(() => {});
    const handler = shipConnectHandler(hub);
    socketServer = Deno.serve(
      {
        path: shipSocketPath,
        transport: "unix",
        onListen: () => {},
      },
      (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/v1/ship/connect") return handler(req);
        const m = /^\/v1\/ship\/transfers\/([0-9a-f]{64})$/.exec(path);
        if (m) return transfers.handle(req, m[1]);
        return new Response("not found", { status: 404 });
      },
    );
    await Deno.chmod(shipSocketPath, 0o600);
  }
  const advertise = config.advertiseUrl ?? null;
  const instances = new InstanceRegistry(
    db,
    log,
    instanceId,
    advertise,
    config.heartbeatIntervalMs,
  );
  sessions = new SessionManager({
    config,
    db,
    driver,
    hub,
    log,
    instanceId,
    shipSocketPath: shipSocketPath ?? undefined,
    shipUrl: driver.name === "kubernetes" ? config.kubeBayUrl : undefined,
    metrics,
  });
  const sandboxes = new SandboxService({ config, db, driver, hub, sessions });
  const pool = new WarmPool({
    config,
    db,
    driver,
    sessions,
    log,
    metrics,
    deleteSandbox: (owner, id) => sandboxes.delete(owner, id),
    instanceId,
  });
  sandboxes.setPool(pool);
  const gc = new GarbageCollector({
    config,
    db,
    driver,
    sandboxes,
    sessions,
    hub,
    log,
    instanceId,
    metrics,
  });
  const services: Services = {
    config,
    db,
    log,
    auth: new Authenticator(db),
    sandboxes,
    cargos: new CargoService(db, driver),
    exec: new ExecService(db, sandboxes, metrics),
    files: new FileService(sandboxes, config),
    hub,
    transfers,
    gc,
    processes: new ProcessService(sandboxes),
    terminal: new TerminalService(db, sandboxes, log),
    history: new HistoryService(db),
    skills: new SkillService(db),
    releases: new ReleaseService(db),
    driver,
    pool,
    instances,
    metrics,
    version: VERSION,
  };
  const startQueue = sessions.startQueue;
  metrics.gauges({
    shipsConnected: () => hub.size,
    sessionStarts: () => ({ running: startQueue.running, queued: startQueue.waiting }),
    channelBytes: () => hub.channelBytes(),
    sessionsByState: async () =>
      Object.fromEntries(
        (await db.query<{ status: string; n: number }>(
          `SELECT status, count(*)::int AS n FROM sessions GROUP BY status`,
        )).map((r) => [r.status, r.n]),
      ),
    poolSize: async () =>
      Object.fromEntries(
        (await db.query<{ profile: string; n: number }>(
          `SELECT s.profile, count(*)::int AS n FROM sandboxes s
             JOIN sessions se ON se.id = s.current_session_id
           WHERE s.owner = $1 AND s.deleted_at IS NULL AND se.status = 'ready'
             AND s.warmed_at IS NOT NULL
           GROUP BY s.profile`,
          [POOL_OWNER],
        )).map((r) => [r.profile, r.n]),
      ),
  });
  const app = createApp(services);
  let server: Deno.HttpServer | null = null;
  let url: string | null = null;
  if (over.listen !== false) {
    const ready = Promise.withResolvers<void>();
    server = Deno.serve({
      hostname: config.host,
      port: config.port,
      onListen: (addr) => {
        url = `http://${
          addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname
        }:${addr.port}`;
        ready.resolve();
      },
    }, app.fetch);
    await ready.promise;
  }
  // Without BAY_ADVERTISE_URL, a loopback/specific listen address is advertised as is.
  const wildcard = config.host === "0.0.0.0" || config.host === "::";
  await instances.start(url && !wildcard ? url : null);
  gc.start();
  pool.start();
  return {
    services,
    app,
    get url() {
      return url;
    },
    generatedKey: keys.generated,
    credentialsFile: keys.credentialsFile,
    shipSocketPath,
    async close() {
      await instances.stop();
      gc.stop();
      pool.stop();
      await pool.settle();
      await pool.drain().catch((e) => log.warn("warm pool drain failed", { error: String(e) }));
      hub.closeAll("bay shutting down");
      await server?.shutdown();
      await socketServer?.shutdown();
      await driver.close();
      if (!over.db) await rawDb.close();
    },
  };
}
