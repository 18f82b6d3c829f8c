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
import type { Driver, DriverCapabilities, RuntimeInfo, SessionSpec } from "../driver.ts";
import { bwrapArgs } from "./_args.ts";

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
}

interface Runtime {
  info: RuntimeInfo;
  child: Deno.ChildProcess;
  tail: string;
}

const TAIL = 8192;

/** Direct children of a process, from /proc. */
async function childrenOf(pid: number): Promise<number[]> {
  const out: number[] = [];
  try {
    for await (const t of Deno.readDir(`/proc/${pid}/task`)) {
      const text = await Deno.readTextFile(`/proc/${pid}/task/${t.name}/children`).catch(() => "");
      out.push(...text.trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch { /* process gone */ }
  return out;
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
  return new LocalDriver(opts);
}

/** Sessions as bubblewrap process trees. */
export class LocalDriver implements Driver {
  readonly name = "local";
  readonly cargoBackend = "local_dir";
  readonly capabilities: DriverCapabilities = {
    memoryLimit: false,
    cpuLimit: false,
    pidsLimit: false,
    diskQuota: false,
    networkModes: ["none", "host"],
  };
  #opts: LocalDriverOptions;
  #runtimes = new Map<string, Runtime>();
  #seq = 0;
  /** Repository root (holds deno.json, ship/, node_modules/). */
  #repo = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

  constructor(opts: LocalDriverOptions) {
    this.#opts = opts;
  }

  #cargoDir(id: string): string {
    if (!/^ws-[0-9a-f]{12}$/.test(id)) throw new Error(`bad cargo id ${id}`);
    return join(this.#opts.dataDir, "cargos", id);
  }

  async ensureCargo(cargo: { id: string }): Promise<void> {
    const dir = this.#cargoDir(cargo.id);
    await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
    await Deno.chown(dir, this.#opts.uid, this.#opts.gid);
  }

  async deleteCargo(id: string): Promise<void> {
    await Deno.remove(this.#cargoDir(id), { recursive: true }).catch((e) => {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    });
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
      SHIP_EAGER_KERNEL: spec.profile.capabilities.includes("python") ? "1" : "0",
      // Read-only and absent: nothing the ship runs can be altered through a cache.
      DENO_DIR: "/opt/shipyard/.no-deno-dir",
      HOME: "/run/ship",
      NO_COLOR: "1",
    };
    const child = new Deno.Command(this.#opts.bwrapPath, {
      args,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const rt: Runtime = {
      info: {
        runtimeId,
        sessionId: spec.sessionId,
        sandboxId: spec.sandboxId,
        cargoId: spec.cargoId,
        state: "running",
      },
      child,
      tail: "",
    };
    this.#runtimes.set(runtimeId, rt);
    // The credential travels on stdin, so it never sits in any environment block.
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(spec.channel.token + "\n")).catch(() => {});
    await w.close().catch(() => {});
    const keep = async (s: ReadableStream<Uint8Array>) => {
      for await (const chunk of s.pipeThrough(new TextDecoderStream())) {
        rt.tail = (rt.tail + chunk).slice(-TAIL);
      }
    };
    keep(child.stdout).catch(() => {});
    keep(child.stderr).catch(() => {});
    child.status.then((st) => {
      rt.info = {
        ...rt.info,
        state: "exited",
        exitCode: st.code,
        reason: `ship exited (${st.signal ?? `code ${st.code}`}): ${rt.tail.slice(-500).trim()}`,
      };
    });
    return { runtimeId };
  }

  async stopSession(runtimeId: string): Promise<void> {
    const rt = this.#runtimes.get(runtimeId);
    if (!rt) return;
    if (rt.info.state === "running") {
      // Killing the sandbox's PID 1 (bwrap's child) ends every process in its PID namespace.
      for (const pid of await childrenOf(rt.child.pid)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch { /* already gone */ }
      }
      try {
        rt.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
    await rt.child.status;
    this.#runtimes.delete(runtimeId);
  }

  /** Host PID of a runtime's sandbox init (tests use it to simulate crashes). */
  async pidOf(runtimeId: string): Promise<number | null> {
    const rt = this.#runtimes.get(runtimeId);
    if (!rt) return null;
    return (await childrenOf(rt.child.pid))[0] ?? null;
  }

  inspect(runtimeId: string): Promise<RuntimeInfo> {
    const rt = this.#runtimes.get(runtimeId);
    return Promise.resolve(
      rt?.info ??
        { runtimeId, sessionId: null, sandboxId: null, cargoId: null, state: "missing" },
    );
  }

  listRuntimes(): Promise<RuntimeInfo[]> {
    return Promise.resolve([...this.#runtimes.values()].map((r) => r.info));
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
