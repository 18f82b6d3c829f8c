/**
 * Helpers of a session start: watch the runtime while its ship has not
 * connected yet, and wait for the ship's kernel after it has.
 *
 * @module
 */
import type { Driver } from "../drivers/driver.ts";
import { BayError } from "../errors.ts";
import type { ShipConnection } from "../ship_hub/connection.ts";
import type { ShipHub } from "../ship_hub/hub.ts";
import type { Db } from "../store/db.ts";
import { getSession } from "../store/sessions.ts";

/** What {@link watchStart} reads. */
export interface WatchDeps {
  db: Db;
  driver: Driver;
  hub: ShipHub;
  instanceId: string;
}

/** Poll the runtime while waiting for its ship; fail the wait when it exits. */
export function watchStart(
  d: WatchDeps,
  sessionId: string,
  runtimeId: string,
): { stop: () => void } {
  const timer = setInterval(async () => {
    // Behind a load balancer the ship may attach to another replica, which then holds it.
    const row = await getSession(d.db, sessionId).catch(() => undefined);
    if (row?.status === "ready" && row.instance_id && row.instance_id !== d.instanceId) {
      d.hub.fail(
        sessionId,
        new BayError("session_not_ready", "the session's ship attached to another replica", {
          retry_after_ms: 200,
          held_by: row.instance_id,
        }),
      );
      return;
    }
    const info = await d.driver.inspect(runtimeId).catch(() => null);
    if (info && info.state !== "running") {
      d.hub.fail(
        sessionId,
        new BayError(
          "ship_error",
          `runtime exited before its ship connected: ${info.reason ?? info.state}`,
        ),
      );
    }
  }, 250);
  return { stop: () => clearInterval(timer) };
}

/**
 * Wait until the ship's kernel is up (`python_ready`), at most `timeoutMs`.
 * Never throws: a kernel that fails to start is reported by the call that needs it.
 */
export async function awaitKernel(conn: ShipConnection, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      conn.call({ op: "python_ready" }),
      new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, timeoutMs)))),
    ]);
  } catch {
    /* the call reports it */
  } finally {
    clearTimeout(timer);
  }
}
