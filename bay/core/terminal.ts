/**
 * Terminals (API §3.6): single-use tickets for browsers, and the bridge
 * between a client WebSocket and a PTY on the ship.
 *
 * @module
 */
import { BayError } from "../errors.ts";
import type { Db } from "../store/db.ts";
import { hashKey } from "./auth.ts";
import { randomHex } from "./ids.ts";
import type { Logger } from "./log.ts";
import type { SandboxService } from "./sandboxes.ts";

/** How long a ticket stays valid. */
export const TICKET_TTL_S = 60;

/** Terminal tickets and sessions. */
export class TerminalService {
  #db: Db;
  #s: SandboxService;
  #log: Logger;

  constructor(db: Db, sandboxes: SandboxService, log: Logger) {
    this.#db = db;
    this.#s = sandboxes;
    this.#log = log;
  }

  /** Issue a single-use ticket for `owner`'s sandbox. */
  async ticket(owner: string, sandboxId: string): Promise<{ ticket: string; expires_in: number }> {
    await this.#s.get(owner, sandboxId); // 404 for foreign or missing
    const ticket = `tt-${randomHex(24)}`;
    await this.#db.query(
      `INSERT INTO terminal_tickets (ticket_hash, owner, sandbox_id, expires_at)
       VALUES ($1, $2, $3, now() + ($4 || ' seconds')::interval)`,
      [await hashKey(ticket), owner, sandboxId, String(TICKET_TTL_S)],
    );
    await this.#db.query(
      `DELETE FROM terminal_tickets WHERE expires_at < now() - interval '1 hour'`,
    );
    return { ticket, expires_in: TICKET_TTL_S };
  }

  /** Consume a ticket; returns its owner, or throws 401 when unknown, used or expired. */
  async redeem(ticket: string, sandboxId: string): Promise<string> {
    if (ticket.length > 128) throw new BayError("unauthorized", "invalid terminal ticket");
    const rows = await this.#db.query<{ owner: string }>(
      `UPDATE terminal_tickets SET used_at = now()
       WHERE ticket_hash = $1 AND sandbox_id = $2 AND used_at IS NULL AND expires_at > now()
       RETURNING owner`,
      [await hashKey(ticket), sandboxId],
    );
    if (rows.length === 0) {
      throw new BayError("unauthorized", "terminal ticket is invalid, used or expired");
    }
    return rows[0].owner;
  }

  /** Bridge an upgraded WebSocket to a new PTY of the sandbox. */
  async attach(
    owner: string,
    sandboxId: string,
    size: { cols: number; rows: number },
    upgrade: () => WebSocket,
  ): Promise<void> {
    const { ship, release } = await this.#s.acquire(owner, sandboxId, "shell");
    let socket: WebSocket;
    try {
      socket = upgrade();
    } catch (e) {
      release();
      throw e;
    }
    socket.binaryType = "arraybuffer";
    const pty = ship.openPty(size.cols, size.rows);
    let closed = false;
    const finish = () => {
      if (closed) return;
      closed = true;
      pty.close();
      release();
    };
    socket.addEventListener("close", finish);
    socket.addEventListener("error", finish);
    socket.addEventListener("message", (ev) => {
      if (typeof ev.data === "string") {
        try {
          const msg = JSON.parse(ev.data);
          if (msg?.type === "resize" && Number.isInteger(msg.cols) && Number.isInteger(msg.rows)) {
            const cols = Math.min(Math.max(msg.cols, 1), 1000);
            const rows = Math.min(Math.max(msg.rows, 1), 1000);
            pty.resize(cols, rows).catch(() => {});
          }
        } catch { /* ignore malformed control frames */ }
        return;
      }
      pty.write(new Uint8Array(ev.data as ArrayBuffer)).catch(() => {});
    });
    (async () => {
      const reader = pty.output.getReader();
      try {
        while (true) {
          const { value, done } = await reader.read();
          if (done) break;
          if (socket.readyState === WebSocket.OPEN) socket.send(value);
        }
      } catch { /* ship gone */ }
      const r = await pty.done.catch(() => null) as { exit_code?: number } | null;
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "exit", exit_code: r?.exit_code ?? -1 }));
        socket.close(1000, "exited");
      }
      finish();
    })().catch((e) => this.#log.warn("terminal bridge failed", { error: String(e) }));
  }
}
