/**
 * The driver interface: the only thing the core knows about where sessions
 * run. Each concrete driver (local bubblewrap, Docker, Kubernetes, the
 * in-memory fake) lives in its own folder and is chosen by the composition
 * root; the core never imports one.
 *
 * @module
 */
import type { Profile } from "../config/schema.ts";

/** What a driver can enforce; the conformance suite skips what it cannot. */
export interface DriverCapabilities {
  /** Memory limit from the profile is enforced. */
  memoryLimit: boolean;
  /** CPU limit from the profile is enforced. */
  cpuLimit: boolean;
  /** Process-count limit from the profile is enforced. */
  pidsLimit: boolean;
  /** Cargo `size_limit_mb` is enforced. */
  diskQuota: boolean;
  /** Profile network modes this driver supports. */
  networkModes: Profile["network"][];
}

/** How a started ship reaches Bay and proves who it is. */
export interface ShipChannelSpec {
  /** Host path of Bay's ship socket (local and docker drivers bind it in). */
  socketPath?: string;
  /** Bay URL the ship dials when it cannot use the socket (kubernetes). */
  url?: string;
  /** Per-session secret the ship presents in its hello frame. */
  token: string;
}

/** Everything a driver needs to start a session. */
export interface SessionSpec {
  sessionId: string;
  sandboxId: string;
  owner: string;
  cargoId: string;
  cargoSizeLimitMb: number;
  profile: Profile;
  channel: ShipChannelSpec;
  /** Bay instance that started it (label for orphan detection). */
  instanceId: string;
  /**
   * Start the Python kernel as the ship boots (default: when the profile has python). Bay
   * turns it off when the call that starts the session is not a Python one: the kernel is
   * the costliest part of a start and then starts on first use instead.
   */
  eagerKernel?: boolean;
}

/** Whether the ship of `spec` starts its kernel at boot (`SHIP_EAGER_KERNEL`). */
export function eagerKernel(spec: SessionSpec): boolean {
  return spec.profile.capabilities.includes("python") && (spec.eagerKernel ?? true);
}

/** What a driver knows about one runtime. */
export interface RuntimeInfo {
  runtimeId: string;
  sessionId: string | null;
  sandboxId: string | null;
  cargoId: string | null;
  state: "running" | "exited" | "missing";
  exitCode?: number | null;
  /** The runtime was killed for exceeding its memory limit. */
  oomKilled?: boolean;
  /** Human-readable reason when not running. */
  reason?: string;
}

/** A place where sessions run and cargos live. */
export interface Driver {
  /** `local`, `docker`, `kubernetes`, `fake`. */
  readonly name: string;
  /** Cargo `backend` value reported by the API. */
  readonly cargoBackend: string;
  readonly capabilities: DriverCapabilities;
  /** Create the cargo's storage if missing (idempotent). */
  ensureCargo(cargo: { id: string; owner: string; sizeLimitMb: number }): Promise<void>;
  /** Delete the cargo's storage (idempotent). */
  deleteCargo(id: string): Promise<void>;
  /** Start a runtime whose ship will dial Bay; resolves once it is launched. */
  startSession(spec: SessionSpec): Promise<{ runtimeId: string }>;
  /** Stop and remove a runtime (idempotent). */
  stopSession(runtimeId: string): Promise<void>;
  /** Current state of a runtime. */
  inspect(runtimeId: string): Promise<RuntimeInfo>;
  /** Every runtime this driver manages (for reconciliation and orphan GC). */
  listRuntimes(): Promise<RuntimeInfo[]>;
  /** Ids of every cargo storage this driver holds. */
  listCargos(): Promise<string[]>;
  /** Release driver resources (not the runtimes). */
  close(): Promise<void>;
}
