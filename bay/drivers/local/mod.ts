/**
 * The local driver: each session is a bubblewrap sandbox on this host (new
 * mount, PID, IPC, UTS and network namespaces; read-only system; the cargo
 * directory at /workspace; a private /tmp; the ship channel over Bay's
 * bind-mounted unix socket). No daemon and no image are needed. bwrap has no
 * cgroups, so memory/cpu/pids/disk limits are not enforced here (see
 * `capabilities`).
 *
 * @module
 */
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Logger } from "../../core/log.ts";
import {
  type Driver,
  type DriverCapabilities,
  eagerKernel,
  type RuntimeInfo,
  type SessionSpec,
} from "../driver.ts";
import { mountCargo, removeCargo } from "../_loop_quota.ts";
import { bwrapArgs } from "./_args.ts";
import {
  childrenOf,
  findInit,
  isBwrapAlive,
  killInit,
  killSandbox,
  spawnBwrap,
  tailOf,
} from "./_process.ts";

/** Options of the local driver. */
export interface LocalDriverOptions {
  /** Bay's data directory; cargos live in `<dataDir>/cargos/<id>`. */
  dataDir: string;
  bwrapPath: string;
  pythonPath: string;
  /** uid/gid of user code. */
  uid: number;
  gid: number;
  heartbeatMs: number;
  log: Logger;
  /** This Bay's id: each replica adopts only the sandboxes it started. */
  instanceId?: string;
  /** Enforce cargo size limits with loop-mounted images. */
  cargoQuota?: "none" | "loop";
}

interface Runtime {
  info: RuntimeInfo;
  /** Host PID of bwrap. */
  pid: number;
  /** Host PID of the sandbox's init (bwrap's child), killed whenever the runtime ends. */
  initPid: number | null;
  /** Present when this Bay started it; adopted runtimes are watched through /proc. */
  child?: Deno.ChildProcess;
  logFile: string;
}

/** What survives a Bay restart: enough to adopt a running sandbox. */
interface RuntimeRecord {
  runtimeId: string;
  pid: number;
  initPid: number | null;
  sessionId: string;
  sandboxId: string;
  cargoId: string;
}

/** Check bwrap is usable, then build the driver. */
export async function createLocalDriver(opts: LocalDriverOptions): Promise<Driver> {
  const probe = await new Deno.Command(opts.bwrapPath, {
    args: ["--version"],
    stdout: "null",
    stderr: "null",
  })
    .output().catch((e) => ({ success: false, error: e }));
  if (!probe.success) {
    throw new Error(`local driver: ${opts.bwrapPath} is not runnable (install bubblewrap)`);
  }
  await Deno.mkdir(join(opts.dataDir, "cargos"), { recursive: true, mode: 0o711 });
  const etc = join(opts.dataDir, "etc");
  await Deno.mkdir(etc, { recursive: true, mode: 0o755 });
  await Deno.writeTextFile(
    join(etc, "passwd"),
    `root:x:0:0:root:/root:/bin/bash\nuser:x:${opts.uid}:${opts.gid}:sandbox user:/workspace:/bin/bash\n` +
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
  );
  await Deno.writeTextFile(
    join(etc, "group"),
    `root:x:0:\nuser:x:${opts.gid}:\nnogroup:x:65534:\n`,
  );
  await Deno.chmod(opts.dataDir, 0o711);
  const driver = new LocalDriver(opts);
  await driver.adopt();
  return driver;
}

/** Sessions as bubblewrap process trees. */
export class LocalDriver implements Driver {
  readonly name = "local";
  readonly cargoBackend = "local_dir";
  readonly capabilities: DriverCapabilities;
  #opts: LocalDriverOptions;
  #runtimes = new Map<string, Runtime>();
  #seq = 0;
  /** Repository root (holds deno.json, ship/, node_modules/). */
  #repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

  constructor(opts: LocalDriverOptions) {
    this.#opts = opts;
    this.capabilities = {
      memoryLimit: false,
      cpuLimit: false,
      pidsLimit: false,
      diskQuota: opts.cargoQuota === "loop",
      networkModes: ["none", "host"],
    };
  }

  #cargoDir(id: string): string {
    if (!/^ws-[0-9a-f]{12}$/.test(id)) throw new Error(`bad cargo id ${id}`);
    return join(this.#opts.dataDir, "cargos", id);
  }

  #recordFile(runtimeId: string): string {
    return join(this.#runtimesDir(), `${runtimeId}.json`);
  }

  /** Take over sandboxes a previous Bay process started and left running. */
  async adopt(): Promise<void> {
    const dir = this.#runtimesDir();
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.mkdir(join(this.#opts.dataDir, "logs"), { recursive: true, mode: 0o700 });
    for await (const e of Deno.readDir(dir)) {
      if (!e.name.endsWith(".json")) continue;
      const file = join(dir, e.name);
      try {
        const r = JSON.parse(await Deno.readTextFile(file)) as RuntimeRecord;
        if (await isBwrapAlive(r.pid)) {
          this.#runtimes.set(r.runtimeId, {
            info: {
              runtimeId: r.runtimeId,
              sessionId: r.sessionId,
              sandboxId: r.sandboxId,
              cargoId: r.cargoId,
              state: "running",
            },
            pid: r.pid,
            // Null when the previous Bay died right after the spawn: look now.
            initPid: r.initPid ?? await findInit(r.pid, 500),
            logFile: this.#logFile(r.sessionId),
          });
          this.#opts.log.info("adopted a running sandbox", { runtime_id: r.runtimeId, pid: r.pid });
          continue;
        }
        await killInit(r.initPid);
      } catch { /* unreadable record */ }
      await Deno.remove(file).catch(() => {});
    }
  }

  #runtimesDir(): string {
    return join(this.#opts.dataDir, "runtimes", this.#opts.instanceId ?? "default");
  }

  #logFile(sessionId: string): string {
    return join(this.#opts.dataDir, "logs", `${sessionId}.log`);
  }

  async ensureCargo(cargo: { id: string; sizeLimitMb: number }): Promise<void> {
    const dir = this.#cargoDir(cargo.id);
    const owner = { uid: this.#opts.uid, gid: this.#opts.gid };
    if (this.#opts.cargoQuota === "loop") {
      return await mountCargo(dir, `${dir}.img`, cargo.sizeLimitMb, owner);
    }
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
    await Deno.chown(dir, owner.uid, owner.gid);
  }

  async deleteCargo(id: string): Promise<void> {
    const dir = this.#cargoDir(id);
    await removeCargo(dir, `${dir}.img`);
  }

  async startSession(spec: SessionSpec): Promise<{ runtimeId: string }> {
    if (!spec.channel.socketPath) throw new Error("local driver needs Bay's ship socket");
    if (!this.capabilities.networkModes.includes(spec.profile.network)) {
      throw new Error(`local driver supports network none or host, not ${spec.profile.network}`);
    }
    const runtimeId = `local-${spec.sessionId}-${++this.#seq}`;
    const dataInRepo = relative(this.#repo, this.#opts.dataDir);
    const args = bwrapArgs({
      repo: this.#repo,
      maskInRepo: dataInRepo.startsWith("..") || dataInRepo === "" ? null : dataInRepo,
      deno: Deno.execPath(),
      cargoDir: this.#cargoDir(spec.cargoId),
      socketPath: spec.channel.socketPath,
      network: spec.profile.network === "host",
      uid: this.#opts.uid,
      gid: this.#opts.gid,
      hostname: spec.sandboxId,
      etcDir: join(this.#opts.dataDir, "etc"),
    });
    const env: Record<string, string> = {
      PATH: "/usr/local/bin:/usr/bin:/bin",
      SHIP_SESSION_ID: spec.sessionId,
      SHIP_SOCKET: "/run/bay/ship.sock",
      SHIP_UID: String(this.#opts.uid),
      SHIP_GID: String(this.#opts.gid),
      SHIP_WORKSPACE: "/workspace",
      SHIP_PYTHON: this.#opts.pythonPath,
      SHIP_USER_ENV: JSON.stringify(spec.profile.env),
      SHIP_RUNTIME_DIR: "/tmp/.ship",
      SHIP_HEARTBEAT_MS: String(this.#opts.heartbeatMs),
      SHIP_EAGER_KERNEL: eagerKernel(spec) ? "1" : "0",
      // Read-only and absent: nothing the ship runs can be altered through a cache.
      DENO_DIR: "/opt/shipyard/.no-deno-dir",
      HOME: "/run/ship",
      NO_COLOR: "1",
    };
    const logFile = this.#logFile(spec.sessionId);
    const file = this.#recordFile(runtimeId);
    const record: RuntimeRecord = {
      runtimeId,
      pid: 0,
      initPid: null,
      sessionId: spec.sessionId,
      sandboxId: spec.sandboxId,
      cargoId: spec.cargoId,
    };
    // Recorded synchronously at the spawn: a Bay killed from then on leaves a runtime the
    // next one adopts (and GC can stop), never an untracked one.
    const child = await spawnBwrap(
      this.#opts.bwrapPath,
      args,
      env,
      logFile,
      spec.channel.token,
      (pid) => {
        record.pid = pid;
        Deno.writeTextFileSync(file, JSON.stringify(record), { mode: 0o600 });
      },
    );
    const rt: Runtime = {
      info: {
        runtimeId,
        sessionId: spec.sessionId,
        sandboxId: spec.sandboxId,
        cargoId: spec.cargoId,
        state: "running",
      },
      pid: child.pid,
      initPid: null,
      child,
      logFile,
    };
    this.#runtimes.set(runtimeId, rt);
    rt.initPid = record.initPid = await findInit(child.pid);
    await Deno.writeTextFile(file, JSON.stringify(record), { mode: 0o600 });
    child.status.then(async (st) => {
      await killInit(rt.initPid);
      const tail = (await tailOf(logFile, 600)).trim();
      rt.info = {
        ...rt.info,
        state: "exited",
        exitCode: st.code,
        reason: `ship exited (${st.signal ?? `code ${st.code}`})${tail ? `: ${tail}` : ""}`,
      };
    });
    return { runtimeId };
  }

  async stopSession(runtimeId: string): Promise<void> {
    const rt = this.#runtimes.get(runtimeId);
    if (!rt) return;
    await killSandbox(rt.pid);
    await killInit(rt.initPid);
    if (rt.child) await rt.child.status;
    else {
      for (let i = 0; i < 100 && await isBwrapAlive(rt.pid); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.#runtimes.delete(runtimeId);
    await Deno.remove(this.#recordFile(runtimeId)).catch(() => {});
  }

  /** Host PID of a runtime's sandbox init (tests use it to simulate crashes). */
  async pidOf(runtimeId: string): Promise<number | null> {
    const rt = this.#runtimes.get(runtimeId);
    if (!rt) return null;
    return (await childrenOf(rt.pid))[0] ?? null;
  }

  async inspect(runtimeId: string): Promise<RuntimeInfo> {
    const rt = this.#runtimes.get(runtimeId);
    if (!rt) {
      return { runtimeId, sessionId: null, sandboxId: null, cargoId: null, state: "missing" };
    }
    if (!rt.child && rt.info.state === "running" && !(await isBwrapAlive(rt.pid))) {
      await killInit(rt.initPid);
      const tail = (await tailOf(rt.logFile, 600)).trim();
      rt.info = { ...rt.info, state: "exited", reason: `ship exited${tail ? `: ${tail}` : ""}` };
    }
    return rt.info;
  }

  async listRuntimes(): Promise<RuntimeInfo[]> {
    return await Promise.all([...this.#runtimes.keys()].map((id) => this.inspect(id)));
  }

  async listCargos(): Promise<string[]> {
    const out: string[] = [];
    for await (const e of Deno.readDir(join(this.#opts.dataDir, "cargos"))) {
      if (e.isDirectory && /^ws-[0-9a-f]{12}$/.test(e.name)) out.push(e.name);
    }
    return out.sort();
  }

  async close(): Promise<void> {
    await Promise.all([...this.#runtimes.keys()].map((id) => this.stopSession(id)));
  }
}
