/**
 * One background process's bookkeeping: its output, its stdin writer, its
 * signals, and the waiters that follow its output.
 *
 * Private to `procs.ts`.
 *
 * @module
 */
import type { ProcessInfo } from "./protocol.ts";
import { OutputBuffer, type StreamName } from "./_proc_output.ts";
import { signalGroup } from "./_process.ts";

const READ_BYTES = 64 * 1024;

/** One process and its bookkeeping. */
export class Proc {
  info: ProcessInfo;
  readonly out: OutputBuffer;
  readonly child: Deno.ChildProcess;
  readonly stdin: WritableStreamDefaultWriter<Uint8Array>;
  finished = false;
  /** The leader (bash) has exited and was reaped. */
  reaped = false;
  /** A terminating signal was sent by `kill`. */
  killed = false;
  /** Resolves once finished. */
  done: Promise<void> = Promise.resolve();
  readonly #waiters = new Set<() => void>();

  constructor(info: ProcessInfo, child: Deno.ChildProcess, maxBytes: number) {
    this.info = info;
    this.child = child;
    this.out = new OutputBuffer(maxBytes);
    this.stdin = child.stdin.getWriter();
  }

  /**
   * Signal the whole group. Right after spawning, `setsid` may not have made
   * the group yet (ESRCH): the process is then still alone, so it is
   * signalled directly, unless it was already reaped (its pid may be reused).
   */
  signal(sig: Deno.Signal): void {
    if (signalGroup(this.info.pid, sig) || this.reaped) return;
    try {
      Deno.kill(this.info.pid, sig);
    } catch {
      // gone meanwhile
    }
  }

  /** Wake everyone waiting in {@link changed}. */
  notify(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Resolves on the next output, the end of the process, or `signal` aborting. */
  changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.#waiters.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }
}

/** Read a pipe into `p`'s output until EOF or cancellation. */
export async function pump(
  reader: ReadableStreamBYOBReader,
  p: Proc,
  stream: StreamName,
): Promise<void> {
  let buf = new Uint8Array(READ_BYTES);
  try {
    for (;;) {
      const { done, value } = await reader.read(buf);
      if (done || value === undefined) break;
      p.out.push(stream, value); // copied, so the buffer can be reused
      p.notify();
      buf = new Uint8Array(value.buffer);
    }
  } catch {
    // cancelled or the pipe broke: keep what we have
  }
  p.out.flush(stream);
}
