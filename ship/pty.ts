/**
 * Terminals (API.md §3.6): a login shell on a PTY, as the sandbox user.
 *
 * The PTY belongs to a small Python helper (`pty_helper.py`, next to this
 * file; Python is always in the sandbox for the kernel), run as
 * `setsid [wrap...] python3 -u -c <pty_helper.py> COLS ROWS`: in its own session
 * and process group, through the privilege-dropping prefix. The helper forks `bash -l` on a new PTY, relays
 * the PTY's output raw on its stdout, and reads framed input on its stdin
 * (1 byte type, 4-byte big-endian length, payload): type 0 is typed bytes,
 * type 1 a JSON `{cols, rows}` resize. Closing its stdin hangs the shell up;
 * it exits with the shell's exit code. Its first stderr line is `pid N`, the
 * shell's pid, which is also the shell's process group.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import type { Channel } from "./channel.ts";
import { ShipError } from "./errors.ts";
import { DEFAULT_PATH } from "./shell.ts";
import { setsidPath, signalGroup } from "./_process.ts";

/** How long {@link Pty.close} lets the shell end after the hangup before killing it (ms). */
export const CLOSE_GRACE_MS = 1000;
/** Largest payload of one input frame (bytes). */
const MAX_FRAME_PAYLOAD = 64 * 1024;
const FRAME_DATA = 0;
const FRAME_RESIZE = 1;
const STDERR_TAIL = 4096;

/** Path of the helper script (in a sandbox: /opt/shipyard/ship/pty_helper.py). */
export const PTY_HELPER = fileURLToPath(new URL("./pty_helper.py", import.meta.url));

let helperSource: string | undefined;
/**
 * The helper's source, read by the ship and passed with `python3 -c`: the
 * sandbox user it runs as may not be able to read the ship's directory (the
 * local driver mounts the repository under a root-only /opt).
 */
function helperCode(): string {
  return helperSource ??= Deno.readTextFileSync(PTY_HELPER);
}

/** Options of {@link openPty}. */
export interface PtyOptions {
  /** Initial window size. */
  cols: number;
  rows: number;
  /** Privilege-dropping prefix, e.g. `["setpriv", "--reuid=1000", ...]`. */
  wrap?: string[];
  /** Profile environment; `HOME` defaults to the workspace, `TERM` is `xterm-256color`. */
  baseEnv?: Record<string, string>;
  /** Real path of the workspace root: the shell's working directory. */
  workspace: string;
  /** Python interpreter; default `/usr/bin/python3`. */
  python?: string;
}

/** An open terminal. */
export interface Pty {
  /** Raw terminal output; ends when the helper exits. Cancelling it hangs the shell up. */
  readonly output: ReadableStream<Uint8Array>;
  /** Type bytes into the terminal; waits while the shell does not keep up. */
  write(bytes: Uint8Array): Promise<void>;
  /** Change the window size (ignored once closed). */
  resize(cols: number, rows: number): void;
  /**
   * The shell's exit code (128+N when killed by signal N). Rejects with
   * `ship_error` when the helper failed before starting the shell.
   */
  readonly exit: Promise<number>;
  /** Hang the shell up; kill it after {@link CLOSE_GRACE_MS}. Idempotent. */
  close(): void;
}

/** One input frame. */
function frame(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.byteLength);
  out[0] = type;
  new DataView(out.buffer).setUint32(1, payload.byteLength);
  out.set(payload, 5);
  return out;
}

/** Read the helper's stderr: report the shell pid, keep the tail for diagnostics. */
async function readStderr(
  stream: ReadableStream<Uint8Array>,
  onPid: (pid: number) => void,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let sawPid = false;
  for await (const chunk of stream) {
    text += decoder.decode(chunk, { stream: true });
    const nl = text.indexOf("\n");
    if (!sawPid && nl >= 0) {
      const m = /^pid (\d+)$/.exec(text.slice(0, nl));
      if (m) {
        sawPid = true;
        onPid(Number(m[1]));
        text = text.slice(nl + 1);
      }
    }
    if (text.length > 2 * STDERR_TAIL) text = text.slice(-STDERR_TAIL);
  }
  return text.slice(-STDERR_TAIL);
}

/**
 * Open a terminal running `bash -l` in the workspace.
 *
 * @throws ShipError `ship_error` when the helper cannot be started
 */
export function openPty(opts: PtyOptions): Pty {
  const python = opts.python ?? "/usr/bin/python3";
  let code: string;
  try {
    code = helperCode();
  } catch (e) {
    throw new ShipError("ship_error", `cannot read the terminal helper: ${(e as Error).message}`);
  }
  const argv = [
    setsidPath(), // the helper's own group: nothing it signals can reach the ship
    ...(opts.wrap ?? []),
    python,
    "-u",
    "-c",
    code,
    String(opts.cols),
    String(opts.rows),
  ];
  const env = {
    PATH: DEFAULT_PATH,
    HOME: opts.workspace,
    ...opts.baseEnv,
    TERM: "xterm-256color",
  };
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: opts.workspace,
      env,
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    throw new ShipError("ship_error", `cannot start the terminal: ${(e as Error).message}`);
  }
  const writer = child.stdin.getWriter();
  let shellPid: number | null = null;
  let inputOpen = true;
  let exited = false;
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const stderr = readStderr(child.stderr, (pid) => shellPid = pid).catch(() => "");

  const closeInput = () => {
    if (!inputOpen) return;
    inputOpen = false;
    writer.abort().catch(() => {}); // EOF for the helper, pending writes are dropped
  };
  const exit = (async () => {
    const status = await child.status;
    exited = true;
    clearTimeout(killTimer);
    closeInput();
    const tail = await stderr;
    if (shellPid === null) {
      throw new ShipError("ship_error", `terminal helper failed (exit ${status.code}): ${tail}`);
    }
    return status.code;
  })();
  exit.catch(() => {}); // the caller sees the rejection; nothing else should

  return {
    output: child.stdout,
    async write(bytes: Uint8Array): Promise<void> {
      for (let at = 0; at < bytes.byteLength; at += MAX_FRAME_PAYLOAD) {
        if (!inputOpen) throw new ShipError("conflict", "terminal closed");
        await writer.write(frame(FRAME_DATA, bytes.subarray(at, at + MAX_FRAME_PAYLOAD)));
      }
    },
    resize(cols: number, rows: number): void {
      if (!inputOpen) return;
      const json = new TextEncoder().encode(JSON.stringify({ cols, rows }));
      writer.write(frame(FRAME_RESIZE, json)).catch(() => {});
    },
    exit,
    close(): void {
      if (!inputOpen || exited) return closeInput();
      closeInput();
      killTimer = setTimeout(() => {
        if (shellPid !== null) signalGroup(shellPid, "SIGKILL");
        if (!signalGroup(child.pid, "SIGKILL")) {
          try {
            child.kill("SIGKILL"); // setsid had not run yet
          } catch {
            // already exited
          }
        }
      }, CLOSE_GRACE_MS);
    },
  };
}

/**
 * Serve an open terminal over the channel: its output goes to the peer on
 * `out_stream_id` (ended when the shell exits), keystrokes arrive on
 * `in_stream_id`. Resolves with the shell's exit code. Aborting `signal` (the
 * peer cancelled: the terminal WebSocket closed) hangs the shell up and
 * resolves once it has ended; so does the peer aborting the output stream.
 * The output stream is ended in every case.
 */
export async function servePty(
  pty: Pty,
  channel: Channel,
  streams: { out_stream_id: number; in_stream_id: number },
  signal: AbortSignal,
): Promise<{ exit_code: number }> {
  const close = () => pty.close();
  signal.addEventListener("abort", close, { once: true });
  if (signal.aborted) close();
  const keys = channel.openReceiver(streams.in_stream_id).stream.getReader();
  const typing = (async () => {
    try {
      for (;;) {
        const { done, value } = await keys.read();
        if (done) return;
        await pty.write(value);
      }
    } catch {
      // the terminal or the stream closed
    }
  })();
  try {
    const tx = channel.openSender(streams.out_stream_id);
    await tx.pipeFrom(pty.output, signal).catch(close);
    return { exit_code: await pty.exit };
  } finally {
    signal.removeEventListener("abort", close);
    pty.close();
    // Also after an abort or a failure: the peer's receiver ends instead of waiting forever.
    channel.endStream(streams.out_stream_id);
    await keys.cancel().catch(() => {});
    await typing;
  }
}
