// @ts-types="@types/dockerode"
import Docker from "dockerode";
import { conformance } from "./_suite.ts";

conformance({
  kind: "docker",
  outboundMode: "bridge",
  env: { BAY_CARGO_QUOTA: "loop" },
  skips: {},
  async crash(_t, runtimeId) {
    await new Docker({ socketPath: "/var/run/docker.sock" }).getContainer(runtimeId).kill();
  },
});
