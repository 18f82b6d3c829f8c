/**
 * Watch-based readiness of a session Pod: one watch on the Pod (re-opened if
 * the API server closes it), settled when the ship container runs, when the
 * Pod fails for good (image pull, scheduling, container config, exit), or
 * when the bounded wait runs out.
 *
 * @module
 */
import type { KubeConfig, V1Pod } from "@kubernetes/client-node";
import { Watch } from "@kubernetes/client-node";
import { podVerdict } from "./_status.ts";

/** Why a Pod did not come up. */
export class PodStartError extends Error {
  /** Kubernetes reason (`ImagePullBackOff`, `Unschedulable`, `Timeout`, …). */
  readonly reason: string;
  constructor(reason: string, message: string) {
    super(message);
    this.name = "PodStartError";
    this.reason = reason;
  }
}

/**
 * Resolve with the Pod once its ship container runs; reject with a
 * {@link PodStartError} when it fails for good or after `timeoutMs`.
 */
export function waitForPodRunning(
  kc: KubeConfig,
  namespace: string,
  name: string,
  timeoutMs: number,
): Promise<V1Pod> {
  const { promise, resolve, reject } = Promise.withResolvers<V1Pod>();
  const watch = new Watch(kc);
  let done = false;
  let ctrl: AbortController | null = null;
  let lastDetail = "no status yet";
  let retry: ReturnType<typeof setTimeout> | undefined;
  const finish = (settle: () => void) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    clearTimeout(retry);
    ctrl?.abort();
    settle();
  };
  const timer = setTimeout(
    () =>
      finish(() =>
        reject(
          new PodStartError("Timeout", `not running after ${timeoutMs} ms (${lastDetail})`),
        )
      ),
    timeoutMs,
  );
  const onEvent = (type: string, obj: V1Pod & { message?: string }) => {
    if (done) return;
    if (type === "ERROR") {
      lastDetail = `watch error: ${obj.message ?? "unknown"}`;
      return;
    }
    if (type === "DELETED") {
      finish(() => reject(new PodStartError("Deleted", "the pod was deleted while starting")));
      return;
    }
    if (obj.metadata?.name !== name) return;
    const v = podVerdict(obj);
    if (v.kind === "running") finish(() => resolve(obj));
    else if (v.kind === "failed") {
      finish(() => reject(new PodStartError(v.reason, v.detail)));
    } else lastDetail = v.detail;
  };
  const open = () => {
    if (done) return;
    // Without a resourceVersion, the API server first sends the Pod as it is (ADDED).
    watch.watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { fieldSelector: `metadata.name=${name}` },
      onEvent,
      (err) => {
        if (done) return;
        if (err) lastDetail = `watch failed: ${err instanceof Error ? err.message : String(err)}`;
        retry = setTimeout(open, 250);
      },
    ).then((c) => {
      ctrl = c;
      if (done) c.abort();
    }, (e) => finish(() => reject(e)));
  };
  open();
  return promise;
}
