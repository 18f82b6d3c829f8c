/**
 * The fake API server on its own, over raw HTTP: the request and response
 * shapes the driver relies on (Status errors, lists, selectors, validation,
 * watch streams, Secrets, Events, PVC binding), so a wrong fake cannot make
 * the driver's tests pass for the wrong reason.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type FakeKube, startFakeKube } from "./mod.ts";
import { fieldTest, labelTest, type Obj } from "./store.ts";

const NS = "ns1";

async function api(
  fake: FakeKube,
  method: string,
  path: string,
  body?: unknown,
  token = fake.token,
): Promise<[number, Obj]> {
  const r = await fetch(`${fake.url}/api/v1/namespaces/${NS}/${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return [r.status, await r.json()];
}

function pod(name: string, labels: Record<string, string> = {}): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: {
      restartPolicy: "Never",
      containers: [{
        name: "ship",
        image: "img",
        volumeMounts: [{ name: "t", mountPath: "/tmp" }],
      }],
      volumes: [{ name: "t", emptyDir: {} }],
    },
  };
}

async function withFake(fn: (fake: FakeKube) => Promise<void>): Promise<void> {
  const fake = await startFakeKube({ launch: false });
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

Deno.test("k8s fake: selectors follow the API server's syntax", () => {
  const o = { metadata: { name: "a", labels: { app: "x", tier: "web" } }, spec: { n: "z" } };
  assert.ok(labelTest("app=x,tier==web")(o));
  assert.ok(!labelTest("app!=x")(o));
  assert.ok(labelTest("app in (x, y),!missing,tier")(o));
  assert.ok(!labelTest("tier notin (web)")(o));
  assert.ok(fieldTest("metadata.name=a,spec.n!=y")(o));
  assert.ok(!fieldTest("metadata.name=b")(o));
});

Deno.test("k8s fake: auth, Status errors, create/get/list and validation", () =>
  withFake(async (fake) => {
    const [s401, e401] = await api(fake, "GET", "pods", undefined, "nope");
    assert.deepEqual([s401, e401.kind, e401.reason], [401, "Status", "Unauthorized"]);
    const [s201, created] = await api(fake, "POST", "pods", pod("a", { app: "x" }));
    assert.equal(s201, 201);
    assert.match(created.metadata.uid!, /^[0-9a-f-]{36}$/);
    assert.equal(created.metadata.namespace, NS);
    assert.equal(created.status.phase, "Pending");
    await api(fake, "POST", "pods", pod("b", { app: "y" }));
    const [, list] = await api(fake, "GET", "pods?labelSelector=app%3Dx");
    assert.equal(list.kind, "PodList");
    assert.deepEqual(list.items.map((p: Obj) => p.metadata.name), ["a"]);
    const [, byName] = await api(fake, "GET", "pods?fieldSelector=metadata.name%3Db");
    assert.deepEqual(byName.items.map((p: Obj) => p.metadata.name), ["b"]);
    const [s409, e409] = await api(fake, "POST", "pods", pod("a"));
    assert.deepEqual([s409, e409.reason], [409, "AlreadyExists"]);
    const [s404, e404] = await api(fake, "GET", "pods/zzz");
    assert.deepEqual([s404, e404.kind, e404.reason, e404.code], [404, "Status", "NotFound", 404]);
    const [s422, e422] = await api(fake, "POST", "pods", pod("c", { owner: "#pool" }));
    assert.deepEqual([s422, e422.reason], [422, "Invalid"]);
    assert.match(e422.message, /metadata\.labels: Invalid value: "#pool"/);
    const [s400] = await api(fake, "POST", "pods", {
      ...pod("d"),
      metadata: { name: "d", namespace: "other" },
    });
    assert.equal(s400, 400);
    assert.deepEqual(
      fake.audit.slice(0, 3).map((a) => a.verb),
      ["create", "create", "list"],
      "refused requests are not audited",
    );
  }));

Deno.test("k8s fake: watch streams the current state, then changes, as JSON lines", () =>
  withFake(async (fake) => {
    await api(fake, "POST", "pods", pod("old", { app: "w" }));
    const ctrl = new AbortController();
    const r = await fetch(
      `${fake.url}/api/v1/namespaces/${NS}/pods?watch=true&labelSelector=app%3Dw`,
      {
        headers: { authorization: `Bearer ${fake.token}` },
        signal: ctrl.signal,
      },
    );
    const lines = r.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = "";
    const next = async (): Promise<{ type: string; object: Obj }> => {
      while (!buf.includes("\n")) buf += (await lines.read()).value;
      const i = buf.indexOf("\n");
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      return JSON.parse(line);
    };
    const first = await next();
    assert.deepEqual([first.type, first.object.metadata.name], ["ADDED", "old"]);
    // The fake scheduler and kubelet move the pod on: MODIFIED events follow.
    const seen: string[] = [];
    for (let e = await next();; e = await next()) {
      seen.push(`${e.type}:${e.object.status?.phase}`);
      if (e.object.status?.phase === "Running") break;
    }
    assert.ok(seen.every((s) => s.startsWith("MODIFIED")), seen.join());
    await api(fake, "POST", "pods", pod("other", { app: "not-w" }));
    await api(fake, "DELETE", "pods/old");
    const gone = await next();
    assert.deepEqual([gone.type, gone.object.metadata.name], ["DELETED", "old"]);
    ctrl.abort();
    await lines.cancel().catch(() => {});
  }));

Deno.test("k8s fake: secrets, updates with resourceVersion, events, PVC binding", () =>
  withFake(async (fake) => {
    const [, s] = await api(fake, "POST", "secrets", {
      metadata: { name: "s1" },
      stringData: { token: "t0k" },
    });
    assert.deepEqual([s.type, s.data.token, s.stringData], ["Opaque", btoa("t0k"), undefined]);
    const [s200] = await api(fake, "PUT", "secrets/s1", {
      ...s,
      metadata: { ...s.metadata, labels: { a: "b" } },
    });
    assert.equal(s200, 200);
    const [s409, e409] = await api(fake, "PUT", "secrets/s1", s);
    assert.deepEqual([s409, e409.reason], [409, "Conflict"], "stale resourceVersion");
    const [, del] = await api(fake, "DELETE", "secrets/s1");
    assert.deepEqual([del.kind, del.status], ["Status", "Success"]);
    const [, claim] = await api(fake, "POST", "persistentvolumeclaims", {
      metadata: { name: "c1" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "16Mi" } } },
    });
    assert.deepEqual([claim.spec.storageClassName, claim.status.phase], ["standard", "Pending"]);
    for (let i = 0; i < 50; i++) {
      if ((await api(fake, "GET", "persistentvolumeclaims/c1"))[1].status.phase === "Bound") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const [, bound] = await api(fake, "GET", "persistentvolumeclaims/c1");
    assert.deepEqual(bound.status.capacity, { storage: "16Mi" });
    const [, events] = await api(fake, "GET", "events?fieldSelector=involvedObject.name%3Dc1");
    assert.equal(events.kind, "EventList");
    assert.deepEqual(events.items.map((e: Obj) => [e.reason, e.involvedObject.kind]), [
      ["ProvisioningSucceeded", "PersistentVolumeClaim"],
    ]);
  }));
