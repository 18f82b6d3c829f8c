/**
 * One end of the ship channel, shared by Bay and the ship: frame parsing and
 * sending, heartbeats with a deadline, and the registry of credit-controlled
 * binary streams. Anything that does not parse closes the socket.
 *
 * @module
 */
import {
  CHUNK_BYTES,
  decodeBinaryFrame,
  encodeBinaryFrame,
  type Frame,
  INITIAL_CREDIT_BYTES,
  MAX_TEXT_FRAME_BYTES,
  parseFrame,
} from "./protocol.ts";
import { CreditReceiver, CreditSender } from "./streams.ts";

/** Streams whose credit may wait for their sender to open; the oldest is dropped past this. */
const MAX_EARLY_CREDIT = 64;

/**
 * Thrown by {@link Channel.send} instead of sending a text frame over
 * {@link MAX_TEXT_FRAME_BYTES}: the peer would close the whole channel for it.
 */
export class FrameTooLargeError extends Error {}

/** The part of the standard WebSocket a channel needs. */
export interface ChannelSocket {
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
  binaryType: BinaryType;
  addEventListener(type: "message", listener: (ev: MessageEvent) => void): void;
  addEventListener(type: "close" | "error", listener: (ev: Event) => void): void;
}

/** Options of a channel end. */
export interface ChannelOptions {
  /** Ping interval. */
  heartbeatMs: number;
  /** Silence longer than this closes the channel. */
  timeoutMs: number;
  /** Every frame that is not heartbeat or flow control. */
  onFrame: (frame: Frame) => void;
  /** Called once when the channel closes, with the reason. */
  onClose: (reason: string) => void;
  /** Diagnostics sink. */
  log?: (message: string) => void;
}

/** One end of a ship channel over a WebSocket. */
export class Channel {
  #socket: ChannelSocket;
  #opts: ChannelOptions;
  #receivers = new Map<number, CreditReceiver>();
  #senders = new Map<number, CreditSender>();
  /**
   * Credit that arrived before its sender opened. A receiver grants its
   * initial credit as soon as it opens, which for a download is before the
   * request even reaches the peer that will send.
   */
  #earlyCredit = new Map<number, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Epoch ms of the last frame received. */
  lastSeenAt = Date.now();
  /** Epoch ms of the last heartbeat tick (see {@link Channel.#beat}). */
  #lastBeatAt = Date.now();
  /** Bytes sent and received (payload of binary frames plus text). */
  readonly bytes = { sent: 0, received: 0 };

  constructor(socket: ChannelSocket, opts: ChannelOptions) {
    this.#socket = socket;
    this.#opts = opts;
    socket.binaryType = "arraybuffer";
    socket.addEventListener("message", (ev) => this.#onMessage(ev.data));
    // The peer's close reason matters: the ship stops reconnecting on "unauthorized".
    socket.addEventListener("close", (ev) => {
      const reason = (ev as Partial<CloseEvent>).reason;
      this.#shutdown(typeof reason === "string" && reason !== "" ? reason : "socket closed");
    });
    socket.addEventListener("error", () => this.#shutdown("socket error"));
    this.#timer = setInterval(() => this.#beat(), opts.heartbeatMs);
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Send a control frame; false when the channel is closed. Throws {@link FrameTooLargeError}. */
  send(frame: Frame): boolean {
    if (this.#closed || this.#socket.readyState !== 1) return false;
    const text = JSON.stringify(frame);
    if (text.length > MAX_TEXT_FRAME_BYTES) {
      throw new FrameTooLargeError(
        `a '${frame.t}' frame of ${text.length} characters is over the channel's limit of ${MAX_TEXT_FRAME_BYTES}`,
      );
    }
    this.bytes.sent += text.length;
    this.#socket.send(text);
    return true;
  }

  /** Start receiving stream `id`; grants the initial credit. */
  openReceiver(id: number, onCancel: (reason: string) => void = () => {}): CreditReceiver {
    const rx = new CreditReceiver(
      INITIAL_CREDIT_BYTES,
      (bytes) => this.send({ t: "credit", stream_id: id, bytes }),
      (reason) => {
        this.#receivers.delete(id);
        this.send({ t: "abort", stream_id: id, reason });
        onCancel(reason);
      },
    );
    this.#receivers.set(id, rx);
    this.send({ t: "credit", stream_id: id, bytes: INITIAL_CREDIT_BYTES });
    return rx;
  }

  /** Start sending on stream `id`; writes wait for the peer's credit. */
  openSender(id: number): CreditSender {
    const tx = new CreditSender((payload) => {
      if (this.#closed || this.#socket.readyState !== 1) throw new Error("channel closed");
      this.bytes.sent += payload.byteLength;
      this.#socket.send(encodeBinaryFrame(id, payload));
    });
    this.#senders.set(id, tx);
    const early = this.#earlyCredit.get(id);
    if (early !== undefined) {
      this.#earlyCredit.delete(id);
      tx.addCredit(early);
    }
    return tx;
  }

  /** Finish sending on stream `id`. */
  endStream(id: number): void {
    this.#senders.delete(id);
    this.send({ t: "end", stream_id: id });
  }

  /** Abort stream `id` in both directions. */
  abortStream(id: number, reason: string): void {
    const had = this.#senders.has(id) || this.#receivers.has(id);
    this.#senders.get(id)?.fail(new Error(reason));
    this.#receivers.get(id)?.fail(new Error(reason));
    this.#senders.delete(id);
    this.#receivers.delete(id);
    this.#earlyCredit.delete(id);
    if (had) this.send({ t: "abort", stream_id: id, reason });
  }

  /** Forget stream `id` without telling the peer. */
  dropStream(id: number): void {
    this.#senders.delete(id);
    this.#receivers.delete(id);
    this.#earlyCredit.delete(id);
  }

  /** Close the channel (idempotent). */
  close(reason: string, code = 1000): void {
    if (!this.#closed) {
      try {
        this.#socket.close(code, reason.slice(0, 120));
      } catch { /* already closing */ }
    }
    this.#shutdown(reason);
  }

  #shutdown(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    const err = new Error(`channel closed: ${reason}`);
    for (const rx of this.#receivers.values()) rx.fail(err);
    for (const tx of this.#senders.values()) tx.fail(err);
    this.#receivers.clear();
    this.#senders.clear();
    this.#earlyCredit.clear();
    this.#opts.onClose(reason);
  }

  /**
   * Ping, and close when the peer has been silent past the deadline. A tick that comes late
   * means this end's own event loop was held up (a CPU-starved host): frames the peer sent
   * meanwhile may still wait unread behind this timer, so the lateness is not counted as the
   * peer's silence. On a responsive end (ticks on time) a silent peer is caught as before.
   */
  #beat(): void {
    const now = Date.now();
    const lateMs = Math.max(0, now - this.#lastBeatAt - this.#opts.heartbeatMs);
    this.#lastBeatAt = now;
    if (now - this.lastSeenAt - lateMs > this.#opts.timeoutMs) {
      this.close("heartbeat timeout", 4000);
      return;
    }
    this.send({ t: "ping", ts: now });
  }

  #violation(message: string): void {
    this.#opts.log?.(`protocol violation: ${message}`);
    this.close(`protocol violation: ${message}`, 1008);
  }

  #onCredit(id: number, bytes: number): void {
    const tx = this.#senders.get(id);
    if (tx) return tx.addCredit(bytes);
    const had = this.#earlyCredit.get(id) ?? 0;
    if (had === 0 && this.#earlyCredit.size >= MAX_EARLY_CREDIT) {
      this.#earlyCredit.delete(this.#earlyCredit.keys().next().value!);
    }
    this.#earlyCredit.set(id, had + bytes);
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return;
    this.lastSeenAt = Date.now();
    if (typeof data === "string") {
      this.bytes.received += data.length;
      const parsed = parseFrame(data);
      if (!parsed.ok) return this.#violation(parsed.error);
      const f = parsed.frame;
      switch (f.t) {
        case "ping":
          this.send({ t: "pong", ts: f.ts });
          return;
        case "pong":
          return;
        case "credit":
          this.#onCredit(f.stream_id, f.bytes);
          return;
        case "end":
          this.#receivers.get(f.stream_id)?.end();
          this.#receivers.delete(f.stream_id);
          return;
        case "abort":
          this.#receivers.get(f.stream_id)?.fail(new Error(f.reason));
          this.#senders.get(f.stream_id)?.fail(new Error(f.reason));
          this.dropStream(f.stream_id);
          return;
        default:
          this.#opts.onFrame(f);
      }
      return;
    }
    const bytes = data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : data instanceof Uint8Array
      ? data
      : null;
    if (!bytes) return this.#violation("unsupported message type");
    if (bytes.byteLength > CHUNK_BYTES + 4) return this.#violation("binary frame too large");
    let decoded;
    try {
      decoded = decodeBinaryFrame(bytes);
    } catch (e) {
      return this.#violation((e as Error).message);
    }
    this.bytes.received += decoded.payload.byteLength;
    const rx = this.#receivers.get(decoded.streamId);
    if (!rx) return; // stream already cancelled: late bytes are dropped
    try {
      rx.push(decoded.payload);
    } catch (e) {
      this.#violation((e as Error).message);
    }
  }
}
