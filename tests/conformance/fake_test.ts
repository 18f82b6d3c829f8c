import { conformance } from "./_suite.ts";

conformance({
  kind: "fake",
  outboundMode: "host",
  skips: {
    memory_limit: "in-memory driver: ships run in-process without cgroups",
    pids_limit: "in-memory driver: ships run in-process without cgroups",
    disk_quota: "in-memory driver: cargos are plain directories",
    network_none: "in-memory driver: in-process ships share the host network",
  },
  crash: (t, runtimeId, sessionId) => {
    t.driver.crash(runtimeId);
    t.killShip(sessionId);
    return Promise.resolve();
  },
});
