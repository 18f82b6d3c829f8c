/**
 * An interactive terminal: a login shell on a PTY in the sandbox, over a
 * WebSocket (binary frames carry raw bytes, text frames JSON control).
 *
 * @module
 */
import { ConnectionError } from "./errors.ts";

/**
 * The part of the standard `WebSocket` the terminal uses (Node's `ws`
 * package fits too).
 *
 * @example
 * ```ts
 * const ctor: WebSocketConstructor = WebSocket;
 * ```
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  // deno-lint-ignore no-explicit-any
  addEventListener(type: string, listener: (ev: any) => void): void;
}

/**
 * A `WebSocket` constructor: the global one, or e.g. `ws` on Node 20.
 *
 * @example
 * ```ts
 * const ctor: WebSocketConstructor = WebSocket;
 * ```
 */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Output kept while nobody listens yet (bytes). */
const MAX_PENDING = 1 << 20;
const OPEN = 1;

/**
 * A connected terminal. Output that arrives before the first
 * {@link Terminal.onData} listener is kept (up to 1 MiB) and handed to it.
 *
 * @example
 * ```ts
 * import type { Sandbox } from "@shipyard/sdk";
 * async function demo(sb: Sandbox) {
 *   const term = await sb.openTerminal({ cols: 120, rows: 40 });
 *   term.onData((bytes) => console.log(new TextDecoder().decode(bytes)));
 *   term.write("echo hi; exit 3\n");
 *   console.log("exit code", await term.exited); // 3
 * }
 * ```
 */
export class Terminal {
  /** The shell's exit code once it ends; null when the connection closed first. */
  readonly exited: Promise<number | null>;
  readonly #ws: WebSocketLike;
  readonly #listeners = new Set<(data: Uint8Array) => void>();
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #closed = false;

  /** Wrap an already open socket (use {@link Terminal.connect}). */
  constructor(ws: WebSocketLike) {
    this.#ws = ws;
    ws.binaryType = "arraybuffer";
    let settle!: (code: number | null) => void;
    this.exited = new Promise((resolve) => settle = resolve);
    const exited = { resolve: (code: number | null) => settle(code) };
    ws.addEventListener("message", (ev: { data: unknown }) => {
      const d = ev.data;
      if (typeof d === "string") {
        try {
          const msg = JSON.parse(d);
          if (msg?.type === "exit") {
            this.#closed = true;
            exited.resolve(Number(msg.exit_code));
          }
        } catch { /* not a control frame we know */ }
        return;
      }
      if (d instanceof ArrayBuffer) this.#emit(new Uint8Array(d));
      else if (ArrayBuffer.isView(d)) {
        this.#emit(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
      }
    });
    ws.addEventListener("close", () => {
      this.#closed = true;
      exited.resolve(null);
    });
  }

  /**
   * Open the terminal WebSocket at `url` (with its ticket) and wait until it
   * is connected.
   */
  static connect(url: string, WS: WebSocketConstructor, signal?: AbortSignal): Promise<Terminal> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const ws = new WS(url);
      let settled = false;
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        try {
          ws.close();
        } catch { /* not open */ }
        reject(err);
      };
      const onAbort = () => fail(signal!.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      ws.addEventListener("open", () => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        resolve(new Terminal(ws));
      });
      const refused = () => fail(new ConnectionError(`terminal connection to ${url} failed`));
      ws.addEventListener("error", refused);
      ws.addEventListener("close", refused);
    });
  }

  #emit(bytes: Uint8Array) {
    if (this.#listeners.size === 0) {
      if (this.#pendingBytes + bytes.byteLength <= MAX_PENDING) {
        this.#pending.push(bytes);
        this.#pendingBytes += bytes.byteLength;
      }
      return;
    }
    for (const l of this.#listeners) l(bytes);
  }

  /** Receive terminal output; returns a function that stops receiving. */
  onData(listener: (data: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    if (this.#pending.length > 0) {
      const pending = this.#pending;
      this.#pending = [];
      this.#pendingBytes = 0;
      for (const b of pending) listener(b);
    }
    return () => this.#listeners.delete(listener);
  }

  /** Type into the terminal (text is sent as UTF-8). */
  write(data: string | Uint8Array): void {
    this.#send(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** Change the window size. */
  resize(cols: number, rows: number): void {
    this.#send(JSON.stringify({ type: "resize", cols, rows }));
  }

  /** Hang up: the shell gets SIGHUP and {@link Terminal.exited} settles. */
  close(): void {
    this.#closed = true;
    this.#ws.close(1000, "closed by client");
  }

  #send(data: string | Uint8Array) {
    if (this.#closed || this.#ws.readyState !== OPEN) {
      throw new ConnectionError("the terminal is closed");
    }
    this.#ws.send(data);
  }
}
