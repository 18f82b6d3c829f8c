/**
 * Bulk transfers over plain HTTP on Bay's ship endpoint, beside the channel:
 * the ship POSTs a download's bytes to (or GETs an upload's bytes from)
 * `/v1/ship/transfers/{token}`, and Bay pipes them straight to (or from) the
 * client's HTTP request. This keeps the bytes out of WebSocket frames and
 * credit bookkeeping; control (size, result, errors) stays on the channel.
 * Tokens are 256-bit, single-use and expire after a minute.
 *
 * @module
 */
import { randomHex } from "../core/ids.ts";

const TTL_MS = 60_000;

type Entry =
  | {
    kind: "download";
    deliver: (body: ReadableStream<Uint8Array>) => void;
    /** Resolves when the client has received everything (or rejects when it went away). */
    sent: Promise<void>;
    timer: ReturnType<typeof setTimeout>;
  }
  | {
    kind: "upload";
    body: ReadableStream<Uint8Array>;
    taken: () => void;
    timer: ReturnType<typeof setTimeout>;
  };

/** Pending transfers by token. */
export class TransferBroker {
  #pending = new Map<string, Entry>();

  /**
   * Expect a download. `sent` must settle when the client response is done.
   * Returns the token and the ship's body once it arrives.
   */
  expectDownload(
    sent: Promise<void>,
  ): { token: string; body: Promise<ReadableStream<Uint8Array>> } {
    const token = randomHex(32);
    const body = new Promise<ReadableStream<Uint8Array>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        reject(new Error("the ship did not send the file in time"));
      }, TTL_MS);
      this.#pending.set(token, { kind: "download", deliver: resolve, sent, timer });
    });
    body.catch(() => {});
    return { token, body };
  }

  /** Offer an upload body for the ship to fetch; `taken` resolves when it does. */
  offerUpload(body: ReadableStream<Uint8Array>): { token: string; taken: Promise<void> } {
    const token = randomHex(32);
    const taken = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(token);
        reject(new Error("the ship did not fetch the upload in time"));
      }, TTL_MS);
      this.#pending.set(token, { kind: "upload", body, taken: resolve, timer });
    });
    taken.catch(() => {});
    return { token, taken };
  }

  /** Forget a token (the call failed before the ship used it). */
  cancel(token: string): void {
    const e = this.#pending.get(token);
    if (e) clearTimeout(e.timer);
    this.#pending.delete(token);
  }

  /** Serve `/v1/ship/transfers/{token}` on the ship endpoint. */
  async handle(req: Request, token: string): Promise<Response> {
    const e = this.#pending.get(token);
    if (!e) return new Response("unknown or used transfer", { status: 404 });
    if (e.kind === "download" && req.method === "POST" && req.body) {
      this.#pending.delete(token);
      clearTimeout(e.timer);
      e.deliver(req.body);
      // Hold the ship's request open until the client has it all, so the body stays readable.
      try {
        await e.sent;
        return new Response(null, { status: 204 });
      } catch (err) {
        return new Response(`client went away: ${err}`, { status: 499 });
      }
    }
    if (e.kind === "upload" && req.method === "GET") {
      this.#pending.delete(token);
      clearTimeout(e.timer);
      e.taken();
      return new Response(e.body, { headers: { "Content-Type": "application/octet-stream" } });
    }
    return new Response("wrong method for this transfer", { status: 405 });
  }
}
