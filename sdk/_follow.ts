/**
 * Following a background process's output as an async iterator that
 * survives dropped connections: it reconnects from the last offset it saw,
 * so nothing is lost (while the runtime retains it) and nothing repeats.
 *
 * @module
 */
import { errorFromEnvelope } from "./_error_map.ts";
import type { Sent, Transport } from "./_http.ts";
import { readNdjson } from "./_ndjson.ts";
import { retryableFailure, retryDelayMs } from "./_retry.ts";
import { abortableBody, sleep } from "./_signal.ts";
import { ConnectionError } from "./errors.ts";
import type { ProcessLogEvent } from "./types_io.ts";

/**
 * Options of a log follow.
 *
 * @example
 * ```ts
 * const o: FollowOptions = { offset: 1024, maxReconnects: 3 };
 * ```
 */
export interface FollowOptions {
  /** Byte offset to start from (default 0: everything still retained). */
  offset?: number;
  /** Stop following (the process is not affected). */
  signal?: AbortSignal;
  /** Consecutive failed (re)connections tolerated before giving up (default 5). */
  maxReconnects?: number;
  /** Limit for each (re)connection to answer (ms; default the client's timeout). */
  connectTimeoutMs?: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Follow process `processId` of sandbox `id`: output events in offset order,
 * then one `exit` event. A dropped stream is resumed from the last offset.
 *
 * @example
 * ```ts
 * import type { Transport } from "./_http.ts";
 * async function demo(t: Transport) {
 *   for await (const ev of followLogs(t, "sandbox-1", "proc-1")) {
 *     if (ev.type === "exit") console.log("exit", ev.exit_code);
 *     else console.log(ev.type, ev.text);
 *   }
 * }
 * ```
 */
export async function* followLogs(
  t: Transport,
  id: string,
  processId: string,
  opts: FollowOptions = {},
): AsyncGenerator<ProcessLogEvent> {
  const max = opts.maxReconnects ?? 5;
  const signal = opts.signal;
  let pos = opts.offset ?? 0;
  let failures = 0;
  while (true) {
    let failure: unknown;
    let sent: Sent | null = null;
    try {
      sent = await t.send({
        route: "processLogs",
        params: { id, process_id: processId },
        query: { offset: pos, follow: "true" },
        headers: { Accept: "application/x-ndjson" },
      }, { signal, timeoutMs: opts.connectTimeoutMs });
    } catch (e) {
      if (signal?.aborted || !retryableFailure(e)) throw e;
      failure = e;
    }
    if (sent) {
      sent.deadline.clearTimer();
      const requestId = sent.response.headers.get("X-Request-Id");
      const body = sent.response.body;
      const events = body ? readNdjson(abortableBody(body, sent.deadline.signal)) : null;
      try {
        while (events) {
          let step: IteratorResult<Record<string, unknown>>;
          try {
            step = await events.next();
          } catch (e) {
            if (sent.deadline.signal.aborted) throw sent.deadline.signal.reason;
            failure = new ConnectionError(`the log stream broke: ${e}`, { cause: e, requestId });
            break;
          }
          if (step.done) break;
          const ev = step.value;
          if (ev.type === "stdout" || ev.type === "stderr") {
            const end = Number(ev.offset);
            if (!(end > pos)) continue; // already delivered
            const bytes = enc.encode(String(ev.text ?? ""));
            const start = end - bytes.length;
            const text = start < pos ? dec.decode(bytes.subarray(pos - start)) : String(ev.text);
            pos = end;
            failures = 0;
            yield { type: ev.type, text, offset: end };
          } else if (ev.type === "exit") {
            yield { type: "exit", exit_code: (ev.exit_code ?? null) as number | null };
            return;
          } else if (ev.type === "error") {
            throw errorFromEnvelope(null, ev, requestId);
          }
        }
        failure ??= new ConnectionError("the log stream ended before the process did", {
          requestId,
        });
      } finally {
        await events?.return(undefined).catch(() => {});
        sent.deadline.dispose();
      }
    }
    if (++failures > max) throw failure;
    await sleep(retryDelayMs(t.config.retry, failures - 1, failure), signal);
  }
}
