/**
 * The in-memory fake driver: records cargos and runtimes without running
 * anything. API tests that need no runtime use it; a test can attach a
 * `launch` hook to run a ship itself (for example in-process).
 *
 * @module
 */
import type { Driver, DriverCapabilities, RuntimeInfo, SessionSpec } from "../driver.ts";

/** Options of the fake driver. */
export interface FakeDriverOptions {
  /** Called for every started session (e.g. to connect a ship). */
  launch?: (spec: SessionSpec) => void | Promise<void>;
  /** Called when a runtime is stopped. */
  onStop?: (runtimeId: string, spec: SessionSpec) => void;
}

/** An in-memory driver for tests. */
export class FakeDriver implements Driver {
  readonly name = "fake";
  readonly cargoBackend = "fake";
  readonly capabilities: DriverCapabilities = {
    memoryLimit: false,
    cpuLimit: false,
    pidsLimit: false,
    diskQuota: false,
    // In-process ships share the host network.
    networkModes: ["host"],
  };
  /** Cargo ids currently held. */
  readonly cargos = new Set<string>();
  /** Runtimes by id. */
  readonly runtimes = new Map<string, RuntimeInfo>();
  /** Session specs by runtime id. */
  readonly specs = new Map<string, SessionSpec>();
  /** Set to make the next starts fail with this message. */
  failStartWith: string | null = null;
  #seq = 0;
  #opts: FakeDriverOptions;

  constructor(opts: FakeDriverOptions = {}) {
    this.#opts = opts;
  }

  ensureCargo(cargo: { id: string }): Promise<void> {
    this.cargos.add(cargo.id);
    return Promise.resolve();
  }

  deleteCargo(id: string): Promise<void> {
    this.cargos.delete(id);
    return Promise.resolve();
  }

  async startSession(spec: SessionSpec): Promise<{ runtimeId: string }> {
    if (this.failStartWith) throw new Error(this.failStartWith);
    const runtimeId = `fake-${++this.#seq}`;
    this.runtimes.set(runtimeId, {
      runtimeId,
      sessionId: spec.sessionId,
      sandboxId: spec.sandboxId,
      cargoId: spec.cargoId,
      state: "running",
    });
    this.specs.set(runtimeId, spec);
    await this.#opts.launch?.(spec);
    return { runtimeId };
  }

  stopSession(runtimeId: string): Promise<void> {
    const spec = this.specs.get(runtimeId);
    if (this.runtimes.delete(runtimeId) && spec) this.#opts.onStop?.(runtimeId, spec);
    this.specs.delete(runtimeId);
    return Promise.resolve();
  }

  /** Simulate a crash: the runtime exits with `exitCode`. */
  crash(runtimeId: string, exitCode = 137): void {
    const info = this.runtimes.get(runtimeId);
    if (info) this.runtimes.set(runtimeId, { ...info, state: "exited", exitCode });
  }

  inspect(runtimeId: string): Promise<RuntimeInfo> {
    return Promise.resolve(
      this.runtimes.get(runtimeId) ??
        { runtimeId, sessionId: null, sandboxId: null, cargoId: null, state: "missing" },
    );
  }

  listRuntimes(): Promise<RuntimeInfo[]> {
    return Promise.resolve([...this.runtimes.values()]);
  }

  listCargos(): Promise<string[]> {
    return Promise.resolve([...this.cargos]);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
