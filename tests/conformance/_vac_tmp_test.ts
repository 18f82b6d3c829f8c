import { FakeKube } from "../k8s_fake/server.ts";
import { conformance } from "./_suite.ts";
const fake = await FakeKube.start({ storage: "dir", cgroups: false });
conformance({
  kind: "kubernetes",
  outboundMode: "bridge",
  env: { BAY_KUBE_CONFIG_FILE: fake.kubeconfigPath },
  skips: { pids_limit: "x", network_none: "y" },
  crash: (_t, runtimeId) => fake.kill("shipyard-sandboxes", runtimeId),
});
Deno.test("close", async () => { await fake.close(); });
