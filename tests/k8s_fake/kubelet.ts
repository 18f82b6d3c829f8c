/**
 * The fake cluster's one node: a scheduler (unbound PVCs, resource requests
 * against the node's allocatable, a forced-unschedulable knob), an image
 * puller (a knob makes pulls fail: ErrImagePull then ImagePullBackOff) and a
 * kubelet that runs the Pod's ship as a LOCAL process (`deno run
 * ship/main.ts`, no container): Pod env with mount paths mapped to host
 * directories, limits applied through cgroup v1 when usable, status through
 * Pending → Running → Succeeded/Failed, Events like the real components'.
 *
 * @module
 */
import type { Obj, Store } from "./store.ts";
import {
  cgroupPids,
  killAll,
  makeCgroups,
  oomKills,
  parseQuantity,
  processTree,
  removeCgroups,
  tail,
} from "./host.ts";
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

const SIGNALS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGABRT: 6 };

/** Scheduler + kubelet of the fake cluster. */
export class FakeNode {
  #store: Store;
  #o: NodeOptions;
  #runs = new Map<string, Run>();
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #seq = 0;
  #closed = false;

  constructor(store: Store, opts: NodeOptions) {
    this.#store = store;
    this.#o = opts;
  }

  #later(ms: number, fn: () => void | Promise<void>): void {
    if (this.#closed) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#closed) fn();
    }, ms);
    this.#timers.add(t);
  }

  /** Record an Event on `obj` (repeats bump `count`, like the event recorder). */
  event(obj: Obj, type: "Normal" | "Warning", reason: string, message: string, from: string) {
    const ns = obj.metadata.namespace!;
    const same = this.#store.list("events", ns, {
      fieldSelector: `involvedObject.uid=${obj.metadata.uid},reason=${reason}`,
    }).find((e) => e.message === message);
    const now = new Date().toISOString();
    if (same) {
      this.#store.mutate("events", ns, same.metadata.name, (e) => {
        e.count++;
        e.lastTimestamp = now;
      });
      return;
    }
    this.#store.insert("events", ns, {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${obj.metadata.name}.${(++this.#seq).toString(16)}`, namespace: ns },
      involvedObject: {
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: ns,
        uid: obj.metadata.uid,
        apiVersion: "v1",
      },
      reason,
      message,
      type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: from },
    });
  }

  #pod(ns: string, name: string, uid: string): Obj | undefined {
    const pod = this.#store.get("pods", ns, name);
    return pod && pod.metadata.uid === uid && !pod.metadata.deletionTimestamp ? pod : undefined;
  }

  #status(pod: Obj, fn: (p: Obj) => void): void {
    this.#store.mutate("pods", pod.metadata.namespace!, pod.metadata.name, fn);
  }

  /** A new Pod: schedule it, then start it. */
  podCreated(pod: Obj): void {
    this.#later(
      10,
      () => this.#schedule(pod.metadata.namespace!, pod.metadata.name, pod.metadata.uid!),
    );
  }

  #whyUnschedulable(pod: Obj): string | null {
    const forced = this.#o.unschedulable();
    if (forced) return forced;
    for (const v of pod.spec.volumes ?? []) {
      const claim = v.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const dir = this.#o.pvcDir(pod.metadata.namespace!, claim);
      if (dir === undefined) {
        return `0/1 nodes are available: persistentvolumeclaim "${claim}" not found.`;
      }
      if (dir === null) {
        return "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.";
      }
    }
    const want = requests(pod);
    const used = { cpus: 0, memoryBytes: 0 };
    for (const other of this.#store.list("pods", pod.metadata.namespace!)) {
      if (other.spec.nodeName && !["Succeeded", "Failed"].includes(other.status?.phase)) {
        const r = requests(other);
        used.cpus += r.cpus;
        used.memoryBytes += r.memoryBytes;
      }
    }
    const short: string[] = [];
    if (used.cpus + want.cpus > this.#o.allocatable.cpus) short.push("1 Insufficient cpu");
    if (used.memoryBytes + want.memoryBytes > this.#o.allocatable.memoryBytes) {
      short.push("1 Insufficient memory");
    }
    return short.length ? `0/1 nodes are available: ${short.join(", ")}.` : null;
  }

  #schedule(ns: string, name: string, uid: string): void {
    const pod = this.#pod(ns, name, uid);
    if (!pod) return;
    const why = this.#whyUnschedulable(pod);
    if (why) {
      this.#status(pod, (p) => {
        p.status.conditions = [{
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: why,
        }];
      });
      this.event(pod, "Warning", "FailedScheduling", why, "default-scheduler");
      this.#later(200, () => this.#schedule(ns, name, uid));
      return;
    }
    this.#status(pod, (p) => {
      p.spec.nodeName = "fake-node";
      p.status.conditions = [{ type: "PodScheduled", status: "True" }];
      p.status.hostIP = "127.0.0.1";
    });
    this.event(
      pod,
      "Normal",
      "Scheduled",
      `Successfully assigned ${ns}/${name} to fake-node`,
      "default-scheduler",
    );
    this.#pull(pod);
  }

  #waiting(pod: Obj, reason: string, message?: string): void {
    const c = pod.spec.containers[0];
    this.#status(pod, (p) => {
      p.status.containerStatuses = [{
        name: c.name,
        image: c.image,
        imageID: "",
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason, ...(message ? { message } : {}) } },
      }];
    });
  }

  #pull(pod: Obj): void {
    const image = pod.spec.containers[0].image;
    this.#waiting(pod, "ContainerCreating");
    if (this.#o.pullFails(image)) {
      const why =
        `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found`;
      this.event(pod, "Normal", "Pulling", `Pulling image "${image}"`, "kubelet");
      this.event(pod, "Warning", "Failed", `Failed to pull image "${image}": ${why}`, "kubelet");
      this.#waiting(pod, "ErrImagePull", why);
      this.#later(100, () => {
        const p = this.#pod(pod.metadata.namespace!, pod.metadata.name, pod.metadata.uid!);
        if (!p) return;
        this.event(p, "Normal", "BackOff", `Back-off pulling image "${image}"`, "kubelet");
        this.#waiting(p, "ImagePullBackOff", `Back-off pulling image "${image}"`);
      });
      return;
    }
    this.event(
      pod,
      "Normal",
      "Pulled",
      `Container image "${image}" already present on machine`,
      "kubelet",
    );
    this.#start(pod).catch((e) => {
      this.event(pod, "Warning", "Failed", `Error: ${e}`, "kubelet");
      this.#waiting(pod, "CreateContainerError", String(e));
    });
  }

  async #start(pod: Obj): Promise<void> {
    const { namespace: ns, name, uid } = pod.metadata as {
      namespace: string;
      name: string;
      uid: string;
    };
    const dir = `${this.#o.root}/p${++this.#seq}`;
    const c = pod.spec.containers[0];
    let mounted: Mounted;
    try {
      mounted = await mountVolumes(pod, dir, this.#store, this.#o.pvcDir);
    } catch (e) {
      this.event(pod, "Warning", "FailedMount", String((e as Error).message), "kubelet");
      this.#later(200, () => {
        const p = this.#pod(ns, name, uid);
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
    const run: Run = { uid, ns, name, dir, cgroups: [], done: Promise.resolve() };
    this.#runs.set(uid, run);
    if (!this.#pod(ns, name, uid)) return;
    if (this.#o.launch) {
      const limits = c.resources?.limits ?? {};
      if (this.#o.cgroups) {
        run.cgroups = await makeCgroups(`${ns}_${name}_${uid.slice(0, 8)}`, {
          memoryBytes: limits.memory ? parseQuantity(limits.memory) : undefined,
          cpus: limits.cpu ? parseQuantity(limits.cpu) : undefined,
        });
      }
      run.child = spawnShip(
        this.#o.repoRoot,
        env,
        `${dir}/ship.log`,
        run.cgroups,
        mounted.rewrite("/workspace"),
      );
      run.done = run.child.status.then((st) =>
        this.#exited(run, st.signal ? 128 + (SIGNALS[st.signal] ?? 0) : st.code)
      );
    }
    this.event(pod, "Normal", "Created", `Created container ${c.name}`, "kubelet");
    this.event(pod, "Normal", "Started", `Started container ${c.name}`, "kubelet");
    const now = new Date().toISOString();
    this.#status(pod, (p) => {
      p.status.phase = "Running";
      p.status.startTime = now;
      p.status.podIP = "10.244.0." + (this.#seq % 250 + 2);
      p.status.conditions.push(
        { type: "Initialized", status: "True" },
        { type: "ContainersReady", status: "True" },
        { type: "Ready", status: "True" },
      );
      p.status.containerStatuses = [{
        name: c.name,
        image: c.image,
        imageID: `fake://${c.image}`,
        containerID: `fake://${uid}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      }];
    });
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
    const started = pod.status.containerStatuses?.[0]?.state?.running?.startedAt;
    this.#status(pod, (p) => {
      p.status.phase = code === 0 ? "Succeeded" : "Failed";
      p.status.conditions = p.status.conditions.map((c: Obj) =>
        c.type === "Ready" || c.type === "ContainersReady"
          ? { ...c, status: "False", reason: "PodCompleted" }
          : c
      );
      const cs = p.status.containerStatuses[0];
      cs.ready = false;
      cs.started = false;
      cs.state = {
        terminated: {
          exitCode: code,
          reason,
          ...(log.trim() &&
              p.spec.containers[0].terminationMessagePolicy === "FallbackToLogsOnError"
            ? { message: log }
            : {}),
          startedAt: started,
          finishedAt: new Date().toISOString(),
          containerID: `fake://${run.uid}`,
        },
      };
    });
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
    const hard = () => this.#killRun(run);
    if (graceSeconds === 0) hard();
    else {
      try {
        Deno.kill(run.child.pid, "SIGTERM");
      } catch { /* gone */ }
      this.#later(graceSeconds * 1000, hard);
    }
    return updated;
  }

  async #killRun(run: Run): Promise<void> {
    if (run.cgroups.length) killAll(await cgroupPids(run.cgroups));
    else if (run.child) killAll((await processTree(run.child.pid)).reverse());
  }

  /** Kill a Pod's processes as the kernel would (`OOMKilled`) or as a crash (`Error`). */
  async kill(ns: string, name: string, reason: "Error" | "OOMKilled" = "Error"): Promise<void> {
    const pod = this.#store.get("pods", ns, name);
    const run = pod && this.#runs.get(pod.metadata.uid!);
    if (!run) throw new Error(`pod ${ns}/${name} is not running`);
    run.forced = { reason, code: 137 };
    if (run.child) return await this.#killRun(run);
    await this.#exited(run, 137);
  }

  /** Stop every timer and process (the node going away). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    const runs = [...this.#runs.values()];
    await Promise.all(runs.map((r) => this.#killRun(r)));
    await Promise.all(runs.map((r) => r.done));
  }
}

function requests(pod: Obj): { cpus: number; memoryBytes: number } {
  const r = pod.spec.containers?.[0]?.resources?.requests ?? {};
  return {
    cpus: r.cpu ? parseQuantity(r.cpu) : 0,
    memoryBytes: r.memory ? parseQuantity(r.memory) : 0,
  };
}

/** Start `deno run ship/main.ts` with the Pod's env, in its cgroups, output to `log`. */
function spawnShip(
  repo: string,
  env: Record<string, string>,
  log: string,
  cgroups: string[],
  cwd: string,
): Deno.ChildProcess {
  const script = 'for g in $FAKE_CGROUPS; do echo $$ > "$g/cgroup.procs" || exit 125; done; ' +
    'log=$FAKE_LOG; unset FAKE_CGROUPS FAKE_LOG; exec "$0" "$@" >>"$log" 2>&1';
  const denoDir = Deno.env.get("DENO_DIR");
  return new Deno.Command("/bin/sh", {
    args: [
      "-c",
      script,
      Deno.execPath(),
      "run",
      "-A",
      "--cached-only",
      "--frozen",
      "--no-prompt",
      "--config",
      `${repo}/deno.json`,
      `${repo}/ship/main.ts`,
    ],
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      DENO_NO_UPDATE_CHECK: "1",
      ...(denoDir ? { DENO_DIR: denoDir } : {}),
      ...env,
      FAKE_LOG: log,
      FAKE_CGROUPS: cgroups.join(" "),
    },
    clearEnv: true,
    cwd: cwd.startsWith("/") ? cwd : repo,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}
