import assert from "node:assert/strict";
import type { CoreV1Event, V1Pod } from "@kubernetes/client-node";
import { LABEL } from "./_spec.ts";
import { eventReasons, formatEvents, podVerdict, runtimeInfo } from "./_status.ts";

function pod(status: V1Pod["status"], meta: V1Pod["metadata"] = {}): V1Pod {
  return {
    metadata: {
      name: "shipyard-sess-1",
      labels: { [LABEL.session]: "sess-1", [LABEL.owner]: "h-abc" },
      annotations: { [LABEL.owner]: "#pool", [LABEL.cargo]: "ws-1", [LABEL.sandbox]: "sb-1" },
      ...meta,
    },
    status,
  };
}

const ship = (
  state: object,
) => [{ name: "ship", image: "i", imageID: "", ready: false, restartCount: 0, state }];

Deno.test("kubernetes status: verdicts while starting", () => {
  assert.equal(podVerdict(pod({ phase: "Pending" })).kind, "pending");
  assert.equal(
    podVerdict(pod({ phase: "Running", containerStatuses: ship({ running: {} }) })).kind,
    "running",
  );
  const pulling = podVerdict(
    pod({ phase: "Pending", containerStatuses: ship({ waiting: { reason: "ErrImagePull" } }) }),
  );
  assert.equal(pulling.kind, "pending", "the kubelet retries a failed pull once");
  assert.deepEqual(
    podVerdict(pod({
      phase: "Pending",
      containerStatuses: ship({ waiting: { reason: "ImagePullBackOff", message: "Back-off" } }),
    })),
    { kind: "failed", reason: "ImagePullBackOff", detail: "Back-off" },
  );
  const unsched = (message: string) =>
    podVerdict(pod({
      phase: "Pending",
      conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }],
    }));
  assert.equal(unsched("0/3 nodes are available: 3 Insufficient memory.").kind, "failed");
  assert.equal(
    unsched("0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.").kind,
    "pending",
    "a PVC still being provisioned is worth waiting for",
  );
  const deleting = podVerdict(pod({ phase: "Running" }, { deletionTimestamp: new Date() }));
  assert.equal(deleting.kind, "failed");
});

Deno.test("kubernetes status: OOMKilled shows in inspect's info", () => {
  const info = runtimeInfo(pod({
    phase: "Failed",
    containerStatuses: ship({
      terminated: { exitCode: 137, reason: "OOMKilled", message: "last log line\n" },
    }),
  }));
  assert.equal(info.state, "exited");
  assert.equal(info.oomKilled, true);
  assert.equal(info.exitCode, 137);
  assert.match(info.reason!, /OOMKilled, exit code 137 \(killed: out of memory\): last log line/);
  assert.equal(info.sessionId, "sess-1");
  assert.equal(info.cargoId, "ws-1");
  assert.equal(info.sandboxId, "sb-1");
});

Deno.test("kubernetes status: running, pending and finished pods", () => {
  assert.equal(runtimeInfo(pod({ phase: "Pending" })).state, "running", "on its way");
  const done = runtimeInfo(pod({
    phase: "Succeeded",
    containerStatuses: ship({ terminated: { exitCode: 0, reason: "Completed" } }),
  }));
  assert.deepEqual([done.state, done.exitCode, done.oomKilled], ["exited", 0, false]);
  const lost = runtimeInfo(pod({ phase: "Unknown" }));
  assert.equal(lost.state, "exited");
  assert.match(lost.reason!, /node unreachable/);
});

Deno.test("kubernetes status: events are formatted oldest first with their reasons", () => {
  const events: CoreV1Event[] = [
    {
      metadata: {},
      involvedObject: {},
      reason: "BackOff",
      message: "Back-off pulling image",
      type: "Normal",
      lastTimestamp: new Date(2000),
    },
    {
      metadata: {},
      involvedObject: {},
      reason: "Failed",
      message: "Failed to pull image",
      type: "Warning",
      lastTimestamp: new Date(1000),
    },
  ];
  assert.equal(
    formatEvents(events),
    "Warning Failed: Failed to pull image; BackOff: Back-off pulling image",
  );
  assert.deepEqual(eventReasons(events), ["Failed", "BackOff"]);
});
