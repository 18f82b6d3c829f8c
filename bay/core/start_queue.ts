/**
 * The start queue: at most `limit` session starts run at once on this Bay;
 * later starts wait their turn in arrival order. Starting a session is the
 * most CPU-hungry thing a host does (a runtime, a ship, often a kernel), and
 * a burst of them all at once starves every process on the machine, Bay's
 * own heartbeats included, until each start takes as long as all of them.
 * Queued callers start one after another instead, each as fast as one start.
 *
 * @module
 */
import { BayError } from "../errors.ts";

interface Waiter {
  key?: string;
  grant: () => void;
  leave: (e: unknown) => void;
}

/** Why {@link StartQueue.acquire} rejected a waiter that {@link StartQueue.cancel} removed. */
export class StartCancelled extends Error {
  constructor() {
    super("the start was cancelled while it waited for a slot");
    this.name = "StartCancelled";
  }
}

/** A FIFO counting semaphore for session starts. */
export class StartQueue {
  readonly limit: number;
  #running = 0;
  #waiting: Waiter[] = [];

  /** `limit`: how many starts may run at once (at least 1). */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`bad start limit ${limit}`);
    this.limit = limit;
  }

  /** Starts running now. */
  get running(): number {
    return this.#running;
  }

  /** Starts waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Wait for a start slot; resolves with its release (idempotent). A caller
   * still waiting after `timeoutMs` gets 503 `session_not_ready` (nothing was
   * started for it) and leaves the queue; so does one removed by
   * {@link StartQueue.cancel} with its `key` (rejected with {@link StartCancelled}).
   */
  acquire(timeoutMs: number, key?: string): Promise<() => void> {
    if (this.#running < this.limit && this.#waiting.length === 0) {
      this.#running++;
      return Promise.resolve(this.#release());
    }
    const ahead = this.#running + this.#waiting.length;
    const queuedAt = Date.now();
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        key,
        grant: () => {
          clearTimeout(timer);
          this.#running++;
          resolve(this.#release());
        },
        leave: (e) => {
          clearTimeout(timer);
          const i = this.#waiting.indexOf(w);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        w.leave(
          new BayError(
            "session_not_ready",
            `too many sessions are starting on this Bay: no start slot within ${timeoutMs} ms`,
            {
              retry_after_ms: 1_000,
              waited_ms: Date.now() - queuedAt,
              starts_ahead: ahead,
              max_concurrent_starts: this.limit,
            },
          ),
        );
      }, timeoutMs);
      this.#waiting.push(w);
    });
  }

  /** Remove the waiters of `key` from the queue; returns how many were waiting. */
  cancel(key: string): number {
    const gone = this.#waiting.filter((w) => w.key === key);
    for (const w of gone) w.leave(new StartCancelled());
    return gone.length;
  }

  #release(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#running--;
      const next = this.#waiting.shift();
      next?.grant();
    };
  }
}

/**
 * The default start limit when `maxConcurrentStarts` is not set: starts on
 * this host (local, docker) are bounded by its CPUs; Kubernetes starts run on
 * the cluster's nodes, so only a loose bound protects Bay itself.
 */
export function defaultStartLimit(driver: string, cpus: number): number {
  if (driver === "kubernetes") return 64;
  return 4 * Math.max(1, Math.floor(cpus));
}
