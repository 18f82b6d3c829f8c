import assert from "node:assert/strict";
import { ProfileSchema } from "../../config/schema.ts";
import type { SessionSpec } from "../driver.ts";
import { LABEL as DOCKER_LABEL, SHIP_CAPS as DOCKER_CAPS } from "../docker/_spec.ts";
import {
  cpuQuantity,
  LABEL,
  labelValue,
  NETWORK_LABEL,
  podSpec,
  pvcSpec,
  secretSpec,
  TOKEN_FILE,
} from "./_spec.ts";

const TOKEN = "0123456789abcdef-secret-token";

function session(over: Partial<SessionSpec> = {}): SessionSpec {
  return {
    sessionId: "sess-0123456789ab",
    sandboxId: "sandbox-0123456789ab",
    owner: "#pool",
    cargoId: "ws-0123456789ab",
    cargoSizeLimitMb: 2048,
    profile: ProfileSchema.parse({ id: "p", cpus: 1.5, memoryMb: 768, env: { A: "1" } }),
    channel: { url: "http://ignored", token: TOKEN },
    instanceId: "bay-1",
    ...over,
  };
}

const OPTS = {
  namespace: "sandboxes",
  image: "registry.example/ship:1",
  bayUrl: "http://bay.shipyard.svc:8114",
  uid: 1000,
  gid: 1000,
  heartbeatMs: 5000,
};

Deno.test("kubernetes spec: labels use the docker driver's keys", () => {
  assert.deepEqual(LABEL, DOCKER_LABEL);
  assert.equal(labelValue("sess-1"), "sess-1");
  assert.match(labelValue("#pool"), /^h-[0-9a-f]{40}$/, "invalid label values are hashed");
  assert.match(labelValue("x".repeat(64)), /^h-/);
  assert.equal(labelValue(""), "");
});

Deno.test("kubernetes spec: the pod is hardened field by field", () => {
  const pod = podSpec(session(), { ...OPTS, runtimeClassName: "gvisor" });
  const spec = pod.spec!;
  assert.equal(pod.metadata!.name, "shipyard-sess-0123456789ab");
  assert.equal(pod.metadata!.namespace, "sandboxes");
  assert.equal(spec.restartPolicy, "Never");
  assert.equal(spec.automountServiceAccountToken, false);
  assert.equal(spec.enableServiceLinks, false);
  assert.equal(spec.runtimeClassName, "gvisor");
  assert.equal(spec.hostNetwork, undefined);
  assert.equal(spec.hostPID, undefined);
  assert.deepEqual(spec.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
  assert.equal(spec.containers.length, 1);
  const c = spec.containers[0];
  assert.equal(c.image, "registry.example/ship:1");
  assert.deepEqual(c.securityContext, {
    runAsUser: 0,
    runAsGroup: 0,
    runAsNonRoot: false,
    privileged: false,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: {
      drop: ["ALL"],
      add: ["SETUID", "SETGID", "KILL", "CHOWN", "FOWNER", "DAC_OVERRIDE"],
    },
    seccompProfile: { type: "RuntimeDefault" },
  });
  assert.deepEqual(c.securityContext!.capabilities!.add, DOCKER_CAPS);
  assert.deepEqual(c.resources, {
    requests: { cpu: "1500m", memory: "768Mi" },
    limits: { cpu: "1500m", memory: "768Mi" },
  });
  assert.equal(c.terminationMessagePolicy, "FallbackToLogsOnError");
  const mounts = Object.fromEntries(c.volumeMounts!.map((m) => [m.mountPath, m]));
  assert.deepEqual(Object.keys(mounts).sort(), ["/run", "/run/ship-secret", "/tmp", "/workspace"]);
  assert.equal(mounts["/run/ship-secret"].readOnly, true);
  const vols = Object.fromEntries(spec.volumes!.map((v) => [v.name, v]));
  assert.deepEqual(vols.workspace.persistentVolumeClaim, {
    claimName: "shipyard-cargo-ws-0123456789ab",
  });
  assert.deepEqual(vols.tmp.emptyDir, { medium: "Memory", sizeLimit: "1Gi" });
  assert.deepEqual(vols.run.emptyDir, { medium: "Memory", sizeLimit: "16Mi" });
  assert.deepEqual(vols["ship-secret"].secret, {
    secretName: "shipyard-sess-0123456789ab-token",
    defaultMode: 0o400,
    items: [{ key: "token", path: "token", mode: 0o400 }],
  });
});

Deno.test("kubernetes spec: ship env dials the Service URL; the token is never in the pod", () => {
  const pod = podSpec(session(), OPTS);
  const env = Object.fromEntries(pod.spec!.containers[0].env!.map((e) => [e.name, e.value]));
  assert.equal(env.SHIP_BAY_URL, "http://bay.shipyard.svc:8114");
  assert.equal(env.SHIP_TOKEN_FILE, TOKEN_FILE);
  assert.equal(TOKEN_FILE, "/run/ship-secret/token");
  assert.equal(env.SHIP_UID, "1000");
  assert.equal(env.SHIP_GID, "1000");
  assert.equal(env.SHIP_WORKSPACE, "/workspace");
  assert.equal(env.SHIP_USER_ENV, '{"A":"1"}');
  assert.equal(env.SHIP_TOKEN, undefined);
  assert.equal(env.SHIP_SOCKET, undefined);
  assert.ok(!JSON.stringify(pod).includes(TOKEN), "token absent from the pod spec");
  assert.equal(pod.spec!.runtimeClassName, undefined, "no runtime class unless configured");
});

Deno.test("kubernetes spec: labels and annotations carry ownership and the network mode", () => {
  const pod = podSpec(session(), OPTS);
  const labels = pod.metadata!.labels!;
  assert.equal(labels[LABEL.managed], "1");
  assert.equal(labels[LABEL.session], "sess-0123456789ab");
  assert.equal(labels[LABEL.sandbox], "sandbox-0123456789ab");
  assert.equal(labels[LABEL.cargo], "ws-0123456789ab");
  assert.equal(labels[LABEL.instance], "bay-1");
  assert.equal(labels[LABEL.owner], labelValue("#pool"));
  assert.equal(labels[NETWORK_LABEL], "none");
  assert.equal(pod.metadata!.annotations![LABEL.owner], "#pool", "exact owner in annotations");
  const bridged = session();
  bridged.profile = { ...bridged.profile, network: "bridge" };
  assert.equal(podSpec(bridged, OPTS).metadata!.labels![NETWORK_LABEL], "bridge");
});

Deno.test("kubernetes spec: the secret holds the token; the PVC requests the cargo's size", () => {
  const s = secretSpec(session(), "sandboxes");
  assert.equal(s.metadata!.name, "shipyard-sess-0123456789ab-token");
  assert.deepEqual(s.stringData, { token: TOKEN });
  assert.equal(s.metadata!.labels![LABEL.session], "sess-0123456789ab");
  const pvc = pvcSpec({ id: "ws-0123456789ab", owner: "alice", sizeLimitMb: 2048 }, {
    namespace: "sandboxes",
    storageClass: "fast-ssd",
  });
  assert.equal(pvc.metadata!.name, "shipyard-cargo-ws-0123456789ab");
  assert.deepEqual(pvc.spec, {
    accessModes: ["ReadWriteOnce"],
    storageClassName: "fast-ssd",
    resources: { requests: { storage: "2048Mi" } },
  });
  assert.equal(pvc.metadata!.labels![LABEL.managed], "1");
  const dflt = pvcSpec({ id: "ws-1", owner: "a", sizeLimitMb: 1 }, { namespace: "n" });
  assert.equal(dflt.spec!.storageClassName, undefined, "cluster default class unless configured");
});

Deno.test("kubernetes spec: CPU quantities in millicores", () => {
  assert.equal(cpuQuantity(1), "1000m");
  assert.equal(cpuQuantity(0.25), "250m");
  assert.equal(cpuQuantity(0.0001), "1m");
});
