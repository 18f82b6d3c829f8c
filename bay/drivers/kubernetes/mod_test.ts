/**
 * The Kubernetes driver against the fake API server (tests/k8s_fake) with no
 * ship processes (`launch: false`: Pods turn Running without one): object
 * lifecycles, start failures with their Events, the bounded wait, OOMKilled,
 * and the exact API permissions used.
 *
 * @module
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { type FakeKube, type FakeKubeOptions, startFakeKube } from "../../../tests/k8s_fake/mod.ts";
import { ProfileSchema } from "../../config/schema.ts";
import { createLogger } from "../../core/log.ts";
import type { Driver, SessionSpec } from "../driver.ts";
import { createKubernetesDriver, RBAC_RULES } from "./mod.ts";

const NS = "shipyard-sandboxes";
const TOKEN = "token-0123456789abcdef";

function session(id: string, profile: Record<string, unknown> = {}): SessionSpec {
  return {
    sessionId: `sess-${id}`,
    sandboxId: `sandbox-${id}`,
    owner: "#pool",
    cargoId: "ws-0123456789ab",
    cargoSizeLimitMb: 64,
    profile: ProfileSchema.parse({ id: "p", ...profile }),
    channel: { token: TOKEN },
    instanceId: "bay-test",
  };
}

async function withDriver(
  fakeOpts: FakeKubeOptions,
  driverOpts: { storageClass?: string; startTimeoutMs?: number },
  fn: (d: Driver, fake: FakeKube) => Promise<void>,
): Promise<void> {
  const fake = await startFakeKube({ launch: false, ...fakeOpts });
  try {
    const d = await createKubernetesDriver({
      kubeConfigFile: fake.kubeconfigPath,
      namespace: NS,
      image: "shipyard-neo/ship:test",
      bayUrl: "http://bay.shipyard.svc:8114",
      uid: 1000,
      gid: 1000,
      heartbeatMs: 1000,
      startTimeoutMs: driverOpts.startTimeoutMs ?? 10_000,
      storageClass: driverOpts.storageClass,
      log: createLogger("error", () => {}),
    });
    await fn(d, fake);
    await d.close();
  } finally {
    await fake.close();
  }
}

Deno.test("kubernetes driver: pod, secret and PVC lifecycle", () =>
  withDriver({}, {}, async (d, fake) => {
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "#pool", sizeLimitMb: 64 });
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "#pool", sizeLimitMb: 64 });
    assert.deepEqual(await d.listCargos(), ["ws-0123456789ab"]);
    const pvc = fake.store.get("persistentvolumeclaims", NS, "shipyard-cargo-ws-0123456789ab")!;
    assert.equal(pvc.spec.resources.requests.storage, "64Mi");
    const { runtimeId } = await d.startSession(session("0123456789ab"));
    assert.equal(runtimeId, "shipyard-sess-0123456789ab");
    const pod = fake.store.get("pods", NS, runtimeId)!;
    assert.equal(pod.status.phase, "Running");
    assert.ok(!JSON.stringify(pod).includes(TOKEN), "the token is not in the pod");
    const secret = fake.store.get("secrets", NS, "shipyard-sess-0123456789ab-token")!;
    assert.equal(atob(secret.data.token), TOKEN);
    assert.deepEqual(secret.metadata.ownerReferences!.map((r) => [r.kind, r.uid]), [
      ["Pod", pod.metadata.uid],
    ]);
    const info = await d.inspect(runtimeId);
    assert.deepEqual(
      [info.state, info.sessionId, info.sandboxId, info.cargoId],
      ["running", "sess-0123456789ab", "sandbox-0123456789ab", "ws-0123456789ab"],
    );
    assert.deepEqual((await d.listRuntimes()).map((r) => r.runtimeId), [runtimeId]);
    await d.stopSession(runtimeId);
    assert.equal(fake.store.get("pods", NS, runtimeId), undefined);
    assert.equal(fake.store.list("secrets", NS).length, 0, "secret deleted with the pod");
    assert.equal((await d.inspect(runtimeId)).state, "missing");
    await d.stopSession(runtimeId);
    await d.deleteCargo("ws-0123456789ab");
    await d.deleteCargo("ws-0123456789ab");
    assert.deepEqual(await d.listCargos(), []);
  }));

Deno.test("kubernetes driver: an image pull failure rejects with the pod's events", () =>
  withDriver({}, {}, async (d, fake) => {
    fake.pullFails = (image) => image.includes("missing");
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "o", sizeLimitMb: 64 });
    await assert.rejects(
      d.startSession(session("0000000000aa", { image: "registry.example/missing:1" })),
      (e: Error) => {
        assert.match(e.message, /did not start \(ImagePullBackOff\)/);
        assert.match(e.message, /events \[Scheduled, Pulling, Failed, BackOff\]/);
        assert.match(e.message, /Failed to pull image "registry\.example\/missing:1"/);
        return true;
      },
    );
    assert.equal(fake.store.list("pods", NS).length, 0, "failed pod removed");
    assert.equal(fake.store.list("secrets", NS).length, 0, "its secret too");
  }));

Deno.test("kubernetes driver: an unschedulable pod rejects with FailedScheduling", () =>
  withDriver({ allocatable: { cpus: 4, memoryMb: 512 } }, {}, async (d, fake) => {
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "o", sizeLimitMb: 64 });
    await assert.rejects(
      d.startSession(session("0000000000bb", { memoryMb: 1024 })),
      /did not start \(Unschedulable\): 0\/1 nodes are available: 1 Insufficient memory\.; events \[FailedScheduling\]/,
    );
    fake.unschedulable = "0/1 nodes are available: 1 node(s) were unschedulable.";
    await assert.rejects(
      d.startSession(session("0000000000bc")),
      /\(Unschedulable\).*FailedScheduling: 0\/1 nodes are available: 1 node\(s\) were unschedulable/,
    );
    assert.equal(fake.store.list("pods", NS).length, 0);
  }));

Deno.test("kubernetes driver: the readiness wait is bounded and reports the events", () =>
  withDriver({}, { storageClass: "no-such-class", startTimeoutMs: 1500 }, async (d, fake) => {
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "o", sizeLimitMb: 64 });
    const started = Date.now();
    await assert.rejects(d.startSession(session("0000000000cc")), (e: Error) => {
      assert.match(e.message, /did not start \(Timeout\): not running after 1500 ms/);
      assert.match(e.message, /FailedScheduling: 0\/1 nodes are available: pod has unbound/);
      return true;
    });
    assert.ok(Date.now() - started < 5000, "bounded");
    assert.equal(fake.store.list("pods", NS).length, 0, "the pending pod is removed");
  }));

Deno.test("kubernetes driver: an OOMKilled container shows in inspect", () =>
  withDriver({}, {}, async (d, fake) => {
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "o", sizeLimitMb: 64 });
    const { runtimeId } = await d.startSession(session("0000000000dd"));
    await fake.kill(NS, runtimeId, "OOMKilled");
    const info = await d.inspect(runtimeId);
    assert.equal(info.state, "exited");
    assert.equal(info.oomKilled, true);
    assert.equal(info.exitCode, 137);
    assert.match(
      info.reason!,
      /pod Failed: container ship OOMKilled, exit code 137 \(killed: out of memory\)/,
    );
    assert.equal((await d.listRuntimes())[0].state, "exited");
    await d.stopSession(runtimeId);
  }));

Deno.test("kubernetes driver: a cargo in use is only marked for deletion", () =>
  withDriver({}, {}, async (d, fake) => {
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "o", sizeLimitMb: 64 });
    const { runtimeId } = await d.startSession(session("0000000000ee"));
    await d.deleteCargo("ws-0123456789ab");
    assert.deepEqual(await d.listCargos(), [], "a terminating PVC is not listed");
    assert.ok(fake.store.get("persistentvolumeclaims", NS, "shipyard-cargo-ws-0123456789ab"));
    await d.stopSession(runtimeId);
    assert.equal(fake.store.list("persistentvolumeclaims", NS).length, 0, "gone with its pod");
  }));

Deno.test("kubernetes driver: host networking is refused", () =>
  withDriver({}, {}, async (d) => {
    await assert.rejects(d.startSession(session("0000000000ff", { network: "host" })), /not host/);
  }));

Deno.test("kubernetes driver: a bad credential or a missing Bay URL fails at startup", async () => {
  const fake = await startFakeKube({ launch: false });
  try {
    const config = fake.kubeconfig() as { users: { user: { token: string } }[] };
    config.users[0].user.token = "wrong";
    const file = `${fake.root}/bad-kubeconfig`;
    await Deno.writeTextFile(file, stringify(config));
    const opts = {
      kubeConfigFile: file,
      namespace: NS,
      image: "i",
      bayUrl: "http://bay:8114",
      uid: 1000,
      gid: 1000,
      heartbeatMs: 1000,
      startTimeoutMs: 1000,
      log: createLogger("error", () => {}),
    };
    await assert.rejects(
      createKubernetesDriver(opts),
      /cannot list pods in namespace shipyard-sandboxes at http:\/\/127\.0\.0\.1:\d+: .*401/,
    );
    await assert.rejects(createKubernetesDriver({ ...opts, bayUrl: "" }), /BAY_KUBE_BAY_URL/);
  } finally {
    await fake.close();
  }
});

Deno.test("kubernetes driver: uses exactly the API permissions of RBAC_RULES", () =>
  withDriver({}, {}, async (d, fake) => {
    await d.ensureCargo({ id: "ws-0123456789ab", owner: "o", sizeLimitMb: 64 });
    await d.listCargos();
    const { runtimeId } = await d.startSession(session("000000000100"));
    await d.inspect(runtimeId);
    await d.listRuntimes();
    await d.stopSession(runtimeId);
    fake.pullFails = () => true;
    await d.startSession(session("000000000101")).catch(() => {});
    await d.deleteCargo("ws-0123456789ab");
    const used = new Set(fake.audit.map((a) => `${a.resource}:${a.verb}`));
    const granted = new Set(
      RBAC_RULES.flatMap((r) => r.resources.flatMap((res) => r.verbs.map((v) => `${res}:${v}`))),
    );
    assert.deepEqual([...used].sort(), [...granted].sort());
    assert.ok(fake.audit.every((a) => a.namespace === NS), "namespaced only");
  }));
