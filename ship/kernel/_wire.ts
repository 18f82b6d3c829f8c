/**
 * Jupyter messaging wire format (protocol 5.3): HMAC-SHA256 signed multipart
 * messages, framed as `[...identities, "<IDS|MSG>", signature, header,
 * parent_header, metadata, content, ...buffers]`.
 *
 * Private to the kernel client.
 *
 * @module
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** Delimiter between routing identities and the message proper. */
const DELIM = "<IDS|MSG>";

/** A Jupyter message header. */
export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded Jupyter message. */
export interface Message {
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

/** Signs and verifies messages for one kernel session. */
export class Wire {
  readonly #key: string;
  /** Session id put in every header we send. */
  readonly session: string = randomUUID();

  /** @param key the connection file's `key` (HMAC-SHA256); empty disables signing. */
  constructor(key: string) {
    this.#key = key;
  }

  #sign(parts: (string | Uint8Array)[]): string {
    if (!this.#key) return "";
    const h = createHmac("sha256", this.#key);
    for (const p of parts) h.update(p);
    return h.digest("hex");
  }

  /** Build a new message of `msgType` with `content`; returns it and its frames. */
  build(
    msgType: string,
    content: Record<string, unknown>,
  ): { msg: Message; frames: string[] } {
    const header: Header = {
      msg_id: randomUUID(),
      msg_type: msgType,
      session: this.session,
      username: "ship",
      date: new Date().toISOString(),
      version: "5.3",
    };
    const msg: Message = { header, parent_header: {}, metadata: {}, content };
    const parts = [
      JSON.stringify(header),
      JSON.stringify(msg.parent_header),
      JSON.stringify(msg.metadata),
      JSON.stringify(content),
    ];
    return { msg, frames: [DELIM, this.#sign(parts), ...parts] };
  }

  /**
   * Decode received frames. Returns null for malformed or badly signed
   * messages (they are dropped, as jupyter_client does).
   */
  decode(frames: Uint8Array[]): Message | null {
    let i = 0;
    while (i < frames.length && !isDelim(frames[i])) i++;
    if (frames.length < i + 6) return null;
    const sig = Buffer.from(frames[i + 1]).toString("ascii");
    const parts = frames.slice(i + 2, i + 6);
    if (this.#key) {
      const want = Buffer.from(this.#sign(parts), "ascii");
      const got = Buffer.from(sig, "ascii");
      if (want.length !== got.length || !timingSafeEqual(want, got)) return null;
    }
    try {
      const dec = new TextDecoder();
      const [header, parent, metadata, content] = parts.map((p) => JSON.parse(dec.decode(p)));
      if (typeof header?.msg_type !== "string") return null;
      return {
        header,
        parent_header: parent ?? {},
        metadata: metadata ?? {},
        content: content ?? {},
      };
    } catch {
      return null;
    }
  }
}

const DELIM_BYTES = new TextEncoder().encode(DELIM);

function isDelim(frame: Uint8Array): boolean {
  if (frame.byteLength !== DELIM_BYTES.byteLength) return false;
  for (let i = 0; i < frame.byteLength; i++) if (frame[i] !== DELIM_BYTES[i]) return false;
  return true;
}
