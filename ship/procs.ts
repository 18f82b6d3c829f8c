/**
 * Background processes (API.md §3.4): `proc_start`, `proc_list`, `proc_get`,
 * `proc_logs`, `proc_stdin`, `proc_kill`.
 *
 * A process runs like `shell_exec` does (see `shell.ts`): `setsid [wrap...]
 * bash -lc <command>` with an environment built from scratch, as the leader of
 * its own process group, so a signal reaches bash and everything it started.
 * Its stdin is a pipe the caller can write to.
 *
 * Output of both streams lies on one byte-offset axis: the offset is the total
 * number of bytes produced so far. Each stream keeps (at least) its last
 * `maxBufferBytes` (see `_proc_output.ts`); a client that reconnects with the
 * last offset it saw loses nothing that is still retained.
 *
 * End of a process: once bash exits, its pipes get {@link PIPE_GRACE_MS} to
 * reach EOF; a group member still holding them is then killed (as in
 * `shell_exec`). Only then does the status leave `running`, so an `exited`
 * process's logs are complete. The last {@link MAX_FINISHED} finished
 * processes are remembered.
 *
 * @module
 */
import { ShipError } from "./errors.ts";
import type { ProcessInfo, ProcessLogs } from "./protocol.ts";
import { DEFAULT_PATH } from "./shell.ts";
import type { StreamName } from "./_proc_output.ts";
import { Proc, pump } from "./_proc.ts";
import {
  nowIso,
  parseSignal,
  randomId,
  setsidPath,
  settlesWithin,
  signalGroup,
} from "./_process.ts";

export type { StreamName } from "./_proc_output.ts";

/** Default output kept per stream (bytes). */
export const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;
/** Finished processes remembered; older ones are forgotten. */
export const MAX_FINISHED = 100;
/** How long the pipes may stay open after bash exited (ms). */
export const PIPE_GRACE_MS = 100;

/** Options of a {@link ProcessManager}. */
export interface ProcessManagerOptions {
  /** Privilege-dropping prefix, e.g. `["setpriv", "--reuid=1000", ...]`. */
  wrap?: string[];
  /** Profile environment (HOME=/workspace, ...), applied before the request env. */
  baseEnv: Record<string, string>;
  /** Real path of the workspace root: the default working directory. */
  workspace: string;
  /** Output kept per stream, default {@link DEFAULT_MAX_BUFFER_BYTES}. */
  maxBufferBytes?: number;
}

/** What to start. */
export interface StartOptions {
  /** The command line, run with `bash -lc`. */
  command: string;
  /** Working directory: an absolute, already resolved real path (default: the workspace). */
  cwd?: string;
  /** Request environment, applied last. */
  env?: Record<string, string>;
}

/** Receives followed output; a returned promise is awaited before the next piece. */
export type OnChunk = (
  stream: StreamName,
  text: string,
  offsetAfter: number,
) => void | Promise<void>;

/** The background processes of one ship. */
export class ProcessManager {
  readonly #opts: ProcessManagerOptions;
  readonly #procs = new Map<string, Proc>();
  readonly #finished: string[] = [];

  constructor(opts: ProcessManagerOptions) {
    this.#opts = opts;
  }

  /**
   * Start a process.
   *
   * @throws ShipError `ship_error` when it cannot be spawned
   */
  start(opts: StartOptions): ProcessInfo {
    const env = { PATH: DEFAULT_PATH, ...this.#opts.baseEnv, ...opts.env };
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(setsidPath(), {
        args: [...(this.#opts.wrap ?? []), "bash", "-lc", opts.command],
        cwd: opts.cwd ?? this.#opts.workspace,
        env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (e) {
      throw new ShipError("ship_error", `cannot start the process: ${(e as Error).message}`);
    }
    const info: ProcessInfo = {
      process_id: randomId("proc-"),
      pid: child.pid,
      command: opts.command,
      status: "running",
      exit_code: null,
      started_at: nowIso(),
      ended_at: null,
    };
    const p = new Proc(info, child, this.#opts.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES);
    this.#procs.set(info.process_id, p);
    p.done = this.#run(p).catch(() => {});
    return { ...info };
  }

  async #run(p: Proc): Promise<void> {
    const readers = [
      p.child.stdout.getReader({ mode: "byob" }),
      p.child.stderr.getReader({ mode: "byob" }),
    ];
    const pumps = Promise.all([pump(readers[0], p, "stdout"), pump(readers[1], p, "stderr")]);
    const status = await p.child.status;
    p.reaped = true;
    const endedAt = nowIso();
    if (!(await settlesWithin(pumps, PIPE_GRACE_MS))) {
      signalGroup(p.info.pid, "SIGKILL"); // background children still hold the pipes
      if (!(await settlesWithin(pumps, 1000))) {
        // something outside the group holds them: stop reading
        await Promise.all(readers.map((r) => r.cancel().catch(() => {})));
        await pumps;
      }
    }
    await p.stdin.abort().catch(() => {});
    p.info = {
      ...p.info,
      status: p.killed ? "killed" : "exited",
      exit_code: status.code,
      ended_at: endedAt,
    };
    p.finished = true;
    p.notify();
    this.#finished.push(p.info.process_id);
    while (this.#finished.length > MAX_FINISHED) this.#procs.delete(this.#finished.shift()!);
  }

  #proc(id: string): Proc {
    const p = this.#procs.get(id);
    if (!p) throw new ShipError("not_found", `no such process: ${id}`);
    return p;
  }

  /** Every known process, oldest first. */
  list(): ProcessInfo[] {
    return [...this.#procs.values()].map((p) => ({ ...p.info }));
  }

  /**
   * One process.
   *
   * @throws ShipError `not_found` for an unknown id
   */
  get(id: string): ProcessInfo {
    return { ...this.#proc(id).info };
  }

  /**
   * Retained output after `offset`, per stream, and the offset to ask from next.
   *
   * @throws ShipError `not_found` for an unknown id
   */
  logs(id: string, offset: number): ProcessLogs {
    const p = this.#proc(id);
    return {
      stdout: p.out.text("stdout", offset),
      stderr: p.out.text("stderr", offset),
      next_offset: p.out.end,
      status: p.info.status,
    };
  }

  /**
   * Deliver the retained output after `offset`, then new output as it comes,
   * in offset order. Resolves with the exit code once the process has ended
   * and all its output was delivered; with `exit_code: null` when `signal`
   * aborts first (the process is not affected).
   *
   * @throws ShipError `not_found` for an unknown id
   */
  async follow(
    id: string,
    offset: number,
    onChunk: OnChunk,
    signal?: AbortSignal,
  ): Promise<{ exit_code: number | null }> {
    const p = this.#proc(id);
    let pos = offset;
    while (!signal?.aborted) {
      const piece = p.out.next(pos);
      if (piece) {
        pos = piece.end;
        if (piece.text !== "") await onChunk(piece.stream, piece.text, piece.end);
        continue;
      }
      if (p.finished) return { exit_code: p.info.exit_code };
      await p.changed(signal);
    }
    return { exit_code: null };
  }

  /**
   * Write UTF-8 `data` to the process's stdin. Waits while the pipe is full.
   *
   * @throws ShipError `not_found` for an unknown id, `conflict` when the
   *   process has exited or closed its stdin
   */
  async stdin(id: string, data: string): Promise<void> {
    const p = this.#proc(id);
    if (p.finished) throw new ShipError("conflict", `process ${id} has exited`);
    try {
      await p.stdin.write(new TextEncoder().encode(data));
    } catch {
      const why = p.finished ? "has exited" : "does not read its stdin any more";
      throw new ShipError("conflict", `process ${id} ${why}`);
    }
  }

  /**
   * Send `signal` (e.g. `SIGTERM`) to the process's whole group. A process
   * that then ends is `killed` (except after SIGSTOP/SIGCONT). Killing a
   * finished process does nothing.
   *
   * @returns the process as it is right after the signal was sent
   * @throws ShipError `not_found` for an unknown id, `validation_error` for an
   *   unsupported signal
   */
  kill(id: string, signal: string): ProcessInfo {
    const p = this.#proc(id);
    const sig = parseSignal(signal);
    if (!p.finished) {
      if (sig !== "SIGSTOP" && sig !== "SIGCONT") p.killed = true;
      p.signal(sig);
    }
    return { ...p.info };
  }

  /** How many processes are still running. */
  runningCount(): number {
    let n = 0;
    for (const p of this.#procs.values()) if (!p.finished) n++;
    return n;
  }

  /** SIGKILL every running process group and wait (at most ~5 s) until they are reaped. */
  async closeAll(): Promise<void> {
    const running = [...this.#procs.values()].filter((p) => !p.finished);
    for (const p of running) {
      p.killed = true;
      p.signal("SIGKILL");
    }
    await settlesWithin(Promise.all(running.map((p) => p.done)), 5000);
  }
}
