/**
 * The fake cluster's one node: scheduling (scheduler.ts), an image puller (a
 * knob makes pulls fail: ErrImagePull, then ImagePullBackOff) and a kubelet
 * that runs the Pod's ship as a LOCAL process (ship_process.ts): the Pod's
 * env with mount paths mapped to host directories (volumes.ts), limits
 * applied through cgroup v1 when usable, status through Pending → Running →
 * Succeeded/Failed, graceful deletion, and Events like the real components'.
 *
 * @module
 */
import { EventRecorder } from "./events.ts";
import { makeCgroups, oomKills, parseQuantity, removeCgroups, tail } from "./host.ts";
import { setRunning, setTerminated, setWaiting } from "./pod_status.ts";
import { whyUnschedulable } from "./scheduler.ts";
import { exitCode, killPod, spawnShip } from "./ship_process.ts";
import type { Obj, Store } from "./store.ts";
import { type Mounted, mountVolumes } from "./volumes.ts";

/** Settings of the node. */
export interface NodeOptions {
  repoRoot: string;
  /** Scratch directory for pod dirs and logs. */
  root: string;
  /** Run ships for Pods (false: Pods turn Running with no process). */
  launch: boolean;
  /** Apply limits and track processes with cgroup v1. */
  cgroups: boolean;
  allocatable: { cpus: number; memoryBytes: number };
  /** A message when the node refuses every Pod (cordoned / tainted). */
  unschedulable: () => string | null;
  /** Whether pulling `image` fails. */
  pullFails: (image: string) => boolean;
  /** Host dir of a bound PVC; null when unbound; undefined when missing. */
  pvcDir: (ns: string, claim: string) => string | null | undefined;
  /** Called once a Pod object is gone (owner GC, PVC protection). */
  onPodGone: (pod: Obj) => void;
}

interface Run {
  uid: string;
  ns: string;
  name: string;
  dir: string;
  child?: Deno.ChildProcess;
  cgroups: string[];
  forced?: { reason: string; code: number };
  done: Promise<void>;
}

/** Scheduler + kubelet of the fake cluster. */
export class FakeNode {
  readonly events: EventRecorder;
  #store: Store;
  #o: NodeOptions;
  #runs = new Map<string, Run>();
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #seq = 0;
  #closed = false;

  constructor(store: Store, opts: NodeOptions) {
    this.#store = store;
    this.#o = opts;
    this.events = new EventRecorder(store);
  }

  #later(ms: number, fn: () => void | Promise<void>): void {
    if (this.#closed) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
  }

  /** The Pod if it is still this one and not being deleted. */
  #live(ns: string, name: string, uid: string): Obj | undefined {
    const pod = this.#store.get("pods", ns, name);
    return pod && pod.metadata.uid === uid && !pod.metadata.deletionTimestamp ? pod : undefined;
  }

  #status(pod: Obj, fn: (p: Obj) => void): void {
    this.#store.mutate("pods", pod.metadata.namespace!, pod.metadata.name, fn);
  }

  /** A new Pod: schedule it, pull its image, start it. */
  podCreated(pod: Obj): void {
    const { namespace, name, uid } = pod.metadata;
    this.#later(10, () => this.#schedule(namespace!, name, uid!));
  }

  #schedule(ns: string, name: string, uid: string): void {
    const pod = this.#live(ns, name, uid);
    if (!pod) return;
    const why = whyUnschedulable(pod, {
      forced: this.#o.unschedulable(),
      allocatable: this.#o.allocatable,
      pvcDir: this.#o.pvcDir,
      pods: this.#store.list("pods", ns),
    });
    if (why) {
      this.#status(pod, (p) => {
        p.status.conditions = [
          { type: "PodScheduled", status: "False", reason: "Unschedulable", message: why },
        ];
      });
      this.events.record(pod, "Warning", "FailedScheduling", why, "default-scheduler");
      this.#later(200, () => this.#schedule(ns, name, uid));
      return;
    }
    this.#status(pod, (p) => {
      p.spec.nodeName = "fake-node";
      p.status.conditions = [{ type: "PodScheduled", status: "True" }];
      p.status.hostIP = "127.0.0.1";
    });
    const msg = `Successfully assigned ${ns}/${name} to fake-node`;
    this.events.record(pod, "Normal", "Scheduled", msg, "default-scheduler");
    this.#pull(pod);
  }

  #pull(pod: Obj): void {
    const image = pod.spec.containers[0].image;
    this.#status(pod, (p) => setWaiting(p, "ContainerCreating"));
    if (this.#o.pullFails(image)) {
      const why = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": ` +
        "not found";
      this.events.record(pod, "Normal", "Pulling", `Pulling image "${image}"`, "kubelet");
      const failed = `Failed to pull image "${image}": ${why}`;
      this.events.record(pod, "Warning", "Failed", failed, "kubelet");
      this.#status(pod, (p) => setWaiting(p, "ErrImagePull", why));
      this.#later(100, () => {
        const p = this.#live(pod.metadata.namespace!, pod.metadata.name, pod.metadata.uid!);
        if (!p) return;
        const backoff = `Back-off pulling image "${image}"`;
        this.events.record(p, "Normal", "BackOff", backoff, "kubelet");
        this.#status(p, (x) => setWaiting(x, "ImagePullBackOff", backoff));
      });
      return;
    }
    const present = `Container image "${image}" already present on machine`;
    this.events.record(pod, "Normal", "Pulled", present, "kubelet");
    this.#start(pod).catch((e) => {
      this.events.record(pod, "Warning", "Failed", `Error: ${e}`, "kubelet");
      this.#status(pod, (p) => setWaiting(p, "CreateContainerError", String(e)));
    });
  }

  async #start(pod: Obj): Promise<void> {
    const { namespace: ns, name, uid } = pod.metadata as Record<string, string>;
    const dir = `${this.#o.root}/p${++this.#seq}`;
    const c = pod.spec.containers[0];
    let mounted: Mounted;
    try {
      mounted = await mountVolumes(pod, dir, this.#store, this.#o.pvcDir);
    } catch (e) {
      this.events.record(pod, "Warning", "FailedMount", (e as Error).message, "kubelet");
      this.#later(200, () => {
        const p = this.#live(ns, name, uid);
        if (p) this.#start(p).catch(() => {});
      });
      return;
    }
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.valueFrom) throw new Error(`env ${e.name}: valueFrom is not supported by the fake`);
      env[e.name] = mounted.rewrite(e.value ?? "");
    }
    // The fake's ship is a plain process of the test's user: it must not drop privileges.
    delete env.SHIP_UID;
    delete env.SHIP_GID;
    const limits = c.resources?.limits ?? {};
    const cgroups = this.#o.launch && this.#o.cgroups
      ? await makeCgroups(`${ns}_${name}_${uid.slice(0, 8)}`, {
        memoryBytes: limits.memory ? parseQuantity(limits.memory) : undefined,
        cpus: limits.cpu ? parseQuantity(limits.cpu) : undefined,
      })
      : [];
    if (!this.#live(ns, name, uid)) return await removeCgroups(cgroups);
    // From here on, no await until the process is recorded: a delete must find it.
    const run: Run = { uid, ns, name, dir, cgroups, done: Promise.resolve() };
    this.#runs.set(uid, run);
    if (this.#o.launch) {
      const cwd = mounted.rewrite("/workspace");
      run.child = spawnShip(this.#o.repoRoot, env, `${dir}/ship.log`, cgroups, cwd);
      run.done = run.child.status.then((st) => this.#exited(run, exitCode(st)));
    }
    this.events.record(pod, "Normal", "Created", `Created container ${c.name}`, "kubelet");
    this.events.record(pod, "Normal", "Started", `Started container ${c.name}`, "kubelet");
    this.#status(pod, (p) => setRunning(p, `10.244.0.${this.#seq % 250 + 2}`));
  }

  async #exited(run: Run, code: number): Promise<void> {
    const oom = run.forced?.reason === "OOMKilled" ||
      (code === 137 && await oomKills(run.cgroups) > 0);
    // The container's PID 1 is gone: the rest of its processes go with it.
    await removeCgroups(run.cgroups);
    code = run.forced?.code ?? code;
    const reason = run.forced?.reason ?? (oom ? "OOMKilled" : code === 0 ? "Completed" : "Error");
    const pod = this.#store.get("pods", run.ns, run.name);
    if (!pod || pod.metadata.uid !== run.uid) return;
    const log = code === 0
      ? ""
      : (await tail(`${run.dir}/ship.log`, 2048)).split("\n").slice(-80).join("\n");
    this.#status(pod, (p) => setTerminated(p, code, reason, log));
    if (pod.metadata.deletionTimestamp) this.#remove(run.ns, run.name, run.uid);
  }

  #remove(ns: string, name: string, uid: string): void {
    const pod = this.#store.get("pods", ns, name);
    if (!pod || pod.metadata.uid !== uid) return;
    this.#store.remove("pods", ns, name);
    this.#runs.delete(uid);
    this.#o.onPodGone(pod);
  }

  /** Graceful delete: SIGTERM, SIGKILL after the grace period, then the object goes. */
  deletePod(ns: string, name: string, graceSeconds: number): Obj | undefined {
    const pod = this.#store.get("pods", ns, name);
    if (!pod) return undefined;
    const run = this.#runs.get(pod.metadata.uid!);
    if (!run?.child || pod.status?.containerStatuses?.[0]?.state?.terminated) {
      this.#remove(ns, name, pod.metadata.uid!);
      return pod;
    }
    if (pod.metadata.deletionTimestamp) return pod;
    const updated = this.#store.mutate("pods", ns, name, (p) => {
      p.metadata.deletionTimestamp = new Date(Date.now() + graceSeconds * 1000).toISOString();
      p.metadata.deletionGracePeriodSeconds = graceSeconds;
    });
    const hard = () => killPod(run.cgroups, run.child);
    if (graceSeconds === 0) hard();
    else {
      try {
        Deno.kill(run.child.pid, "SIGTERM");
      } catch { /* gone */ }
      this.#later(graceSeconds * 1000, hard);
    }
    return updated;
  }

  /** Kill a Pod's processes as the kernel would (`OOMKilled`) or as a crash (`Error`). */
  async kill(ns: string, name: string, reason: "Error" | "OOMKilled" = "Error"): Promise<void> {
    const pod = this.#store.get("pods", ns, name);
    const run = pod && this.#runs.get(pod.metadata.uid!);
    if (!run) throw new Error(`pod ${ns}/${name} is not running`);
    run.forced = { reason, code: 137 };
    if (run.child) await killPod(run.cgroups, run.child);
    else await this.#exited(run, 137);
  }

  /** Stop every timer and process (the node going away). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    const runs = [...this.#runs.values()];
    await Promise.all(runs.map((r) => killPod(r.cgroups, r.child)));
    await Promise.all(runs.map((r) => r.done));
  }
}
