/**
 * One-shot shell execution for `shell_exec` (API.md §3.2).
 *
 * The command runs as `setsid [wrap...] bash -lc <command>`: `setsid` makes
 * bash the leader of a new session and process group whose id is the pid Deno
 * reports (a freshly spawned child is never a group leader, so `setsid` execs
 * rather than forks), which lets a timeout kill bash *and everything it
 * started* with one `kill(-pgid, SIGKILL)`. `wrap` is the privilege-dropping
 * prefix (e.g. `setpriv --reuid=1000 ...`); it runs after `setsid`, so the
 * group is created while still privileged enough to be killed later.
 *
 * The ship's own environment (it holds the session token) never reaches the
 * command: the child env is built from scratch as
 * `{PATH: DEFAULT_PATH} ← baseEnv (profile) ← env (request)`.
 *
 * Output is read incrementally from both pipes and decoded as UTF-8 across
 * chunk boundaries; at most `maxOutputBytes` per stream are kept (cut on a
 * character boundary), the rest is drained and counted, and a marker
 * `\n[output truncated: N bytes dropped]` is appended. Events carry exactly
 * the kept text and the marker, so concatenated events equal the result.
 *
 * Background children: once bash exits, the pipes get {@link PIPE_GRACE_MS} to
 * reach EOF. A child still holding them (`sleep 100 &`) is then killed with the
 * whole group so the call returns. A child that redirected its output away
 * (`server >log 2>&1 &`) does not hold the pipes and is left running.
 *
 * @module
 */
import type { Event, ShellExecResult } from "./protocol.ts";
import { ShipError } from "./errors.ts";

/** Default cap of kept output, per stream (bytes). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;
/** How long the pipes may stay open after bash exited (ms). */
export const PIPE_GRACE_MS = 100;
/** PATH given to the command unless `baseEnv` or `env` sets one. */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** Options of {@link runShell}. */
export interface ShellOptions {
  /** The command line, run with `bash -lc`. */
  command: string;
  /** Working directory: an absolute, already resolved real path. */
  cwd: string;
  /** Request environment, applied last. */
  env?: Record<string, string>;
  /** Profile environment (HOME=/workspace, ...), applied before `env`. */
  baseEnv?: Record<string, string>;
  /** Wall-clock limit; the process group is killed when it passes. */
  timeoutMs: number;
  /** Privilege-dropping prefix, e.g. `["setpriv", "--reuid=1000", ...]`. */
  wrap?: string[];
  /** Kept output per stream, default {@link DEFAULT_MAX_OUTPUT_BYTES}. */
  maxOutputBytes?: number;
  /** Receives `stdout`/`stderr` events as output arrives; exceptions are ignored. */
  onEvent?: (ev: Event) => void;
  /** Aborting kills the process group, like a timeout. */
  signal?: AbortSignal;
}

/** Keeps the head of one output stream, decoding UTF-8 incrementally. */
class Collector {
  readonly #decoder = new TextDecoder();
  readonly #parts: string[] = [];
  #kept = 0;
  /** Bytes drained but not kept. */
  dropped = 0;

  constructor(
    readonly kind: "stdout" | "stderr",
    readonly max: number,
    readonly onEvent?: (ev: Event) => void,
  ) {}

  push(chunk: Uint8Array): void {
    const room = this.max - this.#kept;
    if (this.dropped > 0 || room <= 0) {
      this.dropped += chunk.byteLength;
      return;
    }
    let take = chunk;
    if (chunk.byteLength > room) {
      let cut = room;
      // Do not split a UTF-8 sequence: back off over continuation bytes (at most 3).
      while (cut > 0 && room - cut < 3 && (chunk[cut] & 0xc0) === 0x80) cut--;
      take = chunk.subarray(0, cut);
      this.dropped += chunk.byteLength - cut;
    }
    this.#kept += take.byteLength;
    this.#emit(this.#decoder.decode(take, { stream: true }));
  }

  /** Flush the decoder, add the truncation marker, return the kept text. */
  finish(): string {
    this.#emit(this.#decoder.decode());
    if (this.dropped > 0) this.#emit(`\n[output truncated: ${this.dropped} bytes dropped]`);
    return this.#parts.join("");
  }

  #emit(text: string): void {
    if (text === "") return;
    this.#parts.push(text);
    try {
      this.onEvent?.({ kind: this.kind, text });
    } catch {
      // a failing listener must not stop the draining of the pipe
    }
  }
}

/** setTimeout's largest delay. */
const MAX_TIMER_MS = 2 ** 31 - 1;

let setsid: string | undefined;
/** Absolute path of `setsid`, so a PATH from the profile cannot hide it. */
function setsidPath(): string {
  if (setsid === undefined) {
    const found = ["/usr/bin/setsid", "/bin/setsid", "/usr/local/bin/setsid"].find((p) => {
      try {
        return Deno.statSync(p).isFile;
      } catch {
        return false;
      }
    });
    setsid = found ?? "setsid";
  }
  return setsid;
}

/** Size of the one read buffer each pipe reuses. */
const READ_BYTES = 64 * 1024;

/**
 * Read a pipe into `sink` until EOF or cancellation. A BYOB reader refills one
 * buffer over and over, so draining a runaway stream allocates nothing.
 */
async function pump(reader: ReadableStreamBYOBReader, sink: Collector): Promise<void> {
  let buf = new Uint8Array(READ_BYTES);
  try {
    for (;;) {
      const { done, value } = await reader.read(buf);
      if (done || value === undefined) return;
      sink.push(value); // consumed synchronously, so the buffer can be reused
      buf = new Uint8Array(value.buffer);
    }
  } catch {
    // cancelled or the pipe broke: keep what we have
  }
}

/** Whether `p` settles within `ms`. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => timer = setTimeout(() => r(false), ms));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Run a shell command in its own process group and collect its output.
 *
 * @returns `exit_code` (-1 after a timeout or abort, 128+n when killed by
 *   signal n), the kept `stdout`/`stderr`, `timed_out` (also true after an
 *   abort) and `truncated`
 * @throws ShipError `validation_error` when `cwd` is not a directory,
 *   `ship_error` when the process cannot be started
 */
export async function runShell(opts: ShellOptions): Promise<ShellExecResult> {
  const info = await Deno.stat(opts.cwd).catch(() => null);
  if (!info?.isDirectory) throw new ShipError("validation_error", "cwd is not a directory");
  const max = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const env = { PATH: DEFAULT_PATH, ...opts.baseEnv, ...opts.env };
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(setsidPath(), {
      args: [...(opts.wrap ?? []), "bash", "-lc", opts.command],
      cwd: opts.cwd,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new ShipError("ship_error", `cannot start the shell: ${(e as Error).message}`);
  }
  const pgid = child.pid;
  const killGroup = () => {
    try {
      Deno.kill(-pgid, "SIGKILL");
    } catch {
      // ESRCH: the group is already gone
    }
  };
  let timedOut = false;
  const stop = () => {
    timedOut = true;
    killGroup();
  };
  const timer = setTimeout(stop, Math.min(opts.timeoutMs, MAX_TIMER_MS));
  if (opts.signal?.aborted) stop();
  opts.signal?.addEventListener("abort", stop, { once: true });

  const out = new Collector("stdout", max, opts.onEvent);
  const err = new Collector("stderr", max, opts.onEvent);
  const readers = [
    child.stdout.getReader({ mode: "byob" }),
    child.stderr.getReader({ mode: "byob" }),
  ];
  const pumps = Promise.all([pump(readers[0], out), pump(readers[1], err)]);
  let status: Deno.CommandStatus;
  try {
    status = await child.status;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", stop);
  }
  if (!(await settlesWithin(pumps, PIPE_GRACE_MS))) {
    killGroup(); // background children still hold the pipes
    if (!(await settlesWithin(pumps, 1000))) {
      // something outside the group (it called setsid itself) holds them: stop reading
      await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
      await pumps;
    }
  }
  return {
    exit_code: timedOut ? -1 : status.code,
    stdout: out.finish(),
    stderr: err.finish(),
    timed_out: timedOut,
    truncated: out.dropped > 0 || err.dropped > 0,
  };
}
