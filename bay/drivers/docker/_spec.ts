/**
 * The container and volume specs of the Docker driver, in one place so the
 * hardening flags are easy to review (and tested).
 *
 * @module
 */
// @ts-types="@types/dockerode"
import type Docker from "dockerode";
import { dirname } from "node:path";
import { eagerKernel, type SessionSpec } from "../driver.ts";

/** Labels on every object the driver creates. */
export const LABEL = {
  managed: "shipyard.neo",
  owner: "shipyard.neo/owner",
  sandbox: "shipyard.neo/sandbox",
  session: "shipyard.neo/session",
  cargo: "shipyard.neo/cargo",
  instance: "shipyard.neo/instance",
} as const;

/** Capabilities the ship keeps: enough to drop to the sandbox user and manage its files. */
export const SHIP_CAPS = ["SETUID", "SETGID", "KILL", "CHOWN", "FOWNER", "DAC_OVERRIDE"];

/** Docker volume name of a cargo. */
export function volumeName(cargoId: string): string {
  return `shipyard-cargo-${cargoId}`;
}

/** The hardened container of one session. */
export function containerSpec(
  spec: SessionSpec,
  o: { image: string; uid: number; gid: number; heartbeatMs: number },
): Docker.ContainerCreateOptions {
  const p = spec.profile;
  return {
    name: `shipyard-${spec.sessionId}`,
    Image: o.image,
    Hostname: spec.sandboxId.slice(0, 63),
    Env: [
      `SHIP_SESSION_ID=${spec.sessionId}`,
      "SHIP_SOCKET=/run/bay/ship.sock",
      `SHIP_UID=${o.uid}`,
      `SHIP_GID=${o.gid}`,
      "SHIP_WORKSPACE=/workspace",
      `SHIP_USER_ENV=${JSON.stringify(p.env)}`,
      "SHIP_RUNTIME_DIR=/tmp/.ship",
      `SHIP_HEARTBEAT_MS=${o.heartbeatMs}`,
      `SHIP_EAGER_KERNEL=${eagerKernel(spec) ? "1" : "0"}`,
      "HOME=/run/ship",
      "NO_COLOR=1",
    ],
    OpenStdin: true,
    StdinOnce: true,
    AttachStdin: true,
    Labels: {
      [LABEL.managed]: "1",
      [LABEL.owner]: spec.owner,
      [LABEL.sandbox]: spec.sandboxId,
      [LABEL.session]: spec.sessionId,
      [LABEL.cargo]: spec.cargoId,
      [LABEL.instance]: spec.instanceId,
    },
    HostConfig: {
      Mounts: [
        { Type: "volume", Source: volumeName(spec.cargoId), Target: "/workspace" },
        // The socket's directory (0700 root), so a restarted Bay's new socket is seen.
        { Type: "bind", Source: dirname(spec.channel.socketPath!), Target: "/run/bay" },
      ],
      ReadonlyRootfs: true,
      Tmpfs: {
        "/tmp": "rw,nosuid,nodev,size=1g,mode=1777",
        "/run": "rw,nosuid,nodev,noexec,size=16m,mode=755",
      },
      CapDrop: ["ALL"],
      CapAdd: SHIP_CAPS,
      SecurityOpt: ["no-new-privileges"],
      Memory: p.memoryMb * 1024 * 1024,
      MemorySwap: p.memoryMb * 1024 * 1024,
      NanoCpus: Math.round(p.cpus * 1e9),
      PidsLimit: p.pidsLimit,
      NetworkMode: p.network === "bridge" ? "bridge" : "none",
      IpcMode: "private",
      RestartPolicy: { Name: "no" },
    },
  };
}
