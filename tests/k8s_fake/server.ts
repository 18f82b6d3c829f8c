/**
 * A small fake Kubernetes API server for the Kubernetes driver's tests
 * (`Deno.serve` on 127.0.0.1, port 0, bearer-token auth). It speaks the real
 * REST shapes for the endpoints the driver uses: core/v1 pods (create, get,
 * list, watch, delete), persistentvolumeclaims (create, get, list, delete),
 * secrets (create, get, update, delete) and events (list), with label and
 * field selectors, `Status` errors, `?watch=true` JSON-lines streams, owner
 * garbage collection and PVC protection. A one-node fake cluster behind it
 * provisions PVCs and runs each Pod's ship as a local process (kubelet.ts).
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { cgroupV1Usable, provisionLoop, releaseLoop, removeCgroupParents } from "./host.ts";
import { FakeNode } from "./kubelet.ts";
import { FakeStorage } from "./storage.ts";
import { type Obj, Store } from "./store.ts";
import { type AuditEntry, KINDS, normaliseSecret, route, status, success } from "./http.ts";
import { validate } from "./validate.ts";

export type { AuditEntry };

/** Knobs of the fake cluster. */
export interface FakeKubeOptions {
  /** Run a ship process per Pod (default true). */
  launch?: boolean;
  /** PVC backing: a plain directory, or a loop-mounted ext4 image of the requested size. */
  storage?: "dir" | "loop";
  /** Apply Pod limits with cgroup v1 (default: when usable). */
  cgroups?: boolean;
  /** The node's allocatable resources (default 16 CPUs, 64 GiB). */
  allocatable?: { cpus: number; memoryMb: number };
  /** Known storage classes; the first is the default (default `["standard"]`). */
  storageClasses?: string[];
}

/** A running fake API server and its one-node cluster. */
export class FakeKube {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly token = `fake-${crypto.randomUUID()}`;
  /** Scratch dir (pod dirs, PVC dirs, kubeconfig). */
  readonly root: string;
  /** A kubeconfig file for this server (namespace `shipyard-sandboxes`). */
  readonly kubeconfigPath: string;
  /** Every request, as (verb, resource). */
  readonly audit: AuditEntry[] = [];
  readonly store = new Store();
  readonly node: FakeNode;
  /** When set, the scheduler refuses every Pod with this message. */
  unschedulable: string | null = null;
  /** Images whose pull fails (ErrImagePull, then ImagePullBackOff). */
  pullFails: (image: string) => boolean = () => false;
  /** Whether Pod limits are applied with cgroups. */
  readonly enforcesLimits: boolean;
  #server: Deno.HttpServer;
  #opts: FakeKubeOptions;
  #storage: FakeStorage;

  private constructor(root: string, opts: FakeKubeOptions, cgroups: boolean) {
    this.root = root;
    this.#opts = opts;
    this.enforcesLimits = cgroups;
    this.kubeconfigPath = `${root}/kubeconfig`;
    const alloc = opts.allocatable ?? { cpus: 16, memoryMb: 65536 };
    this.node = new FakeNode(this.store, {
      repoRoot: resolve(dirname(fileURLToPath(import.meta.url)), "../.."),
      root,
      launch: opts.launch ?? true,
      cgroups,
      allocatable: { cpus: alloc.cpus, memoryBytes: alloc.memoryMb * 1024 * 1024 },
      unschedulable: () => this.unschedulable,
      pullFails: (image) => this.pullFails(image),
      pvcDir: (ns, claim) => this.#storage.dirOf(ns, claim),
      onPodGone: (pod) => this.#podGone(pod),
    });
    this.#storage = new FakeStorage(this.store, this.node.events, {
      root,
      loop: opts.storage === "loop",
      classes: opts.storageClasses ?? ["standard"],
    });
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (req) => this.#handle(req),
    );
    this.url = `http://127.0.0.1:${(this.#server.addr as Deno.NetAddr).port}`;
  }

  /** Start a fake API server. Close it with {@link close}. */
  static async start(opts: FakeKubeOptions = {}): Promise<FakeKube> {
    const root = await Deno.makeTempDir({ prefix: "k8sf-" });
    const cgroups = opts.cgroups ?? await cgroupV1Usable();
    if (opts.storage === "loop") {
      // Fail now, not as PVCs that never bind: loop volumes need root, loop devices, mkfs.
      await provisionLoop(`${root}/probe`, `${root}/probe.img`, 4 << 20)
        .then(() => releaseLoop(`${root}/probe`, `${root}/probe.img`))
        .catch(async (e) => {
          await Deno.remove(root, { recursive: true }).catch(() => {});
          throw new Error(`k8s fake: loop-backed PVCs are not usable here: ${e}`);
        });
    }
    const fake = new FakeKube(root, opts, cgroups);
    await Deno.writeTextFile(fake.kubeconfigPath, stringify(fake.kubeconfig()), { mode: 0o600 });
    return fake;
  }

  /** The kubeconfig of this server as an object. */
  kubeconfig(namespace = "shipyard-sandboxes"): Record<string, unknown> {
    return {
      apiVersion: "v1",
      kind: "Config",
      // Plain HTTP: client-node accepts an http:// server only with this flag set.
      clusters: [{ name: "fake", cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
      users: [{ name: "fake", user: { token: this.token } }],
      contexts: [{ name: "fake", context: { cluster: "fake", user: "fake", namespace } }],
      "current-context": "fake",
    };
  }

  /** Kill a Pod's processes: a crash (`Error`) or the kernel's OOM killer (`OOMKilled`). */
  kill(ns: string, name: string, reason: "Error" | "OOMKilled" = "Error"): Promise<void> {
    return this.node.kill(ns, name, reason);
  }

  /** Stop every Pod process, unmount volumes, end watches, stop serving, remove scratch. */
  async close(): Promise<void> {
    await this.node.close();
    await this.#storage.close();
    if (this.enforcesLimits) await removeCgroupParents();
    this.store.closeWatches();
    await this.#server.shutdown();
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }

  async #handle(req: Request): Promise<Response> {
    if (req.headers.get("authorization") !== `Bearer ${this.token}`) {
      return status(401, "Unauthorized", "Unauthorized");
    }
    const url = new URL(req.url);
    const r = route(req, url);
    if (!r) return status(404, "NotFound", "the server could not find the requested resource");
    this.audit.push(r);
    const { verb, resource, namespace: ns, name = "" } = r;
    const q = url.searchParams;
    const sel = { labelSelector: q.get("labelSelector"), fieldSelector: q.get("fieldSelector") };
    const kind = KINDS[resource];
    try {
      if (verb === "watch") {
        const body = this.store.watch(resource, ns, sel, {
          resourceVersion: q.get("resourceVersion"),
          timeoutSeconds: Number(q.get("timeoutSeconds") ?? 0) || undefined,
        });
        return new Response(body, { headers: { "content-type": "application/json" } });
      }
      if (verb === "list") {
        const items = this.store.list(resource, ns, sel);
        const limit = Number(q.get("limit") ?? 0);
        return Response.json({
          kind: `${kind}List`,
          apiVersion: "v1",
          metadata: { resourceVersion: this.store.resourceVersion },
          items: limit > 0 ? items.slice(0, limit) : items,
        });
      }
      const notFound = () => status(404, "NotFound", `${resource} "${name}" not found`);
      if (verb === "get") {
        const o = this.store.get(resource, ns, name);
        return o ? Response.json(o) : notFound();
      }
      if (verb === "delete") {
        const grace = q.get("gracePeriodSeconds") ??
          (req.body ? (await req.json().catch(() => ({})))?.gracePeriodSeconds : undefined);
        const gone = this.#delete(
          resource,
          ns,
          name,
          grace === undefined || grace === null ? undefined : Number(grace),
        );
        if (!gone) return notFound();
        return Response.json(resource === "secrets" ? success(name, resource) : gone);
      }
      if (verb !== "create" && verb !== "update") {
        return status(405, "MethodNotAllowed", `${req.method} is not supported`);
      }
      const obj = (await req.json()) as Obj;
      obj.metadata ??= { name: "" };
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        return status(
          400,
          "BadRequest",
          "the namespace of the provided object does not match the namespace sent on the request",
        );
      }
      obj.metadata.namespace = ns;
      if (verb === "create" && !obj.metadata.name && obj.metadata.generateName) {
        obj.metadata.name = `${obj.metadata.generateName}${crypto.randomUUID().slice(0, 5)}`;
      }
      if (resource === "secrets") normaliseSecret(obj);
      const errs = validate(resource, obj);
      if (errs.length) {
        return status(
          422,
          "Invalid",
          `${kind} "${obj.metadata.name}" is invalid: ${errs.join(", ")}`,
        );
      }
      return verb === "create"
        ? this.#create(resource, ns, obj)
        : this.#update(resource, ns, name, obj);
    } catch (e) {
      return status(500, "InternalError", String(e));
    }
  }

  #create(resource: string, ns: string, obj: Obj): Response {
    if (resource === "events") {
      return status(405, "MethodNotAllowed", "the fake records events itself");
    }
    obj.kind = KINDS[resource];
    obj.apiVersion = "v1";
    obj.metadata.uid = crypto.randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString();
    delete obj.metadata.deletionTimestamp;
    if (resource === "pods") {
      obj.spec.restartPolicy ??= "Always";
      obj.spec.terminationGracePeriodSeconds ??= 30;
      obj.spec.serviceAccountName ??= "default";
      obj.status = { phase: "Pending", conditions: [] };
    }
    if (resource === "persistentvolumeclaims") this.#storage.admit(obj);
    const created = this.store.insert(resource, ns, obj);
    if (!created) {
      return status(409, "AlreadyExists", `${resource} "${obj.metadata.name}" already exists`);
    }
    if (resource === "pods") this.node.podCreated(created);
    if (resource === "persistentvolumeclaims") this.#storage.provision(created);
    return Response.json(created, { status: 201 });
  }

  #update(resource: string, ns: string, name: string, obj: Obj): Response {
    const cur = this.store.get(resource, ns, name);
    if (!cur) return status(404, "NotFound", `${resource} "${name}" not found`);
    if (obj.metadata.name !== name) {
      return status(400, "BadRequest", "the name of the object does not match the URL");
    }
    const rv = obj.metadata.resourceVersion;
    if (rv && rv !== cur.metadata.resourceVersion) {
      return status(
        409,
        "Conflict",
        `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified`,
      );
    }
    if (resource !== "secrets") {
      return status(405, "MethodNotAllowed", `the fake updates only secrets`);
    }
    const updated = this.store.mutate(resource, ns, name, (o) => {
      const keep = { uid: o.metadata.uid, creationTimestamp: o.metadata.creationTimestamp };
      for (const k of Object.keys(o)) delete o[k];
      Object.assign(o, obj, { metadata: { ...obj.metadata, ...keep } });
    });
    return Response.json(updated);
  }

  #delete(resource: string, ns: string, name: string, grace?: number): Obj | undefined {
    if (resource === "pods") {
      const pod = this.store.get("pods", ns, name);
      return pod &&
        this.node.deletePod(ns, name, grace ?? pod.spec.terminationGracePeriodSeconds ?? 30);
    }
    if (resource === "persistentvolumeclaims") return this.#storage.delete(ns, name);
    return this.store.remove(resource, ns, name);
  }

  /** Garbage-collect what the Pod owned, and finish PVC deletions it was blocking. */
  #podGone(pod: Obj): void {
    const ns = pod.metadata.namespace!;
    for (const s of this.store.list("secrets", ns)) {
      if (s.metadata.ownerReferences?.some((r) => r.uid === pod.metadata.uid)) {
        this.store.remove("secrets", ns, s.metadata.name);
      }
    }
    this.#storage.sweep(ns);
  }
}
