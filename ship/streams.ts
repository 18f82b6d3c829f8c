/**
 * Credit-based flow control for binary streams on the ship channel. The
 * receiver grants credit (bytes) as its consumer takes data; the sender never
 * has more unacknowledged bytes in flight than it was granted. Memory on both
 * ends stays bounded by the credit window, whatever the file size.
 *
 * @module
 */
import { CHUNK_BYTES } from "./protocol.ts";

/** The receiving end of one stream: a ReadableStream fed by binary frames. */
export class CreditReceiver {
  /** Bytes the consumer reads. */
  readonly stream: ReadableStream<Uint8Array>;
  #queue: Uint8Array[] = [];
  #outstanding: number;
  #done = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;

  /**
   * @param initialCredit bytes the sender may send before the first grant (the caller sends it).
   * @param grant sends a `credit` frame for `bytes` more.
   * @param onCancel called when the consumer cancels the stream.
   */
  constructor(
    initialCredit: number,
    grant: (bytes: number) => void,
    onCancel: (reason: string) => void,
  ) {
    this.#outstanding = initialCredit;
    this.stream = new ReadableStream<Uint8Array>({
      pull: async (ctrl) => {
        while (this.#queue.length === 0 && !this.#done && !this.#error) {
          await new Promise<void>((r) => (this.#wake = r));
        }
        if (this.#error) return ctrl.error(this.#error);
        const chunk = this.#queue.shift();
        if (chunk) {
          ctrl.enqueue(chunk);
          this.#outstanding += chunk.byteLength;
          grant(chunk.byteLength);
        } else ctrl.close();
      },
      cancel: (reason) => {
        this.#done = true;
        this.#queue = [];
        onCancel(String(reason ?? "cancelled"));
      },
    }, { highWaterMark: 0 });
  }

  /** Deliver a payload; throws when the sender exceeded its credit. */
  push(payload: Uint8Array): void {
    if (this.#done || this.#error) return;
    this.#outstanding -= payload.byteLength;
    if (this.#outstanding < 0) {
      this.fail(new Error("flow control violated: sender exceeded its credit"));
      throw new Error("flow control violated");
    }
    this.#queue.push(payload);
    this.#wakeUp();
  }

  /** The sender finished. */
  end(): void {
    this.#done = true;
    this.#wakeUp();
  }

  /** The stream failed. */
  fail(error: Error): void {
    if (this.#done && this.#queue.length === 0) return;
    this.#error = error;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}

/** The sending end of one stream: waits for credit before each chunk. */
export class CreditSender {
  #credit = 0;
  #error: Error | null = null;
  #wake: (() => void) | null = null;
  #send: (payload: Uint8Array) => void;

  /** @param send sends one binary frame with this payload on the stream. */
  constructor(send: (payload: Uint8Array) => void) {
    this.#send = send;
  }

  /** The receiver granted `bytes` more. */
  addCredit(bytes: number): void {
    this.#credit += bytes;
    this.#wakeUp();
  }

  /** Stop: pending and later writes reject with `error`. */
  fail(error: Error): void {
    this.#error = error;
    this.#wakeUp();
  }

  /** Send `data`, split into chunks no larger than the credit allows. */
  async write(data: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < data.byteLength) {
      while (this.#credit <= 0 && !this.#error) {
        await new Promise<void>((r) => (this.#wake = r));
      }
      if (this.#error) throw this.#error;
      const n = Math.min(this.#credit, CHUNK_BYTES, data.byteLength - offset);
      this.#send(data.subarray(offset, offset + n));
      this.#credit -= n;
      offset += n;
    }
  }

  /** Send every chunk of `source`; returns the byte count. */
  async pipeFrom(source: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<number> {
    let total = 0;
    const reader = source.getReader();
    const onAbort = () => this.fail(new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (true) {
        if (this.#error) throw this.#error;
        const { value, done } = await reader.read();
        if (done) return total;
        await this.write(value);
        total += value.byteLength;
      }
    } catch (e) {
      await reader.cancel(e).catch(() => {});
      throw e;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      reader.releaseLock();
    }
  }

  #wakeUp(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}
