/**
 * A deliberately minimal WebSocket client over a raw TCP or unix socket, so a
 * test can send what no well-behaved client would: invalid UTF-8 in text
 * frames, fragments, oversized frames. It answers WebSocket pings and the
 * channel's JSON `ping` frames so heartbeats never close it by accident.
 *
 * @module
 */

/** Where to connect. */
export type Target = { port: number } | { path: string };

/** A frame received from the server. */
export interface WsFrame {
  opcode: number;
  payload: Uint8Array;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Open a plain connection to `target`. */
export function connect(target: Target): Promise<Deno.Conn> {
  return "port" in target
    ? Deno.connect({ hostname: "127.0.0.1", port: target.port })
    : Deno.connect({ transport: "unix", path: target.path });
}

/** Write all of `data`. */
export async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.byteLength) off += await conn.write(data.subarray(off));
}

/**
 * Send one raw HTTP/1.1 request (string or bytes) and read the answer until
 * its Content-Length is complete or the server closes; `status` is 0 when the
 * server closed without answering.
 */
export async function rawRequest(
  target: Target,
  request: string | Uint8Array,
  timeoutMs = 10_000,
): Promise<{ status: number; text: string }> {
  const conn = await connect(target);
  const timer = setTimeout(() => conn.close(), timeoutMs);
  try {
    await writeAll(conn, typeof request === "string" ? enc.encode(request) : request).catch(
      () => {},
    );
    let text = "";
    const buf = new Uint8Array(65536);
    const d = new TextDecoder();
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += d.decode(buf.subarray(0, n), { stream: true });
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) continue;
      const len = /content-length:\s*(\d+)/i.exec(text.slice(0, end));
      if (len && text.length >= end + 4 + Number(len[1])) break;
      if (
        !len && /transfer-encoding:\s*chunked/i.test(text.slice(0, end)) &&
        text.endsWith("0\r\n\r\n")
      ) break;
    }
    return { status: text.startsWith("HTTP/") ? Number(text.split(" ")[1]) : 0, text };
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer */ }
  }
}

/** A raw WebSocket client. */
export class RawWs {
  #conn: Deno.Conn;
  #buf: Uint8Array = new Uint8Array(0);
  #frames: WsFrame[] = [];
  #wake: (() => void) | null = null;
  #eof = false;
  /** Resolves with the server's close code and reason (1006 when the socket just ended). */
  readonly closed: Promise<{ code: number; reason: string }>;
  #setClosed!: (v: { code: number; reason: string }) => void;

  private constructor(conn: Deno.Conn, rest: Uint8Array) {
    this.#conn = conn;
    this.#buf = rest;
    this.closed = new Promise((r) => (this.#setClosed = r));
    this.#pump();
  }

  /** Upgrade `path` on `target`; throws with the HTTP status line when refused. */
  static async open(target: Target, path = "/v1/ship/connect"): Promise<RawWs> {
    const conn = await connect(target);
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    await writeAll(
      conn,
      enc.encode(
        `GET ${path} HTTP/1.1\r\nHost: bay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ),
    );
    let head = new Uint8Array(0);
    const chunk = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(chunk);
      if (n === null) {
        conn.close();
        throw new Error("connection closed during the handshake");
      }
      head = concat(head, chunk.subarray(0, n));
      const end = indexOf(head, enc.encode("\r\n\r\n"));
      if (end < 0) continue;
      const status = dec.decode(head.subarray(0, end)).split("\r\n")[0];
      if (!status.includes(" 101 ")) {
        conn.close();
        throw new Error(`upgrade refused: ${status}`);
      }
      return new RawWs(conn, head.slice(end + 4));
    }
  }

  /** Send one frame (masked, as a client must). */
  async sendFrame(opcode: number, payload: Uint8Array, fin = true): Promise<void> {
    const n = payload.byteLength;
    const ext = n < 126 ? 0 : n < 65536 ? 2 : 8;
    const out = new Uint8Array(2 + ext + 4 + n);
    out[0] = (fin ? 0x80 : 0) | opcode;
    out[1] = 0x80 | (ext === 0 ? n : ext === 2 ? 126 : 127);
    const view = new DataView(out.buffer);
    if (ext === 2) view.setUint16(2, n);
    if (ext === 8) view.setBigUint64(2, BigInt(n));
    const mask = crypto.getRandomValues(new Uint8Array(4));
    out.set(mask, 2 + ext);
    const body = out.subarray(6 + ext);
    body.set(payload);
    for (let i = 0; i < n; i++) body[i] ^= mask[i & 3];
    await writeAll(this.#conn, out).catch(() => {});
  }

  /** Send a text frame (a string is UTF-8 encoded; bytes are sent as they are). */
  sendText(text: string | Uint8Array): Promise<void> {
    return this.sendFrame(1, typeof text === "string" ? enc.encode(text) : text);
  }

  /** Send a JSON text frame. */
  sendJson(value: unknown): Promise<void> {
    return this.sendText(JSON.stringify(value));
  }

  /** Send a binary frame. */
  sendBinary(bytes: Uint8Array): Promise<void> {
    return this.sendFrame(2, bytes);
  }

  /** The next text frame parsed as JSON that satisfies `pred` (others are skipped). */
  async nextJson(
    pred: (f: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const f = await this.next(end - Date.now());
      if (f.opcode !== 1) continue;
      const v = JSON.parse(dec.decode(f.payload));
      if (pred(v)) return v;
    }
  }

  /** The next data frame; throws when the socket closes or `timeoutMs` passes first. */
  async next(timeoutMs = 10_000): Promise<WsFrame> {
    const end = Date.now() + timeoutMs;
    while (this.#frames.length === 0) {
      if (this.#eof) throw new Error("socket closed");
      const left = end - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#wake = r;
        timer = setTimeout(r, left);
      });
      clearTimeout(timer);
    }
    return this.#frames.shift()!;
  }

  /** Wait for the server to close (or fail after `timeoutMs`). */
  async waitClosed(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t = new Promise<never>((_, rej) => {
      timer = setTimeout(() => rej(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, t]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drop the connection. */
  close(): void {
    try {
      this.#conn.close();
    } catch { /* closed */ }
  }

  async #pump(): Promise<void> {
    const chunk = new Uint8Array(64 * 1024);
    let close = { code: 1006, reason: "" };
    try {
      for (;;) {
        for (;;) {
          const f = parseFrame(this.#buf);
          if (!f) break;
          this.#buf = this.#buf.slice(f.size);
          if (f.opcode === 9) await this.sendFrame(10, f.payload);
          else if (f.opcode === 8) {
            const code = f.payload.byteLength >= 2 ? (f.payload[0] << 8) | f.payload[1] : 1005;
            close = { code, reason: dec.decode(f.payload.subarray(2)) };
            await this.sendFrame(8, f.payload.subarray(0, 2));
            throw new Error("closed");
          } else if (f.opcode === 1 && dec.decode(f.payload).startsWith('{"t":"ping"')) {
            const ts = JSON.parse(dec.decode(f.payload)).ts;
            await this.sendJson({ t: "pong", ts });
          } else {
            this.#frames.push(f);
            this.#wake?.();
          }
        }
        const n = await this.#conn.read(chunk);
        if (n === null) break;
        this.#buf = concat(this.#buf, chunk.subarray(0, n));
      }
    } catch { /* closed or reset */ }
    this.#eof = true;
    this.close();
    this.#setClosed(close);
    this.#wake?.();
  }
}

function parseFrame(b: Uint8Array): (WsFrame & { size: number }) | null {
  if (b.byteLength < 2) return null;
  let len = b[1] & 0x7f;
  let off = 2;
  if (len === 126) {
    if (b.byteLength < 4) return null;
    len = (b[2] << 8) | b[3];
    off = 4;
  } else if (len === 127) {
    if (b.byteLength < 10) return null;
    len = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2));
    off = 10;
  }
  if (b.byteLength < off + len) return null;
  return { opcode: b[0] & 0x0f, payload: b.slice(off, off + len), size: off + len };
}

/** Concatenate two byte arrays. */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
