/**
 * The ship's connection to Bay: dial out (unix socket or URL), say hello with
 * the session credential, serve calls concurrently, and reconnect with
 * backoff when the channel drops. Gives up after `maxOfflineMs` without Bay.
 *
 * @module
 */
import { Channel, type ChannelSocket, FrameTooLargeError } from "./channel.ts";
import { ShipError } from "./errors.ts";
import type { ShipRuntime } from "./handlers.ts";
import { type Frame, PROTOCOL_VERSION } from "./protocol.ts";

/** Options of the ship client. */
export interface ShipClientOptions {
  sessionId: string;
  token: string;
  /** Bay's ship socket inside the runtime. */
  socketPath?: string;
  /** Bay's URL (`ws://` or `http://`), when there is no socket. */
  url?: string;
  heartbeatMs: number;
  timeoutMs: number;
  /** Exit after this long without a welcome from Bay. */
  maxOfflineMs: number;
  version: string;
  log: (msg: string, fields?: Record<string, unknown>) => void;
  /** Announce that bulk transfers can go over HTTP beside the channel. */
  httpTransfers?: boolean;
  /** Open a socket (tests inject an in-memory one). */
  connect?: () => ChannelSocket;
}

/** Serve Bay until the credential is refused or Bay stays away too long. */
export async function runShipClient(
  runtime: ShipRuntime,
  opts: ShipClientOptions,
): Promise<string> {
  let offlineSince = Date.now();
  let delay = 100;
  while (true) {
    const outcome = await serveOnce(runtime, opts);
    if (outcome.welcomed) offlineSince = Date.now();
    if (outcome.reason === "unauthorized") return "credential refused";
    if (Date.now() - offlineSince > opts.maxOfflineMs) return `bay unreachable: ${outcome.reason}`;
    opts.log("channel down, reconnecting", { reason: outcome.reason, delay_ms: delay });
    await new Promise((r) => setTimeout(r, delay));
    delay = outcome.welcomed ? 100 : Math.min(delay * 2, 5_000);
  }
}

function dial(opts: ShipClientOptions): ChannelSocket {
  if (opts.connect) return opts.connect();
  if (opts.socketPath) {
    const client = Deno.createHttpClient({ proxy: { transport: "unix", path: opts.socketPath } });
    return new WebSocket("ws://bay/v1/ship/connect", { client } as unknown as string[]);
  }
  const base = (opts.url ?? "").replace(/^http/, "ws").replace(/\/$/, "");
  return new WebSocket(`${base}/v1/ship/connect`);
}

function serveOnce(
  runtime: ShipRuntime,
  opts: ShipClientOptions,
): Promise<{ welcomed: boolean; reason: string }> {
  return new Promise((resolve) => {
    let welcomed = false;
    let socket: ChannelSocket;
    try {
      socket = dial(opts);
    } catch (e) {
      return resolve({ welcomed, reason: String(e) });
    }
    const inflight = new Map<string, AbortController>();
    const onOpen = () => {
      channel.send({
        t: "hello",
        session_id: opts.sessionId,
        token: opts.token,
        protocol: PROTOCOL_VERSION,
        ship_version: opts.version,
        http_transfers: opts.httpTransfers ?? false,
      });
    };
    const channel: Channel = new Channel(socket, {
      heartbeatMs: opts.heartbeatMs,
      timeoutMs: opts.timeoutMs,
      log: opts.log,
      onFrame: (f) => {
        if (f.t === "welcome") welcomed = true;
        else if (f.t === "req") handle(f);
      },
      onClose: (reason) => {
        for (const c of inflight.values()) c.abort();
        inflight.clear();
        resolve({ welcomed, reason });
      },
    });
    if (socket.readyState === 1) onOpen();
    else socket.addEventListener("open" as "close", onOpen);

    const handle = (f: Extract<Frame, { t: "req" }>) => {
      if (f.call.op === "cancel") {
        inflight.get(f.call.target_id)?.abort();
        channel.send({ t: "res", id: f.id, result: { status: "ok" } });
        return;
      }
      const ctrl = new AbortController();
      inflight.set(f.id, ctrl);
      runtime.dispatch(f.call, {
        onEvent: (ev) => {
          try {
            channel.send({ t: "event", id: f.id, ev });
          } catch (e) {
            // An oversized event is dropped; sending it would cost the whole channel.
            if (!(e instanceof FrameTooLargeError)) throw e;
            opts.log("event dropped", { op: f.call.op, error: e.message });
          }
        },
        signal: ctrl.signal,
        channel,
        requestId: f.id,
      }).then(
        (result) => {
          try {
            channel.send({ t: "res", id: f.id, result: result ?? null });
          } catch (e) {
            if (!(e instanceof FrameTooLargeError)) throw e;
            channel.send({
              t: "err",
              id: f.id,
              error: {
                code: "validation_error",
                message: `the result is too large to return (${e.message}); ` +
                  "use the download endpoint for big files",
              },
            });
          }
        },
        (e) => {
          const failure = e instanceof ShipError
            ? e.toFailure()
            : { code: "ship_error", message: e instanceof Error ? e.message : String(e) };
          if (!(e instanceof ShipError)) {
            opts.log("call failed", { op: f.call.op, error: String(e) });
          }
          channel.send({ t: "err", id: f.id, error: failure });
        },
      ).finally(() => inflight.delete(f.id));
    };
  });
}
