/**
 * The driver conformance suite against the Kubernetes driver, talking to the
 * fake API server in tests/k8s_fake (no real cluster can run here). The fake
 * runs each Pod's ship as a local process, backs PVCs with loop-mounted ext4
 * images of the requested size (like a block-storage class) and applies Pod
 * limits with cgroup v1 (like a cgroupfs kubelet). What this does and does
 * not prove: plans/kubernetes.md.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startFakeKube } from "../k8s_fake/mod.ts";
import { conformance } from "./_suite.ts";

const fake = await startFakeKube({ storage: "loop" });
if (!fake.enforcesLimits) {
  await fake.close();
  throw new Error("the fake kubelet needs cgroup v1 (memory, cpu, pids) as root to apply limits");
}

conformance({
  kind: "kubernetes",
  outboundMode: "bridge",
  env: { BAY_KUBE_CONFIG_FILE: fake.kubeconfigPath },
  skips: {
    pids_limit: "Kubernetes has no per-Pod pids limit (only the kubelet's node-wide podPidsLimit)",
    network_none: "every Pod has a network interface (the ship dials Bay's Service over it); " +
      "`none` is the sandbox NetworkPolicy (egress to Bay only), which needs a CNI plugin",
  },
  crash: (_t, runtimeId) => fake.kill("shipyard-sandboxes", runtimeId),
});

Deno.test("conformance[kubernetes]: nothing is left behind; the fake shuts down", async () => {
  try {
    for (const resource of ["pods", "secrets", "persistentvolumeclaims"]) {
      assert.deepEqual(fake.store.list(resource, "shipyard-sandboxes"), [], `${resource} left`);
    }
  } finally {
    await fake.close();
  }
});
