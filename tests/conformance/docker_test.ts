// @ts-types="@types/dockerode"
import Docker from "dockerode";
import { conformance } from "./_suite.ts";

conformance({
  kind: "docker",
  outboundMode: "bridge",
  skips: {
    disk_quota: "named volumes on overlay2 have no size limit",
  },
  async crash(_t, runtimeId) {
    await new Docker({ socketPath: "/var/run/docker.sock" }).getContainer(runtimeId).kill();
  },
});
