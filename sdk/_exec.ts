/**
 * Runs an exec request, plain or streamed as NDJSON when any output
 * callback is given. Exec requests are never retried.
 *
 * @module
 */
import { errorFromEnvelope } from "./_error_map.ts";
import type { CallOptions, Transport } from "./_http.ts";
import { readNdjson } from "./_ndjson.ts";
import { abortableBody } from "./_signal.ts";
import { ConnectionError } from "./errors.ts";

/**
 * Callbacks that make an exec stream its output as it is produced.
 *
 * @example
 * ```ts
 * const cb: StreamCallbacks = { onStdout: (t) => console.log(t), onStderr: (t) => console.error(t) };
 * ```
 */
export interface StreamCallbacks {
  /** Standard output text, in order. */
  onStdout?: (text: string) => void;
  /** Standard error text, in order. */
  onStderr?: (text: string) => void;
  /** A rich display (python): a MIME bundle such as `{"text/html": "<b>x</b>"}`. */
  onDisplay?: (data: Record<string, unknown>) => void;
}

/** Grace added to the exec's own limit for the HTTP call's timeout (ms). */
const CALL_GRACE_MS = 30_000;

/**
 * The `timeout` field (seconds, 1–300) for an exec limit given in ms.
 *
 * @example
 * ```ts
 * console.log(execTimeoutSeconds(1500), execTimeoutSeconds(undefined));
 * ```
 */
export function execTimeoutSeconds(timeoutMs: number | undefined): number | undefined {
  if (timeoutMs === undefined) return undefined;
  return Math.min(300, Math.max(1, Math.ceil(timeoutMs / 1000)));
}

/**
 * POST an exec `body` to `route` of sandbox `id`; with callbacks, ask for
 * NDJSON and deliver events as they arrive, then return the final result.
 * The HTTP call's timeout defaults to the exec's own limit plus 30 s.
 *
 * @example
 * ```ts
 * import type { Transport } from "./_http.ts";
 * async function demo(t: Transport) {
 *   const r = await runExec<{ output: string }>(t, "shellExec", "sandbox-1", { command: "ls" }, {
 *     onStdout: (s) => console.log(s),
 *   });
 *   console.log(r.output);
 * }
 * ```
 */
export async function runExec<T>(
  t: Transport,
  route: "pythonExec" | "shellExec",
  id: string,
  body: Record<string, unknown> & { timeout?: number },
  callbacks: StreamCallbacks,
  opts: CallOptions = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? (body.timeout ?? 30) * 1000 + CALL_GRACE_MS;
  const call = { signal: opts.signal, timeoutMs };
  const streaming = !!(callbacks.onStdout || callbacks.onStderr || callbacks.onDisplay);
  if (!streaming) return await t.json<T>({ route, params: { id }, json: body }, call);
  const { response, deadline } = await t.send({
    route,
    params: { id },
    json: body,
    headers: { Accept: "application/x-ndjson" },
  }, call);
  const requestId = response.headers.get("X-Request-Id");
  const events = response.body ? readNdjson(abortableBody(response.body, deadline.signal)) : null;
  try {
    while (events) {
      let step: IteratorResult<Record<string, unknown>>;
      try {
        step = await events.next();
      } catch (e) {
        if (deadline.signal.aborted) throw deadline.signal.reason;
        throw new ConnectionError(`the stream broke: ${e}`, { cause: e, requestId });
      }
      if (step.done) break;
      const ev = step.value;
      if (ev.type === "stdout") callbacks.onStdout?.(String(ev.text ?? ""));
      else if (ev.type === "stderr") callbacks.onStderr?.(String(ev.text ?? ""));
      else if (ev.type === "display") {
        callbacks.onDisplay?.((ev.data ?? {}) as Record<string, unknown>);
      } else if (ev.type === "result") {
        const { type: _, ...result } = ev;
        return result as T;
      } else if (ev.type === "error") throw errorFromEnvelope(null, ev, requestId);
    }
    throw new ConnectionError("the stream ended before the result", { requestId });
  } finally {
    await events?.return(undefined).catch(() => {});
    deadline.dispose();
  }
}
