/**
 * Abort plumbing: one signal per call that fires on the caller's signal or on
 * the call's deadline, and an abortable sleep.
 *
 * @module
 */
import { ClientTimeoutError } from "./errors.ts";

/**
 * A call's combined abort signal and deadline.
 *
 * @example
 * ```ts
 * const d: Deadline = deadline(undefined, 500);
 * d.dispose();
 * ```
 */
export interface Deadline {
  /** Fires when the caller aborts or the deadline passes. */
  readonly signal: AbortSignal;
  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number;
  /** Stop the deadline timer (the caller's signal still counts). */
  clearTimer(): void;
  /** Stop the timer and stop listening to the caller's signal (the call is over). */
  dispose(): void;
}

/**
 * A signal that aborts with the caller's reason when `signal` aborts, or with
 * a {@link ClientTimeoutError} after `timeoutMs` (none when 0 or undefined).
 *
 * @example
 * ```ts
 * const d = deadline(undefined, 1000);
 * console.log(d.signal.aborted, d.remainingMs() <= 1000);
 * d.dispose();
 * ```
 */
export function deadline(signal: AbortSignal | undefined, timeoutMs: number | undefined): Deadline {
  const ctrl = new AbortController();
  const end = timeoutMs && timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (end !== Infinity) {
    timer = setTimeout(
      () => ctrl.abort(new ClientTimeoutError(`no answer within ${timeoutMs} ms`, timeoutMs!)),
      timeoutMs,
    );
  }
  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  let unlisten = () => {};
  if (signal) {
    if (signal.aborted) {
      clearTimer();
      ctrl.abort(signal.reason);
    } else {
      const onAbort = () => {
        clearTimer();
        ctrl.abort(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      unlisten = () => signal.removeEventListener("abort", onAbort);
    }
  }
  ctrl.signal.addEventListener("abort", clearTimer, { once: true });
  return {
    signal: ctrl.signal,
    remainingMs: () => Math.max(0, end - Date.now()),
    clearTimer,
    dispose: () => {
      clearTimer();
      unlisten();
    },
  };
}

/**
 * Wait `ms`, or reject with `signal.reason` as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * await sleep(1);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `promise`, or a rejection with `signal.reason` as soon as `signal` aborts
 * (for `fetch` implementations that ignore signals). A value that arrives
 * after the abort is handed to `onLate` (e.g. to cancel a response body).
 *
 * @example
 * ```ts
 * const ctrl = new AbortController();
 * const p = abortable(new Promise<number>(() => {}), ctrl.signal);
 * ctrl.abort();
 * await p.catch((e) => console.log(e.name)); // AbortError
 * ```
 */
export function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onLate: (value: T) => void = () => {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const onAbort = () => {
      if (done) return;
      done = true;
      reject(signal.reason);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        if (done) return onLate(v);
        done = true;
        resolve(v);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        if (done) return;
        done = true;
        reject(e);
      },
    );
  });
}

/**
 * `body` re-streamed so that aborting `signal` cancels the source and errors
 * the returned stream with `signal.reason`; `onEnd` runs once it is over.
 *
 * @example
 * ```ts
 * const ctrl = new AbortController();
 * const s = abortableBody(new Blob(["abc"]).stream(), ctrl.signal);
 * console.log((await new Response(s).text()) === "abc");
 * ```
 */
export function abortableBody(
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  onEnd: () => void = () => {},
): ReadableStream<Uint8Array> {
  const pass = new TransformStream<Uint8Array, Uint8Array>();
  body.pipeTo(pass.writable, { signal }).catch(() => {}).finally(onEnd);
  return pass.readable;
}
