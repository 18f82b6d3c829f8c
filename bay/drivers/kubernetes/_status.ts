/**
 * Reading Pods: whether a starting Pod is running, still pending or has
 * failed for good (image pull, scheduling, container config), the
 * {@link RuntimeInfo} of a Pod (phase, container state, OOMKilled), and
 * Events formatted for error messages.
 *
 * @module
 */
import type { CoreV1Event, V1ContainerState, V1Pod } from "@kubernetes/client-node";
import type { RuntimeInfo } from "../driver.ts";
import { LABEL, SHIP_CONTAINER } from "./_spec.ts";

/**
 * Container waiting reasons that will not fix themselves within a session start.
 * `ErrImagePull` is not here: the kubelet retries once before `ImagePullBackOff`.
 */
export const FATAL_WAITING = new Set([
  "ImagePullBackOff",
  "InvalidImageName",
  "ErrImageNeverPull",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
  "CrashLoopBackOff",
]);

/** Where a starting Pod stands. */
export type PodVerdict =
  | { kind: "running" }
  | { kind: "pending"; detail: string }
  | { kind: "failed"; reason: string; detail: string };

function shipState(pod: V1Pod): V1ContainerState | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  return (statuses.find((c) => c.name === SHIP_CONTAINER) ?? statuses[0])?.state;
}

function describeTerminated(state: V1ContainerState): string {
  const t = state.terminated!;
  const oom = t.reason === "OOMKilled" ? " (killed: out of memory)" : "";
  const why = t.reason ?? (t.signal ? `signal ${t.signal}` : "terminated");
  const msg = t.message?.trim() ? `: ${t.message.trim().slice(-600)}` : "";
  return `container ${SHIP_CONTAINER} ${why}, exit code ${t.exitCode}${oom}${msg}`;
}

/** Classify a Pod during start: running, pending (keep waiting) or failed for good. */
export function podVerdict(pod: V1Pod): PodVerdict {
  const phase = pod.status?.phase ?? "Pending";
  const state = shipState(pod);
  if (pod.metadata?.deletionTimestamp) {
    return { kind: "failed", reason: "Deleted", detail: "the pod is being deleted" };
  }
  if (phase === "Succeeded" || phase === "Failed" || state?.terminated) {
    const reason = state?.terminated?.reason ?? pod.status?.reason ?? phase;
    const detail = state?.terminated
      ? describeTerminated(state)
      : `pod ${phase}${pod.status?.message ? `: ${pod.status.message}` : ""}`;
    return { kind: "failed", reason, detail };
  }
  if (phase === "Running" && state?.running) return { kind: "running" };
  const waiting = state?.waiting;
  if (waiting?.reason && FATAL_WAITING.has(waiting.reason)) {
    return { kind: "failed", reason: waiting.reason, detail: waiting.message ?? waiting.reason };
  }
  const sched = pod.status?.conditions?.find((c) => c.type === "PodScheduled");
  // A fresh PVC still being provisioned (Immediate binding) is reported as Unschedulable too.
  const waitingForVolume = /unbound immediate PersistentVolumeClaims/i.test(sched?.message ?? "");
  if (sched?.status === "False" && sched.reason === "Unschedulable" && !waitingForVolume) {
    return { kind: "failed", reason: "Unschedulable", detail: sched.message ?? "unschedulable" };
  }
  if (phase === "Unknown") {
    return { kind: "failed", reason: "Unknown", detail: "pod phase Unknown (node unreachable)" };
  }
  const detail = waiting?.reason
    ? `container waiting: ${waiting.reason}`
    : sched?.status === "True"
    ? "scheduled, container not started"
    : "not scheduled yet";
  return { kind: "pending", detail: `phase ${phase}, ${detail}` };
}

/** What the driver reports for a Pod (inspect / listRuntimes). */
export function runtimeInfo(pod: V1Pod): RuntimeInfo {
  const meta = pod.metadata ?? {};
  const ids = (key: string) => meta.annotations?.[key] ?? meta.labels?.[key] ?? null;
  const base = {
    runtimeId: meta.name ?? "",
    sessionId: ids(LABEL.session),
    sandboxId: ids(LABEL.sandbox),
    cargoId: ids(LABEL.cargo),
  };
  const v = podVerdict(pod);
  // A pending Pod without a fatal condition is a runtime on its way (like a created container).
  if (v.kind !== "failed") return { ...base, state: "running" };
  const terminated = shipState(pod)?.terminated;
  return {
    ...base,
    state: "exited",
    exitCode: terminated?.exitCode ?? null,
    oomKilled: terminated?.reason === "OOMKilled",
    reason: `pod ${pod.status?.phase ?? "Pending"}: ${v.detail}`,
  };
}

function oldestFirst(events: CoreV1Event[]): CoreV1Event[] {
  const time = (e: CoreV1Event) =>
    new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? 0).getTime();
  return [...events].sort((a, b) => time(a) - time(b));
}

/** Events of one object, oldest first, as `Reason: message` lines. */
export function formatEvents(events: CoreV1Event[]): string {
  return oldestFirst(events)
    .map((e) => `${e.type === "Warning" ? "Warning " : ""}${e.reason}: ${e.message ?? ""}`.trim())
    .join("; ");
}

/** Distinct event reasons, oldest first (e.g. `FailedScheduling`, `BackOff`). */
export function eventReasons(events: CoreV1Event[]): string[] {
  return [...new Set(oldestFirst(events).map((e) => e.reason).filter((r): r is string => !!r))];
}
