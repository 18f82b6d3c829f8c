/**
 * The Docker driver (dockerode against a real dockerd): one container per
 * session, one named volume per cargo, labels for ownership and orphan
 * detection. Hardened by default: read-only root, writable /workspace and
 * tmpfs /tmp and /run only, every capability dropped except the few the ship
 * needs to drop privileges, `no-new-privileges`, memory/cpu/pids limits from
 * the profile, network `none` unless the profile asks for `bridge`. The ship
 * reaches Bay through Bay's unix socket, bind-mounted at /run/bay/ship.sock;
 * its credential goes in on stdin, never in the environment.
 *
 * @module
 */
// @ts-types="@types/dockerode"
import Docker from "dockerode";
import { join } from "node:path";
import type { Logger } from "../../core/log.ts";
import { mountCargo, removeCargo } from "../_loop_quota.ts";
import type { Driver, DriverCapabilities, RuntimeInfo, SessionSpec } from "../driver.ts";
import { containerSpec, LABEL, volumeName } from "./_spec.ts";

/** Options of the Docker driver. */
export interface DockerDriverOptions {
  socketPath: string;
  /** Runtime image, e.g. `shipyard-neo/ship:latest` (profiles may override). */
  image: string;
  uid: number;
  gid: number;
  heartbeatMs: number;
  log: Logger;
  /** `loop`: each cargo volume is a loop-mounted ext4 image of its size limit. */
  cargoQuota?: "none" | "loop";
  /** Where loop-mounted cargo images live (with `cargoQuota: loop`). */
  dataDir?: string;
  /**
   * This Bay's id. Containers and volumes are labelled with it and only those are listed,
   * so GC never takes another Bay's (a separate deployment on the same host) for orphans.
   */
  instanceId?: string;
}

function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number })?.statusCode === 404;
}

/** Connect to dockerd and check the API answers. */
export async function createDockerDriver(opts: DockerDriverOptions): Promise<Driver> {
  const docker = new Docker({ socketPath: opts.socketPath });
  try {
    await docker.ping();
  } catch (e) {
    throw new Error(
      `docker driver: cannot reach dockerd at ${opts.socketPath}: ${(e as Error).message}`,
    );
  }
  return new DockerDriver(docker, opts);
}

/** Sessions as hardened containers. */
export class DockerDriver implements Driver {
  readonly name = "docker";
  readonly cargoBackend = "docker_volume";
  readonly capabilities: DriverCapabilities;
  #docker: Docker;
  #opts: DockerDriverOptions;

  constructor(docker: Docker, opts: DockerDriverOptions) {
    this.#docker = docker;
    this.#opts = opts;
    this.capabilities = {
      memoryLimit: true,
      cpuLimit: true,
      pidsLimit: true,
      diskQuota: opts.cargoQuota === "loop" && !!opts.dataDir,
      networkModes: ["none", "bridge"],
    };
  }

  /** Label filters matching what this Bay created. */
  #ownLabels(): string[] {
    const own = [`${LABEL.managed}=1`];
    if (this.#opts.instanceId) own.push(`${LABEL.instance}=${this.#opts.instanceId}`);
    return own;
  }

  #quotaDir(id: string): string | null {
    if (!this.capabilities.diskQuota) return null;
    if (!/^ws-[0-9a-f]{12}$/.test(id)) throw new Error(`bad cargo id ${id}`);
    return join(this.#opts.dataDir!, "cargos", id);
  }

  async ensureCargo(cargo: { id: string; owner: string; sizeLimitMb: number }): Promise<void> {
    const name = volumeName(cargo.id);
    const dir = this.#quotaDir(cargo.id);
    if (dir) {
      await mountCargo(dir, `${dir}.img`, cargo.sizeLimitMb, {
        uid: this.#opts.uid,
        gid: this.#opts.gid,
      });
    }
    try {
      await this.#docker.getVolume(name).inspect();
      return;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.#docker.createVolume({
      Name: name,
      Labels: {
        [LABEL.managed]: "1",
        [LABEL.cargo]: cargo.id,
        [LABEL.owner]: cargo.owner,
        ...(this.#opts.instanceId ? { [LABEL.instance]: this.#opts.instanceId } : {}),
      },
      // With quotas the volume is a bind of the loop-mounted, size-limited image.
      ...(dir ? { Driver: "local", DriverOpts: { type: "none", o: "bind", device: dir } } : {}),
    });
  }

  async deleteCargo(id: string): Promise<void> {
    try {
      await this.#docker.getVolume(volumeName(id)).remove({ force: true });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const dir = this.#quotaDir(id);
    if (dir) await removeCargo(dir, `${dir}.img`);
  }

  async startSession(spec: SessionSpec): Promise<{ runtimeId: string }> {
    if (!spec.channel.socketPath) throw new Error("docker driver needs Bay's ship socket");
    if (!this.capabilities.networkModes.includes(spec.profile.network)) {
      throw new Error(`docker driver supports network none or bridge, not ${spec.profile.network}`);
    }
    const container = await this.#docker.createContainer(containerSpec(spec, {
      image: spec.profile.image === "shipyard-neo/ship:latest"
        ? this.#opts.image
        : spec.profile.image,
      uid: this.#opts.uid,
      gid: this.#opts.gid,
      heartbeatMs: this.#opts.heartbeatMs,
    }));
    try {
      // The credential goes in on stdin (attached before start), never into the environment.
      const stream = await container.attach({ stream: true, stdin: true, hijack: true });
      await container.start();
      await new Promise<void>((resolve, reject) => {
        stream.write(
          spec.channel.token + "\n",
          (err?: Error | null) => err ? reject(err) : resolve(),
        );
      });
      stream.end();
    } catch (e) {
      await container.remove({ force: true }).catch(() => {});
      throw e;
    }
    return { runtimeId: container.id };
  }

  async stopSession(runtimeId: string): Promise<void> {
    try {
      await this.#docker.getContainer(runtimeId).remove({ force: true });
    } catch (e) {
      if (!isNotFound(e) && (e as { statusCode?: number })?.statusCode !== 409) throw e;
    }
  }

  async inspect(runtimeId: string): Promise<RuntimeInfo> {
    try {
      const c = await this.#docker.getContainer(runtimeId).inspect();
      const labels = c.Config.Labels ?? {};
      const running = c.State.Running || c.State.Status === "created";
      return {
        runtimeId,
        sessionId: labels[LABEL.session] ?? null,
        sandboxId: labels[LABEL.sandbox] ?? null,
        cargoId: labels[LABEL.cargo] ?? null,
        state: running ? "running" : "exited",
        exitCode: running ? null : c.State.ExitCode,
        oomKilled: c.State.OOMKilled,
        reason: running
          ? undefined
          : `container ${c.State.Status}, exit code ${c.State.ExitCode}${
            c.State.OOMKilled ? " (killed: out of memory)" : ""
          }${c.State.Error ? `: ${c.State.Error}` : ""}`,
      };
    } catch (e) {
      if (!isNotFound(e)) throw e;
      return { runtimeId, sessionId: null, sandboxId: null, cargoId: null, state: "missing" };
    }
  }

  async listRuntimes(): Promise<RuntimeInfo[]> {
    const list = await this.#docker.listContainers({
      all: true,
      filters: { label: this.#ownLabels() },
    });
    return list.map((c) => ({
      runtimeId: c.Id,
      sessionId: c.Labels[LABEL.session] ?? null,
      sandboxId: c.Labels[LABEL.sandbox] ?? null,
      cargoId: c.Labels[LABEL.cargo] ?? null,
      state: c.State === "running" || c.State === "created" ? "running" : "exited",
    }));
  }

  async listCargos(): Promise<string[]> {
    const r = await this.#docker.listVolumes({ filters: { label: this.#ownLabels() } });
    return (r.Volumes ?? []).map((v) => v.Labels?.[LABEL.cargo]).filter((x): x is string => !!x)
      .sort();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
