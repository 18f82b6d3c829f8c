import type { LocalDriver } from "../../bay/drivers/local/mod.ts";
import { conformance } from "./_suite.ts";

conformance({
  kind: "local",
  outboundMode: "host",
  skips: {
    memory_limit: "bubblewrap has no cgroups",
    pids_limit: "bubblewrap has no cgroups",
    disk_quota: "cargos are plain host directories",
  },
  async crash(t, runtimeId) {
    const pid = await (t.anyDriver as LocalDriver).pidOf(runtimeId);
    if (pid === null) throw new Error("runtime has no process");
    Deno.kill(pid, "SIGKILL");
  },
});
