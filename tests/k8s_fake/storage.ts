/**
 * The fake cluster's storage: a provisioner that binds each PVC of a known
 * storage class to a host directory (plain, or a loop-mounted ext4 image of
 * the requested size, which enforces capacity like a block-storage class),
 * PVC protection (a PVC in use by a Pod is only marked for deletion), and
 * release of the volume when the PVC goes.
 *
 * @module
 */
import type { EventRecorder } from "./events.ts";
import { parseQuantity, provisionLoop, releaseLoop } from "./host.ts";
import type { Obj, Store } from "./store.ts";

const PVC = "persistentvolumeclaims";

/** PVC provisioning and deletion. */
export class FakeStorage {
  #store: Store;
  #events: EventRecorder;
  #root: string;
  #loop: boolean;
  #classes: string[];
  #host = new Map<string, { dir: string; image?: string }>();

  constructor(
    store: Store,
    events: EventRecorder,
    o: { root: string; loop: boolean; classes: string[] },
  ) {
    this.#store = store;
    this.#events = events;
    this.#root = o.root;
    this.#loop = o.loop;
    this.#classes = o.classes;
  }

  /** Defaults the API server sets on a new PVC (default class, protection finalizer). */
  admit(pvc: Obj): void {
    pvc.spec.storageClassName ??= this.#classes[0];
    pvc.spec.volumeMode ??= "Filesystem";
    pvc.metadata.finalizers = ["kubernetes.io/pvc-protection"];
    pvc.status = { phase: "Pending" };
  }

  /** Host dir of a bound PVC; null when unbound; undefined when missing or being deleted. */
  dirOf(ns: string, claim: string): string | null | undefined {
    const pvc = this.#store.get(PVC, ns, claim);
    if (!pvc || pvc.metadata.deletionTimestamp) return undefined;
    return this.#host.get(`${ns}/${claim}`)?.dir ?? null;
  }

  /** Provision and bind a new PVC (a ProvisioningFailed Event when it cannot). */
  async provision(pvc: Obj): Promise<void> {
    const { namespace: ns, name, uid } = pvc.metadata as Record<string, string>;
    const cls = pvc.spec.storageClassName;
    if (!this.#classes.includes(cls)) {
      const msg = `storageclass.storage.k8s.io "${cls}" not found`;
      this.#events.record(pvc, "Warning", "ProvisioningFailed", msg, "persistentvolume-controller");
      return;
    }
    const request = pvc.spec.resources.requests.storage;
    const dir = `${this.#root}/pvc-${ns}-${name}`;
    const host = { dir, image: this.#loop ? `${dir}.img` : undefined };
    try {
      if (host.image) await provisionLoop(dir, host.image, parseQuantity(request));
      else await Deno.mkdir(dir, { recursive: true });
    } catch (e) {
      this.#events.record(pvc, "Warning", "ProvisioningFailed", String(e), "fake-provisioner");
      return;
    }
    if (this.#store.get(PVC, ns, name)?.metadata.uid !== uid) return await this.#free(host);
    this.#host.set(`${ns}/${name}`, host);
    this.#store.mutate(PVC, ns, name, (o) => {
      o.spec.volumeName = `pvc-${uid}`;
      o.status = {
        phase: "Bound",
        accessModes: o.spec.accessModes,
        capacity: { storage: request },
      };
    });
    const msg = `Successfully provisioned volume pvc-${uid}`;
    this.#events.record(pvc, "Normal", "ProvisioningSucceeded", msg, "fake-provisioner");
  }

  /** Delete a PVC: at once, or (while a Pod uses it) mark it and finish in {@link sweep}. */
  delete(ns: string, name: string): Obj | undefined {
    const inUse = this.#store.list("pods", ns).some((p) =>
      (p.spec.volumes ?? []).some((v: Obj) => v.persistentVolumeClaim?.claimName === name)
    );
    if (inUse) {
      return this.#store.mutate(PVC, ns, name, (o) => {
        o.metadata.deletionTimestamp ??= new Date().toISOString();
      });
    }
    const gone = this.#store.remove(PVC, ns, name);
    const host = this.#host.get(`${ns}/${name}`);
    this.#host.delete(`${ns}/${name}`);
    if (host) this.#free(host).catch(() => {});
    return gone;
  }

  /** Finish the deletions that a Pod's use was blocking. */
  sweep(ns: string): void {
    for (const pvc of this.#store.list(PVC, ns)) {
      if (pvc.metadata.deletionTimestamp) this.delete(ns, pvc.metadata.name);
    }
  }

  async #free(host: { dir: string; image?: string }): Promise<void> {
    if (host.image) await releaseLoop(host.dir, host.image);
    await Deno.remove(host.dir, { recursive: true }).catch(() => {});
  }

  /** Release every volume (the cluster going away). */
  async close(): Promise<void> {
    for (const h of this.#host.values()) await this.#free(h).catch(() => {});
    this.#host.clear();
  }
}
