/**
 * Bay's side of one ship's channel: concurrent requests with events, and
 * credit-controlled uploads and downloads. When the channel closes, every
 * pending request fails at once with `ship_error`.
 *
 * @module
 */
import { Channel, type ChannelSocket, FrameTooLargeError } from "@shipyard/ship/channel";
import type { Call, Event, Frame } from "@shipyard/ship/protocol";
import { BayError, isErrorCode } from "../errors.ts";
import type { TransferBroker } from "./transfers.ts";

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onEvent?: (ev: Event) => void;
}

/** Options of one call. */
export interface CallOptions {
  /** Receives events (output, displays) as they arrive. */
  onEvent?: (ev: Event) => void;
  /** Aborting sends `cancel` to the ship and rejects the call. */
  signal?: AbortSignal;
}

/** Channel timing. */
export interface ConnectionOptions {
  heartbeatMs: number;
  timeoutMs: number;
  log?: (message: string) => void;
  /** When set, bulk bytes go over plain HTTP beside the channel (see transfers.ts). */
  transfers?: TransferBroker;
}

/** One connected ship. */
export class ShipConnection {
  /** The underlying channel. */
  readonly channel: Channel;
  /** Session this ship serves; set once its hello is accepted. */
  sessionId: string | null = null;
  /** Sandbox of that session. */
  sandboxId: string | null = null;
  /** The ship announced it can move bulk bytes over HTTP (see transfers.ts). */
  httpTransfers = false;
  #pending = new Map<string, Pending>();
  #seq = 0;
  #streamSeq = 0;
  #closeHandlers: ((reason: string) => void)[] = [];
  #helloHandler: ((f: Extract<Frame, { t: "hello" }>) => void) | null = null;
  /** Why the channel closed, once it has. */
  closeReason: string | null = null;

  #transfers: TransferBroker | undefined;

  constructor(socket: ChannelSocket, opts: ConnectionOptions) {
    this.#transfers = opts.transfers;
    this.channel = new Channel(socket, {
      heartbeatMs: opts.heartbeatMs,
      timeoutMs: opts.timeoutMs,
      log: opts.log,
      onFrame: (f) => this.#onFrame(f),
      onClose: (reason) => this.#onClose(reason),
    });
  }

  /** Register the handler for the ship's hello frame. */
  onHello(handler: (f: Extract<Frame, { t: "hello" }>) => void): void {
    this.#helloHandler = handler;
  }

  /** Register a handler for the channel closing. */
  onClose(handler: (reason: string) => void): void {
    if (this.closeReason !== null) handler(this.closeReason);
    else this.#closeHandlers.push(handler);
  }

  /** Close the channel. */
  close(reason: string): void {
    this.channel.close(reason);
  }

  /** Send a call and wait for its result. */
  call(call: Call, opts: CallOptions = {}): Promise<unknown> {
    if (this.channel.closed) {
      return Promise.reject(new BayError("ship_error", `ship disconnected: ${this.closeReason}`));
    }
    const id = String(++this.#seq);
    return new Promise<unknown>((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = () => {
        this.channel.send({ t: "req", id: `${id}.c`, call: { op: "cancel", target_id: id } });
      };
      const done = () => {
        this.#pending.delete(id);
        signal?.removeEventListener("abort", onAbort);
      };
      this.#pending.set(id, {
        resolve: (v) => (done(), resolve(v)),
        reject: (e) => (done(), reject(e)),
        onEvent: opts.onEvent,
      });
      if (signal?.aborted) queueMicrotask(onAbort);
      signal?.addEventListener("abort", onAbort, { once: true });
      try {
        this.channel.send({ t: "req", id, call });
      } catch (e) {
        if (!(e instanceof FrameTooLargeError)) throw e;
        this.#pending.get(id)?.reject(new BayError("payload_too_large", e.message));
      }
    });
  }

  /** Stream `body` into a file of the cargo. */
  async upload(
    path: string,
    body: ReadableStream<Uint8Array>,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const broker = this.httpTransfers ? this.#transfers : undefined;
    if (broker) {
      const { token } = broker.offerUpload(body);
      try {
        return await this.call(
          { op: "fs_upload", path, stream_id: 0, max_bytes: maxBytes, transfer: token },
          { signal },
        );
      } finally {
        broker.cancel(token);
      }
    }
    const streamId = ++this.#streamSeq;
    const tx = this.channel.openSender(streamId);
    const result = this.call({ op: "fs_upload", path, stream_id: streamId, max_bytes: maxBytes }, {
      signal,
    });
    let sendError: unknown = null;
    const sending = tx.pipeFrom(body, signal).then(
      () => this.channel.endStream(streamId),
      (e) => {
        sendError = e;
        this.channel.abortStream(streamId, String((e as Error)?.message ?? e));
      },
    );
    try {
      const r = await result;
      await sending;
      return r;
    } catch (e) {
      tx.fail(e as Error);
      await sending;
      if (sendError && !(e instanceof BayError && e.code !== "ship_error")) {
        throw new BayError("validation_error", `upload failed: ${(sendError as Error).message}`);
      }
      throw e;
    }
  }

  /** Open a file of the cargo for download; the stream pulls with credit. */
  async download(
    path: string,
    signal?: AbortSignal,
    clientDone?: Promise<void>,
  ): Promise<{ size: number; stream: ReadableStream<Uint8Array>; done: Promise<unknown> }> {
    if (this.#transfers && this.httpTransfers && clientDone) {
      return await this.#downloadHttp(path, clientDone, signal);
    }
    const streamId = ++this.#streamSeq;
    const rx = this.channel.openReceiver(streamId);
    let gotSize: (n: number) => void = () => {};
    const sizeP = new Promise<number>((r) => (gotSize = r));
    const done = this.call({ op: "fs_download", path, stream_id: streamId }, {
      signal,
      onEvent: (ev) => {
        if (ev.kind === "file_info") gotSize(ev.size);
      },
    });
    const first = await Promise.race([sizeP, done.then(() => -1)]).catch((e) => {
      this.channel.dropStream(streamId);
      throw e;
    });
    if (first < 0) {
      this.channel.dropStream(streamId);
      throw new BayError("ship_error", "ship ended the download before sending its size");
    }
    done.catch(() => {});
    return { size: first, stream: rx.stream, done };
  }

  /**
   * Open a PTY on the ship. Output arrives on `output`; `write` sends
   * keystrokes (waiting for the ship's credit); `done` resolves with the
   * shell's exit code; `close` hangs the shell up.
   */
  openPty(cols: number, rows: number): {
    output: ReadableStream<Uint8Array>;
    write: (bytes: Uint8Array) => Promise<void>;
    resize: (cols: number, rows: number) => Promise<unknown>;
    done: Promise<unknown>;
    close: () => void;
  } {
    const outId = ++this.#streamSeq;
    const inId = ++this.#streamSeq;
    const rx = this.channel.openReceiver(outId);
    const tx = this.channel.openSender(inId);
    const abort = new AbortController();
    const requestId = String(this.#seq + 1);
    const done = this.call(
      { op: "pty_open", cols, rows, out_stream_id: outId, in_stream_id: inId },
      { signal: abort.signal },
    );
    done.catch(() => {}).finally(() => {
      tx.fail(new Error("terminal closed"));
      this.channel.dropStream(inId);
    });
    return {
      output: rx.stream,
      write: (bytes) => tx.write(bytes),
      resize: (c, r) => this.call({ op: "pty_resize", pty_id: requestId, cols: c, rows: r }),
      done,
      close: () => abort.abort(),
    };
  }

  async #downloadHttp(
    path: string,
    clientDone: Promise<void>,
    signal?: AbortSignal,
  ): Promise<{ size: number; stream: ReadableStream<Uint8Array>; done: Promise<unknown> }> {
    const broker = this.#transfers!;
    const { token, body } = broker.expectDownload(clientDone);
    let gotSize: (n: number) => void = () => {};
    const sizeP = new Promise<number>((r) => (gotSize = r));
    const done = this.call({ op: "fs_download", path, stream_id: 0, transfer: token }, {
      signal,
      onEvent: (ev) => {
        if (ev.kind === "file_info") gotSize(ev.size);
      },
    });
    done.catch(() => {}).finally(() => broker.cancel(token));
    try {
      const size = await Promise.race([sizeP, done.then(() => -1)]);
      if (size < 0) throw new BayError("ship_error", "ship ended the download before its size");
      const stream = await Promise.race([body, done.then(() => body)]);
      return { size, stream, done };
    } catch (e) {
      broker.cancel(token);
      throw e;
    }
  }

  #onFrame(f: Frame): void {
    // Until its hello is accepted a peer is anonymous: anything but a hello ends it.
    if (this.sessionId === null && f.t !== "hello") return this.close("expected hello");
    switch (f.t) {
      case "hello":
        this.#helloHandler?.(f);
        return;
      case "event":
        this.#pending.get(f.id)?.onEvent?.(f.ev);
        return;
      case "res":
        this.#pending.get(f.id)?.resolve(f.result);
        return;
      case "err": {
        const code = isErrorCode(f.error.code) ? f.error.code : "ship_error";
        this.#pending.get(f.id)?.reject(new BayError(code, f.error.message, f.error.details));
        return;
      }
      default:
        // Frames only Bay sends (req, welcome) are ignored when a ship sends them.
        return;
    }
  }

  #onClose(reason: string): void {
    this.closeReason = reason;
    const err = new BayError("ship_error", `ship disconnected: ${reason}`);
    for (const p of [...this.#pending.values()]) p.reject(err);
    this.#pending.clear();
    for (const h of this.#closeHandlers.splice(0)) h(reason);
  }
}
