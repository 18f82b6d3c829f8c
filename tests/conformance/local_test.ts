import type { LocalDriver } from "../../bay/drivers/local/mod.ts";
import { conformance } from "./_suite.ts";

conformance({
  kind: "local",
  outboundMode: "host",
  env: { BAY_CARGO_QUOTA: "loop" },
  skips: {
    memory_limit: "bubblewrap has no cgroups",
    pids_limit: "bubblewrap has no cgroups",
  },
  async crash(t, runtimeId) {
    const pid = await (t.anyDriver as LocalDriver).pidOf(runtimeId);
    if (pid === null) throw new Error("runtime has no process");
    Deno.kill(pid, "SIGKILL");
  },
});
