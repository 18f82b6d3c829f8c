/**
 * Pod status as the kubelet writes it: container statuses in the waiting,
 * running and terminated states, and the Pod conditions that go with them.
 *
 * @module
 */
import type { Obj } from "./store.ts";

/** The ship container waiting for `reason` (Pod stays Pending). */
export function setWaiting(p: Obj, reason: string, message?: string): void {
  const c = p.spec.containers[0];
  p.status.containerStatuses = [{
    name: c.name,
    image: c.image,
    imageID: "",
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason, ...(message ? { message } : {}) } },
  }];
}

/** The ship container running: Pod Running and Ready. */
export function setRunning(p: Obj, podIP: string): void {
  const c = p.spec.containers[0];
  const now = new Date().toISOString();
  p.status.phase = "Running";
  p.status.startTime = now;
  p.status.podIP = podIP;
  p.status.conditions.push(
    { type: "Initialized", status: "True" },
    { type: "ContainersReady", status: "True" },
    { type: "Ready", status: "True" },
  );
  p.status.containerStatuses = [{
    name: c.name,
    image: c.image,
    imageID: `fake://${c.image}`,
    containerID: `fake://${p.metadata.uid}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
  }];
}

/** The ship container ended: Pod Succeeded (exit 0) or Failed (restartPolicy Never). */
export function setTerminated(p: Obj, code: number, reason: string, log: string): void {
  p.status.phase = code === 0 ? "Succeeded" : "Failed";
  p.status.conditions = p.status.conditions.map((c: Obj) =>
    c.type === "Ready" || c.type === "ContainersReady"
      ? { ...c, status: "False", reason: "PodCompleted" }
      : c
  );
  const cs = p.status.containerStatuses[0];
  const fallback = p.spec.containers[0].terminationMessagePolicy === "FallbackToLogsOnError";
  cs.ready = false;
  cs.started = false;
  cs.state = {
    terminated: {
      exitCode: code,
      reason,
      // FallbackToLogsOnError: the last 80 lines / 2 KiB of the log on a failed exit.
      ...(fallback && code !== 0 && log.trim() ? { message: log } : {}),
      startedAt: cs.state?.running?.startedAt,
      finishedAt: new Date().toISOString(),
      containerID: `fake://${p.metadata.uid}`,
    },
  };
}
