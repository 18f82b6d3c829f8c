/**
 * The ship's IPython kernel client: runs an `ipykernel` process and speaks
 * the Jupyter wire protocol to it over zeromq (loopback TCP).
 *
 * ```ts
 * const k = await Kernel.start({ cwd: "/workspace", runtimeDir: "/run/ship" });
 * const r = await k.execute("1 + 1", { timeoutMs: 30_000 });
 * await k.shutdown();
 * ```
 *
 * @module
 */
import type { Event, PythonExecResult } from "../protocol.ts";
import { ShipError } from "../errors.ts";
import { Collector } from "./_collect.ts";
import { KernelProcess } from "./_proc.ts";
import type { KernelOptions } from "./_spawn.ts";
import type { Message } from "./_wire.ts";

export type { KernelOptions };

/** Options of {@link Kernel.execute}. */
export interface ExecuteOptions {
  /** Interrupt the cell after this long (counted from when it starts running). */
  timeoutMs: number;
  /** Live output: `stdout`/`stderr` text and `display` bundles, as they arrive. */
  onEvent?: (ev: Event) => void;
  /** Aborting interrupts the cell (or drops it if it has not started yet). */
  signal?: AbortSignal;
}

const DEFAULT_MAX_OUTPUT = 1024 * 1024;
/** How long to wait for the cell to finish after interrupting it. */
const INTERRUPT_GRACE_MS = 5000;
/** How long to wait for iopub `idle` once the reply is in (it may have been lost). */
const IDLE_GRACE_MS = 2000;

/** Start a kernel and wait until it is ready; retries a lost port race. */
async function launch(opts: KernelOptions): Promise<KernelProcess> {
  for (let attempt = 1;; attempt++) {
    const proc = await KernelProcess.spawn(opts);
    try {
      await proc.waitReady(opts.readyTimeoutMs ?? 30_000);
      return proc;
    } catch (e) {
      await proc.close(0);
      if (attempt < 3 && /Address already in use/.test(proc.stderrTail)) continue;
      throw e;
    }
  }
}

/** Wait for `prev` to settle; false if `signal` aborted first. */
function waitTurn(prev: Promise<void>, signal?: AbortSignal): Promise<boolean> {
  if (!signal) return prev.then(() => true);
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener("abort", onAbort, { once: true });
    prev.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(!signal.aborted);
    });
  });
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/**
 * An IPython kernel process. Executions are serialized (FIFO); state persists
 * across them until {@link Kernel.restart}.
 */
export class Kernel {
  readonly #opts: KernelOptions;
  readonly #maxOutput: number;
  #proc: KernelProcess;
  #ready: Promise<KernelProcess>;
  #queue: Promise<void> = Promise.resolve();
  #shut = false;
  #shutdown?: Promise<void>;

  private constructor(opts: KernelOptions, proc: KernelProcess) {
    this.#opts = { ...opts };
    this.#maxOutput = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    this.#proc = proc;
    this.#ready = Promise.resolve(proc);
  }

  /**
   * Spawn an ipykernel (`python -c <bootstrap> -f <connection file>`,
   * behind `wrap` if given; the bootstrap runs ipykernel_launcher's code) and
   * wait until it answers on shell, control and iopub. Rejects with a
   * `ship_error` {@link ShipError} if it cannot be spawned, exits, or is not
   * ready within `readyTimeoutMs`.
   */
  static async start(opts: KernelOptions): Promise<Kernel> {
    return new Kernel(opts, await launch(opts));
  }

  /** Whether the kernel process is running (false after death or shutdown). */
  get alive(): boolean {
    return !this.#shut && this.#proc.alive && !this.#proc.closing;
  }

  /** Process id of the current kernel process (of the wrapper, if `wrap` is used). */
  get pid(): number {
    return this.#proc.child.pid;
  }

  #assertOpen(): void {
    if (this.#shut) throw new ShipError("ship_error", "python kernel is shut down");
  }

  /**
   * Run `code` and collect its output. Never rejects for errors in the code,
   * timeouts or cancellation (see the result's `success`, `error`,
   * `timed_out`); rejects with a `ship_error` {@link ShipError} when the
   * kernel dies, is restarted or shut down while the cell runs, or is not
   * usable.
   */
  async execute(code: string, opts: ExecuteOptions): Promise<PythonExecResult> {
    this.#assertOpen();
    const prev = this.#queue;
    const mine = Promise.withResolvers<void>();
    this.#queue = Promise.all([prev, mine.promise]).then(() => {});
    try {
      if (!await waitTurn(prev, opts.signal)) {
        return new Collector(0).result(false, "Execution cancelled before it started", false);
      }
      this.#assertOpen();
      const proc = await this.#ready;
      if (proc.closing) throw new ShipError("ship_error", "python kernel is shut down");
      if (!proc.alive) {
        throw new ShipError("ship_error", `python kernel died (${proc.deathReason()})`);
      }
      return await this.#run(proc, code, opts);
    } finally {
      mine.resolve();
    }
  }

  async #run(proc: KernelProcess, code: string, opts: ExecuteOptions): Promise<PythonExecResult> {
    const col = new Collector(this.#maxOutput, opts.onEvent);
    const { msg, frames } = proc.wire.build("execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    const id = msg.header.msg_id;
    const st = {
      reply: null as Message | null,
      idle: false,
      stop: null as { message: string; timedOut: boolean } | null,
      interrupting: null as Promise<void> | null,
      grace: undefined as ReturnType<typeof setTimeout> | undefined,
      idleWait: undefined as ReturnType<typeof setTimeout> | undefined,
      idleLost: false,
    };
    const done = Promise.withResolvers<"done" | "died">();
    proc.onReply(id, (m) => {
      st.reply = m;
      if (st.idle) done.resolve("done");
      else {
        st.idleWait = setTimeout(() => {
          st.idleLost = true;
          done.resolve("done");
        }, IDLE_GRACE_MS);
      }
    });
    proc.onIopub(id, (m) => {
      if (m.header.msg_type !== "status") return col.handle(m);
      if (m.content.execution_state !== "idle") return;
      st.idle = true;
      if (st.reply) done.resolve("done");
    });
    const offExit = proc.onExit(() => done.resolve("died"));
    const halt = (message: string, timedOut: boolean) => {
      if (st.stop || st.reply) return; // already stopping, or finished
      st.stop = { message, timedOut };
      st.interrupting = proc.interrupt().finally(() => {
        st.grace = setTimeout(() => done.resolve("done"), INTERRUPT_GRACE_MS);
      });
    };
    const onAbort = () => halt("Execution cancelled", false);
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    const timer = setTimeout(
      () => halt(`Execution timed out after ${seconds(opts.timeoutMs)} seconds`, true),
      opts.timeoutMs,
    );
    try {
      if (opts.signal?.aborted) onAbort();
      else await proc.send("shell", frames).catch(() => done.resolve("died"));
      if (await done.promise === "died") {
        throw new ShipError(
          "ship_error",
          proc.closing
            ? "python kernel was shut down or restarted during execution"
            : `python kernel died (${proc.deathReason()})`,
        );
      }
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      offExit();
      await st.interrupting;
      clearTimeout(st.grace);
      clearTimeout(st.idleWait);
      proc.onReply(id, null);
      proc.onIopub(id, null);
    }
    const { reply, stop } = st;
    if (st.idleLost) {
      col.lost();
      await proc.resetIopub();
    }
    const status = reply?.content.status;
    col.setExecutionCount(reply?.content.execution_count);
    if (reply && status !== "ok" && !col.failed) {
      col.handle({ ...reply, header: { ...reply.header, msg_type: "error" } });
    }
    let message = stop?.message ?? null;
    if (message && !reply) {
      message += " (the kernel did not stop after the interrupt and may still be busy)";
    }
    return col.result(status === "ok", message, stop?.timedOut ?? false);
  }

  /** Interrupt the running cell (control `interrupt_request`, SIGINT fallback). */
  async interrupt(): Promise<void> {
    this.#assertOpen();
    await (await this.#ready).interrupt();
  }

  /**
   * Clear all state: stop the kernel process and start a fresh one with the
   * same options. A cell running meanwhile rejects with `ship_error`.
   */
  async restart(): Promise<void> {
    this.#assertOpen();
    const prev = this.#ready;
    const next = (async () => {
      await (await prev.catch(() => this.#proc)).close();
      return await launch(this.#opts);
    })();
    this.#ready = next;
    this.#proc = await next;
  }

  /**
   * Stop the kernel (`shutdown_request`, SIGKILL after 2 s), close the
   * sockets and remove the connection file. Idempotent; later calls to
   * other methods reject.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= (async () => {
      this.#shut = true;
      const proc = await this.#ready.catch(() => null);
      await proc?.close();
      await this.#proc.close();
    })();
    return this.#shutdown;
  }
}
