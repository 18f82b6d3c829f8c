/**
 * The Kubernetes driver (`@kubernetes/client-node`): one Pod per session, one
 * PVC per cargo, one Secret per session holding the ship's credential, all in
 * one namespace and labelled for ownership and orphan detection. The ship
 * dials Bay's Service URL (`kubeBayUrl`): no Pod IPs, no per-Pod Services.
 * Hardened Pods (see `_spec.ts`); readiness is watched, bounded, and a Pod
 * that cannot be scheduled or whose image cannot be pulled fails the start
 * with its Events in the message.
 *
 * @module
 */
import { CoreV1Api, KubeConfig, type V1Pod, type V1Secret } from "@kubernetes/client-node";
import type { Logger } from "../../core/log.ts";
import type { Driver, DriverCapabilities, RuntimeInfo, SessionSpec } from "../driver.ts";
import { LABEL, podName, podSpec, pvcName, pvcSpec, secretName, secretSpec } from "./_spec.ts";
import { eventReasons, formatEvents, runtimeInfo } from "./_status.ts";
import { PodStartError, waitForPodRunning } from "./_wait.ts";

/** Options of the Kubernetes driver. */
export interface KubernetesDriverOptions {
  /** Kubeconfig file; default: KUBECONFIG, ~/.kube/config, then in-cluster. */
  kubeConfigFile?: string;
  /** A ready KubeConfig (tests); wins over `kubeConfigFile`. */
  kubeConfig?: KubeConfig;
  /** Namespace of sandbox Pods, PVCs and Secrets. */
  namespace: string;
  /** Runtime image for profiles that keep the default image. */
  image: string;
  /** Bay's Service URL the ships dial. */
  bayUrl: string;
  /** Storage class of cargo PVCs (cluster default when unset). */
  storageClass?: string;
  /** `runtimeClassName` of sandbox Pods (e.g. `gvisor`). */
  runtimeClassName?: string;
  /** uid/gid the ship runs user code as. */
  uid: number;
  gid: number;
  /** Ship heartbeat interval. */
  heartbeatMs: number;
  /** Longest wait for a Pod's ship container to run. */
  startTimeoutMs: number;
  /** Longest wait for a deleted Pod to go away (default 30 s). */
  stopTimeoutMs?: number;
  /** Bay's logger. */
  log: Logger;
}

/**
 * Every API permission the driver uses, in its namespace. deploy/kubernetes grants
 * exactly these (checked by its test), and the driver's tests check it uses no other.
 */
export const RBAC_RULES: { resources: string[]; verbs: string[] }[] = [
  { resources: ["pods"], verbs: ["create", "delete", "get", "list", "watch"] },
  { resources: ["persistentvolumeclaims"], verbs: ["create", "delete", "get", "list"] },
  { resources: ["secrets"], verbs: ["create", "delete", "update"] },
  { resources: ["events"], verbs: ["list"] },
];

const DEFAULT_IMAGE = "shipyard-neo/ship:latest";

function status(e: unknown): number | undefined {
  const x = e as { code?: unknown; statusCode?: unknown };
  return typeof x?.code === "number"
    ? x.code
    : typeof x?.statusCode === "number"
    ? x.statusCode
    : undefined;
}

async function ignore404<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (status(e) === 404) return null;
    throw e;
  }
}

/** Load the kubeconfig, check the API answers in the namespace, and build the driver. */
export async function createKubernetesDriver(opts: KubernetesDriverOptions): Promise<Driver> {
  if (!opts.bayUrl) {
    throw new Error("kubernetes driver: set kubeBayUrl (BAY_KUBE_BAY_URL) to Bay's Service URL");
  }
  let kc = opts.kubeConfig;
  if (!kc) {
    kc = new KubeConfig();
    if (opts.kubeConfigFile) kc.loadFromFile(opts.kubeConfigFile);
    else kc.loadFromDefault();
  }
  const driver = new KubernetesDriver(kc, opts);
  try {
    await driver.api.listNamespacedPod({ namespace: opts.namespace, limit: 1 });
  } catch (e) {
    throw new Error(
      `kubernetes driver: cannot list pods in namespace ${opts.namespace} at ${
        kc.getCurrentCluster()?.server ?? "(no cluster)"
      }: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  return driver;
}

/** Sessions as hardened Pods. */
export class KubernetesDriver implements Driver {
  readonly name = "kubernetes";
  readonly cargoBackend = "kubernetes_pvc";
  readonly capabilities: DriverCapabilities = {
    memoryLimit: true,
    cpuLimit: true,
    // Kubernetes has no per-Pod pids limit (only the kubelet's node-wide podPidsLimit).
    pidsLimit: false,
    // The PVC requests the cargo's size; a capacity-enforcing storage class enforces it.
    diskQuota: true,
    // Every Pod has a network interface (the ship reaches Bay over it): `none` is a
    // NetworkPolicy (deploy/kubernetes), not an interface-level guarantee.
    networkModes: ["bridge"],
  };
  /** The CoreV1 client (exposed for the startup check and tests). */
  readonly api: CoreV1Api;
  #kc: KubeConfig;
  #opts: KubernetesDriverOptions;

  constructor(kc: KubeConfig, opts: KubernetesDriverOptions) {
    this.#kc = kc;
    this.#opts = opts;
    this.api = kc.makeApiClient(CoreV1Api);
  }

  get #ns(): string {
    return this.#opts.namespace;
  }

  async ensureCargo(cargo: { id: string; owner: string; sizeLimitMb: number }): Promise<void> {
    const name = pvcName(cargo.id);
    if (
      await ignore404(this.api.readNamespacedPersistentVolumeClaim({ name, namespace: this.#ns }))
    ) {
      return;
    }
    const body = pvcSpec(cargo, { namespace: this.#ns, storageClass: this.#opts.storageClass });
    try {
      await this.api.createNamespacedPersistentVolumeClaim({ namespace: this.#ns, body });
    } catch (e) {
      if (status(e) !== 409) throw e; // created concurrently
    }
  }

  async deleteCargo(id: string): Promise<void> {
    await ignore404(
      this.api.deleteNamespacedPersistentVolumeClaim({ name: pvcName(id), namespace: this.#ns }),
    );
  }

  async startSession(spec: SessionSpec): Promise<{ runtimeId: string }> {
    if (spec.profile.network === "host") {
      throw new Error("kubernetes driver supports network none or bridge, not host");
    }
    const namespace = this.#ns;
    const name = podName(spec.sessionId);
    const secret = await this.api.createNamespacedSecret({
      namespace,
      body: secretSpec(spec, namespace),
    });
    let pod: V1Pod;
    try {
      pod = await this.api.createNamespacedPod({
        namespace,
        body: podSpec(spec, {
          namespace,
          image: spec.profile.image === DEFAULT_IMAGE ? this.#opts.image : spec.profile.image,
          bayUrl: spec.channel.url ?? this.#opts.bayUrl,
          uid: this.#opts.uid,
          gid: this.#opts.gid,
          heartbeatMs: this.#opts.heartbeatMs,
          runtimeClassName: this.#opts.runtimeClassName,
        }),
      });
    } catch (e) {
      await this.#deleteSecret(spec.sessionId);
      throw e;
    }
    await this.#ownSecret(secret, pod);
    try {
      await waitForPodRunning(this.#kc, namespace, name, this.#opts.startTimeoutMs);
    } catch (e) {
      const events = await this.api.listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}`,
      }).then((l) => l.items, () => []);
      await this.stopSession(name).catch(() => {});
      const reason = e instanceof PodStartError ? e.reason : "Error";
      const reasons = eventReasons(events);
      throw new Error(
        `pod ${namespace}/${name} did not start (${reason}): ${(e as Error).message}; ` +
          (events.length
            ? `events [${reasons.join(", ")}]: ${formatEvents(events)}`
            : "no events recorded"),
      );
    }
    return { runtimeId: name };
  }

  /** Make the Pod own its Secret, so Kubernetes deletes the Secret with the Pod. */
  async #ownSecret(secret: V1Secret, pod: V1Pod): Promise<void> {
    if (!pod.metadata?.uid) return;
    secret.metadata!.ownerReferences = [{
      apiVersion: "v1",
      kind: "Pod",
      name: pod.metadata.name!,
      uid: pod.metadata.uid,
    }];
    await this.api.replaceNamespacedSecret({
      name: secret.metadata!.name!,
      namespace: this.#ns,
      body: secret,
    }).catch((e) => {
      // Not fatal: stopSession deletes the Secret explicitly too.
      this.#opts.log.warn("could not set the secret's owner", { error: String(e).split("\n")[0] });
    });
  }

  async #deleteSecret(sessionId: string): Promise<void> {
    await ignore404(
      this.api.deleteNamespacedSecret({ name: secretName(sessionId), namespace: this.#ns }),
    );
  }

  async stopSession(runtimeId: string): Promise<void> {
    const pod = await ignore404(
      this.api.readNamespacedPod({ name: runtimeId, namespace: this.#ns }),
    );
    if (!pod) return;
    await ignore404(
      this.api.deleteNamespacedPod({ name: runtimeId, namespace: this.#ns, gracePeriodSeconds: 1 }),
    );
    const sessionId = pod.metadata?.annotations?.[LABEL.session];
    if (sessionId) await this.#deleteSecret(sessionId);
    // Wait until it is gone: the next Pod on this cargo must not race it for the volume.
    const end = Date.now() + (this.#opts.stopTimeoutMs ?? 30_000);
    while (Date.now() < end) {
      const still = await ignore404(
        this.api.readNamespacedPod({ name: runtimeId, namespace: this.#ns }),
      );
      if (!still || still.metadata?.uid !== pod.metadata?.uid) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    this.#opts.log.warn("pod still terminating", { runtime_id: runtimeId });
  }

  async inspect(runtimeId: string): Promise<RuntimeInfo> {
    const pod = await ignore404(
      this.api.readNamespacedPod({ name: runtimeId, namespace: this.#ns }),
    );
    if (!pod) {
      return { runtimeId, sessionId: null, sandboxId: null, cargoId: null, state: "missing" };
    }
    return runtimeInfo(pod);
  }

  async listRuntimes(): Promise<RuntimeInfo[]> {
    const list = await this.api.listNamespacedPod({
      namespace: this.#ns,
      labelSelector: `${LABEL.managed}=1`,
    });
    return list.items.map(runtimeInfo);
  }

  async listCargos(): Promise<string[]> {
    const list = await this.api.listNamespacedPersistentVolumeClaim({
      namespace: this.#ns,
      labelSelector: `${LABEL.managed}=1`,
    });
    return list.items
      .filter((c) => !c.metadata?.deletionTimestamp)
      .map((c) => c.metadata?.annotations?.[LABEL.cargo] ?? c.metadata?.labels?.[LABEL.cargo])
      .filter((x): x is string => !!x)
      .sort();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
