/**
 * The ship hub: accepts ship WebSockets, authenticates their hello frame
 * against the session's credential, keeps one live connection per session
 * (a reconnect replaces the old one) and lets callers wait for a ship.
 *
 * @module
 */
import type { ChannelSocket } from "@shipyard/ship/channel";
import { PROTOCOL_VERSION } from "@shipyard/ship/protocol";
import { BayError } from "../errors.ts";
import { ShipConnection } from "./connection.ts";
import type { TransferBroker } from "./transfers.ts";

/** Hub options. */
export interface HubOptions {
  heartbeatMs: number;
  timeoutMs: number;
  /** Deadline for the hello frame after the socket opens. */
  helloTimeoutMs?: number;
  /** True when `token` is the credential of a live session `sessionId`. */
  verify: (sessionId: string, token: string) => Promise<{ sandboxId: string } | null>;
  /** A ship was attached to its session. */
  onAttach?: (sessionId: string) => void;
  /** A session's ship went away (not called when replaced by a reconnect). */
  onDetach?: (sessionId: string, reason: string) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
  /** Bulk transfers beside the channel (ship endpoint `/v1/ship/transfers/{token}`). */
  transfers?: TransferBroker;
}

interface Waiter {
  resolve: (c: ShipConnection) => void;
  reject: (e: Error) => void;
}

/** Registry of connected ships. */
export class ShipHub {
  #opts: HubOptions;
  #ships = new Map<string, ShipConnection>();
  #waiters = new Map<string, Set<Waiter>>();
  #unauthenticated = new Set<ShipConnection>();

  constructor(opts: HubOptions) {
    this.#opts = opts;
  }

  /** Channel bytes of connections that already closed. */
  #closedBytes = { sent: 0, received: 0 };

  /** Bytes over every channel of this hub since start. */
  channelBytes(): { sent: number; received: number } {
    const t = { ...this.#closedBytes };
    for (const c of this.#ships.values()) {
      t.sent += c.channel.bytes.sent;
      t.received += c.channel.bytes.received;
    }
    return t;
  }

  /** Number of attached ships. */
  get size(): number {
    return this.#ships.size;
  }

  /** Take a freshly opened ship socket. */
  accept(socket: ChannelSocket): void {
    const log = (m: string) => this.#opts.log?.(m);
    const conn = new ShipConnection(socket, {
      heartbeatMs: this.#opts.heartbeatMs,
      timeoutMs: this.#opts.timeoutMs,
      log,
      transfers: this.#opts.transfers,
    });
    this.#unauthenticated.add(conn);
    const timer = setTimeout(() => conn.close("no hello"), this.#opts.helloTimeoutMs ?? 10_000);
    conn.onClose((reason) => {
      clearTimeout(timer);
      this.#unauthenticated.delete(conn);
      this.#closedBytes.sent += conn.channel.bytes.sent;
      this.#closedBytes.received += conn.channel.bytes.received;
      const sid = conn.sessionId;
      if (sid && this.#ships.get(sid) === conn) {
        this.#ships.delete(sid);
        this.#opts.onDetach?.(sid, reason);
      }
    });
    conn.onHello(async (hello) => {
      if (conn.sessionId !== null) return conn.close("duplicate hello");
      clearTimeout(timer);
      let ok = false;
      let sandboxId: string | null = null;
      try {
        const v = hello.protocol === PROTOCOL_VERSION
          ? await this.#opts.verify(hello.session_id, hello.token)
          : null;
        ok = v !== null;
        sandboxId = v?.sandboxId ?? null;
      } catch (e) {
        // Not a refusal (the store is away, say): the ship must retry, not exit for good.
        this.#opts.log?.("ship verify failed", { error: String(e) });
        return conn.close("credential check failed, retry later");
      }
      if (!ok || conn.channel.closed) {
        this.#opts.log?.("ship refused", { session_id: hello.session_id });
        return conn.close("unauthorized");
      }
      this.#unauthenticated.delete(conn);
      conn.sessionId = hello.session_id;
      conn.sandboxId = sandboxId;
      conn.httpTransfers = hello.http_transfers === true;
      const old = this.#ships.get(hello.session_id);
      this.#ships.set(hello.session_id, conn);
      if (old && old !== conn) old.close("replaced by a new connection");
      conn.channel.send({ t: "welcome", heartbeat_ms: this.#opts.heartbeatMs });
      this.#opts.onAttach?.(hello.session_id);
      const ws = this.#waiters.get(hello.session_id);
      this.#waiters.delete(hello.session_id);
      for (const w of ws ?? []) w.resolve(conn);
    });
  }

  /** True when a ship of `sandboxId` is attached to this hub (no store query needed). */
  servesSandbox(sandboxId: string): boolean {
    for (const c of this.#ships.values()) {
      if (c.sandboxId === sandboxId && !c.channel.closed) return true;
    }
    return false;
  }

  /** The live connection of a session. */
  get(sessionId: string): ShipConnection | undefined {
    const c = this.#ships.get(sessionId);
    return c && !c.channel.closed ? c : undefined;
  }

  /** Wait until the session's ship attaches (or `timeoutMs` passes, or `fail` is called). */
  waitFor(sessionId: string, timeoutMs: number, signal?: AbortSignal): Promise<ShipConnection> {
    const live = this.get(sessionId);
    if (live) return Promise.resolve(live);
    return new Promise((resolve, reject) => {
      const set = this.#waiters.get(sessionId) ?? new Set<Waiter>();
      this.#waiters.set(sessionId, set);
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        set.delete(w);
        if (set.size === 0 && this.#waiters.get(sessionId) === set) this.#waiters.delete(sessionId);
      };
      const w: Waiter = {
        resolve: (c) => (cleanup(), resolve(c)),
        reject: (e) => (cleanup(), reject(e)),
      };
      const timer = setTimeout(
        () => w.reject(new BayError("session_not_ready", "the ship did not connect in time")),
        timeoutMs,
      );
      const onAbort = () => w.reject(new BayError("ship_error", "wait cancelled"));
      signal?.addEventListener("abort", onAbort, { once: true });
      set.add(w);
    });
  }

  /** Fail everyone waiting for `sessionId`. */
  fail(sessionId: string, error: Error): void {
    for (const w of [...(this.#waiters.get(sessionId) ?? [])]) w.reject(error);
  }

  /** Close a session's connection. */
  disconnect(sessionId: string, reason: string): void {
    this.#ships.get(sessionId)?.close(reason);
  }

  /** Close every connection. */
  closeAll(reason: string): void {
    for (const c of [...this.#ships.values(), ...this.#unauthenticated]) c.close(reason);
  }
}
