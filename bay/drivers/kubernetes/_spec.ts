/**
 * The Pod, PVC and Secret specs of the Kubernetes driver, in one place so the
 * hardening fields are easy to review (and tested field by field).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { V1PersistentVolumeClaim, V1Pod, V1Secret } from "@kubernetes/client-node";
import { eagerKernel, type SessionSpec } from "../driver.ts";

/** Labels on every object the driver creates: the same keys as the Docker driver's. */
export const LABEL = {
  managed: "shipyard.neo",
  owner: "shipyard.neo/owner",
  sandbox: "shipyard.neo/sandbox",
  session: "shipyard.neo/session",
  cargo: "shipyard.neo/cargo",
  instance: "shipyard.neo/instance",
} as const;

/** Extra label: the profile's network mode, which the sandbox NetworkPolicies select on. */
export const NETWORK_LABEL = "shipyard.neo/network";

/** Capabilities the ship keeps: enough to drop to the sandbox user and manage its files. */
export const SHIP_CAPS = ["SETUID", "SETGID", "KILL", "CHOWN", "FOWNER", "DAC_OVERRIDE"];

/** Where the per-session Secret is mounted, and the token file inside it. */
export const SECRET_DIR = "/run/ship-secret";
/** Path of the ship credential inside the Pod (root-only, mode 0400). */
export const TOKEN_FILE = `${SECRET_DIR}/token`;
/** Name of the ship container. */
export const SHIP_CONTAINER = "ship";

/** Settings the specs need besides the session. */
export interface SpecOptions {
  namespace: string;
  image: string;
  /** Bay's Service URL the ship dials. */
  bayUrl: string;
  uid: number;
  gid: number;
  heartbeatMs: number;
  runtimeClassName?: string;
}

/** Pod name of a session (the runtime id). */
export function podName(sessionId: string): string {
  return `shipyard-${sessionId}`;
}

/** Secret name holding a session's credential. */
export function secretName(sessionId: string): string {
  return `shipyard-${sessionId}-token`;
}

/** PVC name of a cargo. */
export function pvcName(cargoId: string): string {
  return `shipyard-cargo-${cargoId}`;
}

/**
 * A label value Kubernetes accepts: the value itself when valid, else a
 * stable hash (exact values are kept in annotations, which have no rules).
 */
export function labelValue(v: string): string {
  if (/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v) && v.length <= 63) return v;
  return "h-" + createHash("sha256").update(v).digest("hex").slice(0, 40);
}

/** Labels (selectable) and annotations (exact values) of a session's objects. */
export function sessionMeta(
  spec: SessionSpec,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const exact: Record<string, string> = {
    [LABEL.owner]: spec.owner,
    [LABEL.sandbox]: spec.sandboxId,
    [LABEL.session]: spec.sessionId,
    [LABEL.cargo]: spec.cargoId,
    [LABEL.instance]: spec.instanceId,
  };
  const labels: Record<string, string> = { [LABEL.managed]: "1" };
  for (const [k, v] of Object.entries(exact)) labels[k] = labelValue(v);
  return { labels, annotations: exact };
}

/** CPU quantity in millicores (`0.5` → `500m`). */
export function cpuQuantity(cpus: number): string {
  return `${Math.max(1, Math.round(cpus * 1000))}m`;
}

/** The per-session Secret: the credential, never in the Pod spec. */
export function secretSpec(spec: SessionSpec, namespace: string): V1Secret {
  const { labels, annotations } = sessionMeta(spec);
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: secretName(spec.sessionId), namespace, labels, annotations },
    type: "Opaque",
    stringData: { token: spec.channel.token },
  };
}

/** The hardened Pod of one session. */
export function podSpec(spec: SessionSpec, o: SpecOptions): V1Pod {
  const p = spec.profile;
  const { labels, annotations } = sessionMeta(spec);
  const resources = { cpu: cpuQuantity(p.cpus), memory: `${p.memoryMb}Mi` };
  const env: Record<string, string> = {
    SHIP_SESSION_ID: spec.sessionId,
    SHIP_BAY_URL: o.bayUrl,
    SHIP_TOKEN_FILE: TOKEN_FILE,
    SHIP_UID: String(o.uid),
    SHIP_GID: String(o.gid),
    SHIP_WORKSPACE: "/workspace",
    SHIP_USER_ENV: JSON.stringify(p.env),
    SHIP_RUNTIME_DIR: "/tmp/.ship",
    SHIP_HEARTBEAT_MS: String(o.heartbeatMs),
    SHIP_EAGER_KERNEL: eagerKernel(spec) ? "1" : "0",
    HOME: "/run/ship",
    NO_COLOR: "1",
  };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: podName(spec.sessionId),
      namespace: o.namespace,
      labels: { ...labels, [NETWORK_LABEL]: p.network === "bridge" ? "bridge" : "none" },
      annotations,
    },
    spec: {
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      hostname: spec.sandboxId.slice(0, 63).replace(/-+$/, ""),
      terminationGracePeriodSeconds: 2,
      ...(o.runtimeClassName ? { runtimeClassName: o.runtimeClassName } : {}),
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [{
        name: SHIP_CONTAINER,
        image: o.image,
        imagePullPolicy: "IfNotPresent",
        env: Object.entries(env).map(([name, value]) => ({ name, value })),
        // The ship starts as root to drop to the sandbox user itself; it can never gain more.
        securityContext: {
          runAsUser: 0,
          runAsGroup: 0,
          runAsNonRoot: false,
          privileged: false,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"], add: [...SHIP_CAPS] },
          seccompProfile: { type: "RuntimeDefault" },
        },
        resources: { requests: { ...resources }, limits: { ...resources } },
        terminationMessagePolicy: "FallbackToLogsOnError",
        volumeMounts: [
          { name: "workspace", mountPath: "/workspace" },
          { name: "tmp", mountPath: "/tmp" },
          { name: "run", mountPath: "/run" },
          { name: "ship-secret", mountPath: SECRET_DIR, readOnly: true },
        ],
      }],
      volumes: [
        { name: "workspace", persistentVolumeClaim: { claimName: pvcName(spec.cargoId) } },
        { name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "1Gi" } },
        { name: "run", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } },
        {
          name: "ship-secret",
          secret: {
            secretName: secretName(spec.sessionId),
            defaultMode: 0o400,
            items: [{ key: "token", path: "token", mode: 0o400 }],
          },
        },
      ],
    },
  };
}

/** The PVC of one cargo: its size is the cargo's limit, enforced by the storage class. */
export function pvcSpec(
  cargo: { id: string; owner: string; sizeLimitMb: number },
  o: { namespace: string; storageClass?: string },
): V1PersistentVolumeClaim {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: pvcName(cargo.id),
      namespace: o.namespace,
      labels: {
        [LABEL.managed]: "1",
        [LABEL.cargo]: labelValue(cargo.id),
        [LABEL.owner]: labelValue(cargo.owner),
      },
      annotations: { [LABEL.cargo]: cargo.id, [LABEL.owner]: cargo.owner },
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
      resources: { requests: { storage: `${cargo.sizeLimitMb}Mi` } },
    },
  };
}
