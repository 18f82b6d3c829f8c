/**
 * One IPython kernel process and its zeromq channels: message routing,
 * readiness, interrupt and teardown.
 *
 * Private to the kernel client; {@link Kernel} wraps it.
 *
 * @module
 */
import * as zmq from "zeromq";
import { type Message, Wire } from "./_wire.ts";
import { type Drain, drain, type KernelOptions, type Spawned, spawnKernel } from "./_spawn.ts";
import { ShipError } from "../errors.ts";

type Channel = "shell" | "control";
type Handler = (m: Message) => void;

const TAIL_BYTES = 4096;
/** Pause between the kernel's exit and closing the sockets. */
const QUIET_MS = 150;

/** Sleep `ms`, waking early (without error) when `wake` settles. */
export function sleep(ms: number, wake?: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake?.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** Describe how a process ended. */
function describe(s: Deno.CommandStatus): string {
  return s.signal ? `killed by ${s.signal}` : `exit code ${s.code}`;
}

/** A running kernel process with connected shell, control and iopub sockets. */
export class KernelProcess {
  readonly child: Deno.ChildProcess;
  readonly wire: Wire;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Exit status once the process has ended. */
  status: Deno.CommandStatus | null = null;
  /** True once {@link close} was called (an exit is then expected). */
  closing = false;
  readonly #file: string;
  readonly #shell: zmq.Dealer;
  readonly #control: zmq.Dealer;
  #iopub!: zmq.Subscriber;
  readonly #retired: zmq.Subscriber[] = [];
  readonly #iopubAddr: string;
  readonly #maxMessageSize: number;
  readonly #replies = new Map<string, Handler>();
  readonly #iopubHandlers = new Map<string, Handler>();
  readonly #sending = new Map<Channel, Promise<unknown>>();
  readonly #tasks: Promise<void>[] = [];
  readonly #pipes: Drain[];
  readonly #exitListeners = new Set<() => void>();
  #stderrTail = "";
  #closed?: Promise<void>;

  private constructor({ child, key, file, ports }: Spawned, maxMessageSize: number) {
    this.child = child;
    this.wire = new Wire(key);
    this.#file = file;
    this.exited = child.status.then((s) => {
      this.status = s;
      for (const fn of this.#exitListeners) fn();
      this.#exitListeners.clear();
      return s;
    });
    this.#maxMessageSize = maxMessageSize;
    this.#iopubAddr = `tcp://127.0.0.1:${ports[1]}`;
    const opts = { linger: 0, sendTimeout: 0 };
    this.#shell = new zmq.Dealer(opts);
    this.#control = new zmq.Dealer(opts);
    this.#shell.connect(`tcp://127.0.0.1:${ports[0]}`);
    this.#control.connect(`tcp://127.0.0.1:${ports[3]}`);
    this.#pipes = [
      drain(child.stdout),
      drain(child.stderr, (t) => this.#stderrTail = (this.#stderrTail + t).slice(-TAIL_BYTES)),
    ];
    this.#tasks.push(
      ...this.#pipes.map((p) => p.done),
      this.#pump(this.#shell, this.#replies),
      this.#pump(this.#control, this.#replies),
    );
    this.#openIopub();
  }

  /**
   * (Re)open the iopub subscriber. A message over the size cap makes libzmq
   * drop the connection, so it is lost rather than held in memory several
   * times over (see {@link resetIopub}). Replies on shell/control are not
   * capped: losing one would wedge the channel.
   */
  #openIopub(): void {
    this.#iopub = new zmq.Subscriber({ linger: 0, maxMessageSize: this.#maxMessageSize });
    this.#iopub.connect(this.#iopubAddr);
    this.#iopub.subscribe();
    this.#tasks.push(this.#pump(this.#iopub, this.#iopubHandlers));
  }

  /** Spawn a kernel and connect to it; does not wait for readiness. */
  static async spawn(opts: KernelOptions): Promise<KernelProcess> {
    const max = Math.max(16 * 1024 * 1024, 2 * (opts.maxOutputBytes ?? 0) + 1024 * 1024);
    return new KernelProcess(await spawnKernel(opts), max);
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.status === null;
  }

  /** Last few KiB the process wrote to stderr (diagnostics). */
  get stderrTail(): string {
    return this.#stderrTail.trim();
  }

  /** Why the process is gone, for error messages. */
  deathReason(): string {
    const how = this.status ? describe(this.status) : "not running";
    const tail = this.stderrTail.split("\n").slice(-5).join("\n");
    return tail ? `${how}; stderr: ${tail}` : how;
  }

  /**
   * Replace the iopub socket and wait until it receives again. Used when an
   * expected iopub message never came: a subscriber that refused an
   * oversized message receives nothing more, even once reconnected.
   */
  async resetIopub(): Promise<void> {
    const old = this.#iopub;
    old.unsubscribe();
    this.#retired.push(old); // closed with the others, once the kernel is gone (see close)
    this.#openIopub();
    await this.waitReady(5000).catch(() => {});
  }

  async #pump(sock: zmq.Dealer | zmq.Subscriber, handlers: Map<string, Handler>): Promise<void> {
    while (!sock.closed) {
      let frames: Uint8Array[];
      try {
        frames = await sock.receive();
      } catch {
        if (sock.closed) return;
        await sleep(10); // a transient receive error: keep reading
        continue;
      }
      if (sock !== this.#iopub && handlers === this.#iopubHandlers) continue; // retired
      const msg = this.wire.decode(frames);
      const h = msg?.parent_header.msg_id ? handlers.get(msg.parent_header.msg_id) : undefined;
      if (!msg || !h) continue;
      try {
        h(msg);
      } catch {
        // a handler's bug must not stop message routing
      }
    }
  }

  /** Call `fn` once when the process exits (now, if it already has); returns an unsubscriber. */
  onExit(fn: () => void): () => void {
    if (!this.alive) {
      queueMicrotask(fn);
      return () => {};
    }
    this.#exitListeners.add(fn);
    return () => this.#exitListeners.delete(fn);
  }

  /** Route iopub messages whose parent is `msgId` to `h` (null removes). */
  onIopub(msgId: string, h: Handler | null): void {
    if (h) this.#iopubHandlers.set(msgId, h);
    else this.#iopubHandlers.delete(msgId);
  }

  /** Route the shell/control reply to `msgId` to `h` (null removes). */
  onReply(msgId: string, h: Handler | null): void {
    if (h) this.#replies.set(msgId, h);
    else this.#replies.delete(msgId);
  }

  /** Send frames on a channel; sends per socket are serialized. */
  send(channel: Channel, frames: string[]): Promise<void> {
    const sock = channel === "shell" ? this.#shell : this.#control;
    const prev = this.#sending.get(channel) ?? Promise.resolve();
    const next = prev.catch(() => {}).then(() => sock.send(frames));
    this.#sending.set(channel, next);
    return next;
  }

  /** Send a request and wait up to `timeoutMs` for its reply; null on timeout or exit. */
  async request(
    channel: Channel,
    type: string,
    content: Record<string, unknown>,
    timeoutMs: number,
  ): Promise<Message | null> {
    const { msg, frames } = this.wire.build(type, content);
    const got = Promise.withResolvers<Message | null>();
    this.onReply(msg.header.msg_id, got.resolve);
    const t = setTimeout(() => got.resolve(null), timeoutMs);
    const off = this.onExit(() => got.resolve(null));
    try {
      await this.send(channel, frames);
      return await got.promise;
    } catch {
      return null;
    } finally {
      clearTimeout(t);
      off();
      this.onReply(msg.header.msg_id, null);
    }
  }

  /**
   * Wait until the kernel answers `kernel_info_request` on shell and control
   * and publishes on iopub. Requests are repeated every 500 ms: iopub
   * subscriptions join late, and ipykernel 6 may sit on the first control
   * message until a second one arrives.
   */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.alive) {
      const shell = this.wire.build("kernel_info_request", {});
      const control = this.wire.build("kernel_info_request", {});
      const ids = [shell.msg.header.msg_id, control.msg.header.msg_id];
      const seen = new Set<string>();
      const all = Promise.withResolvers<void>();
      const mark = (what: string) => {
        seen.add(what);
        if (seen.size === 3) all.resolve();
      };
      this.onReply(ids[0], () => mark("shell"));
      this.onReply(ids[1], () => mark("control"));
      this.onIopub(ids[0], () => mark("iopub"));
      try {
        await this.send("shell", shell.frames);
        await this.send("control", control.frames);
        await sleep(Math.min(500, Math.max(0, deadline - Date.now())), all.promise);
      } catch {
        await sleep(100, this.exited);
      } finally {
        for (const id of ids) this.onReply(id, null);
        this.onIopub(ids[0], null);
      }
      if (seen.size === 3) return;
    }
    if (!this.alive) {
      throw new ShipError(
        "ship_error",
        `python kernel exited during startup (${this.deathReason()})`,
      );
    }
    const tail = this.stderrTail ? `; stderr: ${this.stderrTail.slice(-500)}` : "";
    throw new ShipError(
      "ship_error",
      `python kernel did not become ready within ${timeoutMs / 1000} s${tail}`,
    );
  }

  /** Interrupt the running cell: `interrupt_request` on control, else SIGINT after 2 s. */
  async interrupt(): Promise<void> {
    if (!this.alive) return;
    const reply = await this.request("control", "interrupt_request", {}, 2000);
    if (reply || !this.alive) return;
    try {
      this.child.kill("SIGINT");
    } catch {
      // already gone
    }
  }

  /**
   * Stop the kernel: `shutdown_request` on control, SIGKILL if it has not
   * exited within `graceMs`; then close sockets and remove the connection
   * file. Idempotent.
   */
  close(graceMs = 2000): Promise<void> {
    this.#closed ??= (async () => {
      this.closing = true;
      if (this.alive) {
        const { frames } = this.wire.build("shutdown_request", { restart: false });
        await this.send("control", frames).catch(() => {});
        await sleep(graceMs, this.exited);
        if (this.alive) {
          try {
            this.child.kill("SIGKILL");
          } catch {
            // exited meanwhile
          }
        }
      }
      await this.exited;
      await Promise.allSettled([...this.#sending.values()]);
      // Let the sockets settle after the peer went away before closing them:
      // closing one with a poll event in flight can crash Deno 2.9's libuv
      // shim for the zeromq addon (use after free in Poller::Callback).
      await sleep(QUIET_MS);
      for (const sock of [this.#shell, this.#control, this.#iopub, ...this.#retired]) {
        sock.close();
      }
      // A grandchild may hold the pipes open: stop reading after a moment.
      const drained = Promise.all(this.#tasks);
      await sleep(200, drained);
      await Promise.all(this.#pipes.map((p) => p.cancel()));
      await drained;
      await Deno.remove(this.#file).catch(() => {});
    })();
    return this.#closed;
  }
}
