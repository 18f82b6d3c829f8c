/**
 * NDJSON streaming responses for exec endpoints: one JSON object per line,
 * flushed as produced; a client that disconnects aborts the work.
 *
 * @module
 */
import type { Context } from "hono";
import type { Event } from "@shipyard/ship/protocol";
import { envelope, toBayError } from "./errors.ts";
import type { BayEnv } from "./context.ts";

/** True when the client asked for a stream. */
export function wantsNdjson(c: Context<BayEnv>): boolean {
  return (c.req.header("Accept") ?? "").includes("application/x-ndjson");
}

/** Map a ship event to its stream line, or null when it has none. */
function line(ev: Event): Record<string, unknown> | null {
  if (ev.kind === "stdout" || ev.kind === "stderr") return { type: ev.kind, text: ev.text };
  if (ev.kind === "display") return { type: "display", data: ev.data };
  if (ev.kind === "proc_output") return { type: ev.stream, text: ev.text, offset: ev.offset };
  return null;
}

/**
 * Stream `run`'s events, then its result as `{"type":"result", ...}`. Errors
 * raised before `run` calls `onStarted` (not found, validation, ...) become a
 * normal error response; later ones become a last line
 * `{"type":"error", "error": {...}}`.
 */
export async function ndjsonResponse(
  c: Context<BayEnv>,
  run: (
    onEvent: (ev: Event) => void,
    signal: AbortSignal,
    onStarted: () => void,
  ) => Promise<Record<string, unknown>>,
  opts: { resultType?: string } = {},
): Promise<Response> {
  const enc = new TextEncoder();
  const abort = new AbortController();
  const reqSignal = c.req.raw.signal;
  const onReqAbort = () => abort.abort();
  reqSignal.addEventListener("abort", onReqAbort, { once: true });
  const requestId = c.get("requestId");
  const started = Promise.withResolvers<void>();
  let ctrl!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      ctrl = controller;
    },
    cancel() {
      abort.abort();
    },
  });
  const push = (obj: unknown) => {
    try {
      ctrl.enqueue(enc.encode(JSON.stringify(obj) + "\n"));
    } catch { /* closed */ }
  };
  const result = run(
    (ev) => {
      const l = line(ev);
      if (l) push(l);
    },
    abort.signal,
    () => started.resolve(),
  );
  const finish = result.then(
    (r) => push({ type: opts.resultType ?? "result", ...r }),
    (e) => push({ type: "error", ...envelope(toBayError(e), requestId) }),
  ).finally(() => {
    reqSignal.removeEventListener("abort", onReqAbort);
    try {
      ctrl.close();
    } catch { /* closed */ }
  });
  try {
    await Promise.race([started.promise, result]);
  } catch (e) {
    reqSignal.removeEventListener("abort", onReqAbort);
    await finish;
    throw e;
  }
  return new Response(body, {
    status: 200,
    headers: {
      "Content-Type": "application/x-ndjson",
      "Cache-Control": "no-store",
      "X-Request-Id": requestId,
    },
  });
}
