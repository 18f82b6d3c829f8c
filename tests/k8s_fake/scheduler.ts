/**
 * The fake scheduler's one decision: why a Pod cannot go to the one node
 * (forced by a knob, a missing or unbound PVC, or requests beyond the node's
 * allocatable), in the real scheduler's message format; null when it fits.
 *
 * @module
 */
import { parseQuantity } from "./host.ts";
import type { Obj } from "./store.ts";

/** What the scheduler looks at besides the Pod. */
export interface SchedulerView {
  /** A message when the node refuses every Pod (cordoned / tainted). */
  forced: string | null;
  allocatable: { cpus: number; memoryBytes: number };
  /** Host dir of a bound PVC; null when unbound; undefined when missing. */
  pvcDir: (ns: string, claim: string) => string | null | undefined;
  /** Pods of the namespace (those with a node and not finished use resources). */
  pods: Obj[];
}

/** CPU and memory a Pod's first container requests. */
export function requests(pod: Obj): { cpus: number; memoryBytes: number } {
  const r = pod.spec.containers?.[0]?.resources?.requests ?? {};
  return {
    cpus: r.cpu ? parseQuantity(r.cpu) : 0,
    memoryBytes: r.memory ? parseQuantity(r.memory) : 0,
  };
}

/** Why `pod` cannot be scheduled, or null. */
export function whyUnschedulable(pod: Obj, view: SchedulerView): string | null {
  if (view.forced) return view.forced;
  for (const v of pod.spec.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (!claim) continue;
    const dir = view.pvcDir(pod.metadata.namespace!, claim);
    if (dir === undefined) {
      return `0/1 nodes are available: persistentvolumeclaim "${claim}" not found.`;
    }
    if (dir === null) {
      return "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.";
    }
  }
  const want = requests(pod);
  const used = { cpus: 0, memoryBytes: 0 };
  for (const other of view.pods) {
    if (other.metadata.uid === pod.metadata.uid || !other.spec.nodeName) continue;
    if (["Succeeded", "Failed"].includes(other.status?.phase)) continue;
    const r = requests(other);
    used.cpus += r.cpus;
    used.memoryBytes += r.memoryBytes;
  }
  const short: string[] = [];
  if (used.cpus + want.cpus > view.allocatable.cpus) short.push("1 Insufficient cpu");
  if (used.memoryBytes + want.memoryBytes > view.allocatable.memoryBytes) {
    short.push("1 Insufficient memory");
  }
  return short.length ? `0/1 nodes are available: ${short.join(", ")}.` : null;
}
