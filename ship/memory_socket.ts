/**
 * An in-memory, linked pair of {@link ChannelSocket}s for tests: what one end
 * sends, the other receives asynchronously, like a real WebSocket.
 *
 * @module
 */
import type { ChannelSocket } from "./channel.ts";

class MemorySocket implements ChannelSocket {
  #target = new EventTarget();
  readyState = 1;
  binaryType: BinaryType = "blob";
  peer: MemorySocket | null = null;

  send(data: string | Uint8Array): void {
    if (this.readyState !== 1) throw new Error("socket is not open");
    const peer = this.peer!;
    const payload = typeof data === "string" ? data : data.slice().buffer;
    queueMicrotask(() => {
      if (peer.readyState === 1) peer.dispatchEvent(new MessageEvent("message", { data: payload }));
    });
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    const peer = this.peer!;
    queueMicrotask(() => {
      this.dispatchEvent(new CloseEvent("close", { code, reason }));
      if (peer.readyState === 1) {
        peer.readyState = 3;
        peer.dispatchEvent(new CloseEvent("close", { code, reason }));
      }
    });
  }

  dispatchEvent(ev: Event): void {
    this.#target.dispatchEvent(ev);
  }

  addEventListener(
    type: string,
    listener: ((ev: MessageEvent) => void) | ((ev: Event) => void),
  ): void {
    this.#target.addEventListener(type, listener as EventListener);
  }
}

/** Two connected in-memory sockets. */
export function createSocketPair(): [ChannelSocket, ChannelSocket] {
  const a = new MemorySocket();
  const b = new MemorySocket();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
