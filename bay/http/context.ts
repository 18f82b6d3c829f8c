/**
 * What HTTP handlers can reach: the services, and per-request variables.
 *
 * @module
 */
import type { Config } from "../config/schema.ts";
import type { Authenticator, Principal } from "../core/auth.ts";
import type { CargoService } from "../core/cargos.ts";
import type { Logger } from "../core/log.ts";
import type { SandboxService } from "../core/sandboxes.ts";
import type { ShipHub } from "../ship_hub/hub.ts";
import type { TransferBroker } from "../ship_hub/transfers.ts";
import type { Db } from "../store/db.ts";
import type { Driver } from "../drivers/driver.ts";
import type { WarmPool } from "../core/warm_pool.ts";
import type { InstanceRegistry } from "../core/instances.ts";
import type { Metrics } from "../core/metrics.ts";
import type { ExecService } from "../core/exec.ts";
import type { FileService } from "../core/files.ts";
import type { GarbageCollector } from "../core/gc.ts";
import type { ProcessService } from "../core/processes.ts";
import type { TerminalService } from "../core/terminal.ts";
import type { HistoryService } from "../core/history.ts";
import type { ReleaseService } from "../core/releases.ts";
import type { SkillService } from "../core/skills.ts";

/** Services the HTTP layer uses. */
export interface Services {
  config: Config;
  db: Db;
  log: Logger;
  auth: Authenticator;
  sandboxes: SandboxService;
  cargos: CargoService;
  exec: ExecService;
  files: FileService;
  hub: ShipHub;
  transfers: TransferBroker;
  gc: GarbageCollector;
  processes: ProcessService;
  terminal: TerminalService;
  history: HistoryService;
  skills: SkillService;
  releases: ReleaseService;
  driver: Driver;
  pool: WarmPool;
  instances: InstanceRegistry;
  metrics: Metrics;
  version: string;
}

/** Hono environment of Bay's app. */
export interface BayEnv {
  Variables: {
    requestId: string;
    principal: Principal;
  };
}
