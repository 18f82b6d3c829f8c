/**
 * What a ship does for each call: the kernel, the shell and the file API,
 * behind one `dispatch` that the channel client invokes.
 *
 * @module
 */
import type { Channel } from "./channel.ts";
import { ShipError } from "./errors.ts";
import { WorkspaceFs } from "./fs/ops.ts";
import { resolveInWorkspace } from "./fs/resolve.ts";
import { Kernel } from "./kernel/kernel.ts";
import type { Call, Event } from "./protocol.ts";
import { ProcessManager } from "./procs.ts";
import { openPty, type Pty, servePty } from "./pty.ts";
import { runShell } from "./shell.ts";
import { randomId } from "./_process.ts";

/** What `dispatch` gets besides the call. */
export interface DispatchIo {
  /** Emits an event of this request. */
  onEvent: (ev: Event) => void;
  /** Aborts when Bay cancels the request or the channel drops. */
  signal: AbortSignal;
  /** Carries the request's binary streams. */
  channel: Channel;
  /** Id of the request (a terminal is named by the id of its `pty_open`). */
  requestId?: string;
}

/** How the ship runs user work. */
export interface ShipRuntimeOptions {
  /** Real path of the workspace root (e.g. /workspace). */
  workspace: string;
  /** Drop privileges to this uid/gid for user code (omit to run as self). */
  user?: { uid: number; gid: number };
  python?: string;
  /** Profile environment for user code. */
  env?: Record<string, string>;
  /** Directory for kernel connection files (readable by the user). */
  runtimeDir: string;
  maxOutputBytes?: number;
  /** Reach Bay's `/v1/ship/transfers/{token}` (bulk bytes beside the channel). */
  transferFetch?: (token: string, init: RequestInit) => Promise<Response>;
  /** Start the kernel at boot instead of on first use. */
  eagerKernel?: boolean;
}

/** The ship's capabilities, independent of the channel. */
export class ShipRuntime {
  readonly fs: WorkspaceFs;
  #opts: ShipRuntimeOptions;
  #kernel: Promise<Kernel> | null = null;
  #wrap: string[] | undefined;
  /** Background processes. */
  readonly procs: ProcessManager;
  /** Open terminals by the id of their `pty_open` request. */
  #ptys = new Map<string, Pty>();

  constructor(opts: ShipRuntimeOptions) {
    this.#opts = opts;
    this.fs = new WorkspaceFs(opts.workspace, { owner: opts.user });
    this.#wrap = opts.user
      ? [
        "setpriv",
        `--reuid=${opts.user.uid}`,
        `--regid=${opts.user.gid}`,
        "--clear-groups",
        "--no-new-privs",
        "--",
      ]
      : undefined;
    this.procs = new ProcessManager({
      wrap: this.#wrap,
      baseEnv: { HOME: opts.workspace, ...opts.env },
      workspace: opts.workspace,
    });
    if (opts.eagerKernel) this.prepare().then(() => this.kernel()).catch(() => {});
  }

  /** Make the workspace root belong to the sandbox user (a fresh volume belongs to root). */
  async prepare(): Promise<void> {
    const u = this.#opts.user;
    if (!u) return;
    const st = await Deno.stat(this.#opts.workspace);
    if (st.uid !== u.uid || st.gid !== u.gid) {
      await Deno.chown(this.#opts.workspace, u.uid, u.gid);
    }
  }

  /** The kernel, started on first use (a dead one is replaced). */
  kernel(): Promise<Kernel> {
    const cur = this.#kernel;
    if (cur) {
      return cur.then((k) => (k.alive ? k : this.#startKernel()), () => this.#startKernel());
    }
    return this.#startKernel();
  }

  async #runtimeDir(): Promise<string> {
    const dir = this.#opts.runtimeDir;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    // The kernel (running as the user) rewrites its connection file there.
    if (this.#opts.user) await Deno.chown(dir, this.#opts.user.uid, this.#opts.user.gid);
    return dir;
  }

  #startKernel(): Promise<Kernel> {
    const env: Record<string, string> = {
      HOME: this.#opts.workspace,
      IPYTHONDIR: "/tmp/.ipython",
      MPLCONFIGDIR: "/tmp/.matplotlib",
      ...this.#opts.env,
    };
    this.#kernel = this.#runtimeDir().then((runtimeDir) =>
      Kernel.start({
        python: this.#opts.python,
        cwd: this.#opts.workspace,
        wrap: this.#wrap,
        env,
        runtimeDir,
        maxOutputBytes: this.#opts.maxOutputBytes,
      })
    );
    return this.#kernel;
  }

  /** Run one call. `send` emits events; `channel` carries transfers. */
  async dispatch(
    call: Call,
    io: DispatchIo,
  ): Promise<unknown> {
    switch (call.op) {
      case "python_exec": {
        const k = await this.kernel();
        return await k.execute(call.code, {
          timeoutMs: call.timeout_ms,
          onEvent: call.stream ? io.onEvent : undefined,
          signal: io.signal,
        });
      }
      case "python_ready":
        await this.kernel();
        return { status: "ok" };
      case "python_interrupt":
        await (await this.kernel()).interrupt();
        return { status: "ok" };
      case "python_restart":
        await (await this.kernel()).restart();
        return { status: "ok" };
      case "shell_exec": {
        const cwd = await resolveInWorkspace(this.#opts.workspace, call.cwd ?? ".", "cwd");
        const st = await Deno.stat(cwd).catch(() => null);
        if (!st?.isDirectory) {
          throw new ShipError("invalid_path", "cwd is not a directory", {
            field: "cwd",
            reason: "not_a_directory",
          });
        }
        return await runShell({
          command: call.command,
          cwd,
          env: call.env,
          baseEnv: { HOME: this.#opts.workspace, ...this.#opts.env },
          timeoutMs: call.timeout_ms,
          wrap: this.#wrap,
          maxOutputBytes: this.#opts.maxOutputBytes,
          onEvent: call.stream ? io.onEvent : undefined,
          signal: io.signal,
        });
      }
      case "fs_read":
        return await this.fs.readText(call.path, call.max_bytes);
      case "fs_write":
        await this.fs.writeFile(call.path, call.content, call.encoding);
        return { status: "ok" };
      case "fs_list":
        return await this.fs.list(call.path, call.show_hidden);
      case "fs_delete":
        await this.fs.remove(call.path);
        return { status: "ok" };
      case "fs_edit":
        return await this.fs.edit(call.path, call.old_string, call.new_string, call.replace_all);
      case "fs_upload": {
        const fetchTransfer = this.#opts.transferFetch;
        if (call.transfer && fetchTransfer) {
          const res = await fetchTransfer(call.transfer, { method: "GET", signal: io.signal });
          if (!res.ok || !res.body) {
            await res.body?.cancel();
            throw new ShipError("ship_error", `upload transfer refused (${res.status})`);
          }
          return await this.fs.upload(call.path, res.body, call.max_bytes);
        }
        const rx = io.channel.openReceiver(call.stream_id);
        try {
          return await this.fs.upload(call.path, rx.stream, call.max_bytes);
        } finally {
          io.channel.dropStream(call.stream_id);
        }
      }
      case "fs_download": {
        const d = await this.fs.openDownload(call.path).catch((e) => {
          io.channel.dropStream(call.stream_id); // forget credit Bay granted up front
          throw e;
        });
        io.onEvent({ kind: "file_info", size: d.size });
        const fetchTransfer = this.#opts.transferFetch;
        if (call.transfer && fetchTransfer) {
          const res = await fetchTransfer(call.transfer, {
            method: "POST",
            body: d.stream,
            signal: io.signal,
          });
          await res.body?.cancel();
          if (res.status !== 204) {
            throw new ShipError("ship_error", `download transfer failed (${res.status})`);
          }
          return { path: call.path, size: d.size };
        }
        const tx = io.channel.openSender(call.stream_id);
        const n = await tx.pipeFrom(d.stream, io.signal);
        io.channel.endStream(call.stream_id);
        return { path: call.path, size: n };
      }
      case "proc_start": {
        const cwd = await resolveInWorkspace(this.#opts.workspace, call.cwd ?? ".", "cwd");
        const st = await Deno.stat(cwd).catch(() => null);
        if (!st?.isDirectory) {
          throw new ShipError("invalid_path", "cwd is not a directory", {
            field: "cwd",
            reason: "not_a_directory",
          });
        }
        return this.procs.start({ command: call.command, cwd, env: call.env });
      }
      case "proc_list":
        return { items: this.procs.list() };
      case "proc_get":
        return this.procs.get(call.process_id);
      case "proc_logs":
        if (!call.follow) return this.procs.logs(call.process_id, call.offset);
        return await this.procs.follow(
          call.process_id,
          call.offset,
          (stream, text, offset) => io.onEvent({ kind: "proc_output", stream, text, offset }),
          io.signal,
        );
      case "proc_stdin":
        await this.procs.stdin(call.process_id, call.data);
        return { status: "ok" };
      case "proc_kill":
        return this.procs.kill(call.process_id, call.signal);
      case "pty_open": {
        let pty: Pty;
        try {
          pty = openPty({
            cols: call.cols,
            rows: call.rows,
            wrap: this.#wrap,
            baseEnv: { HOME: this.#opts.workspace, ...this.#opts.env },
            workspace: this.#opts.workspace,
            python: this.#opts.python,
          });
        } catch (e) {
          io.channel.dropStream(call.out_stream_id); // forget credit Bay granted up front
          throw e;
        }
        const id = io.requestId ?? randomId("pty-");
        this.#ptys.set(id, pty);
        try {
          return await servePty(pty, io.channel, call, io.signal);
        } finally {
          this.#ptys.delete(id);
        }
      }
      case "pty_resize": {
        const pty = this.#ptys.get(call.pty_id);
        if (!pty) throw new ShipError("not_found", `no such terminal: ${call.pty_id}`);
        pty.resize(call.cols, call.rows);
        return { status: "ok" };
      }
      case "cancel":
        return { status: "ok" };
    }
  }

  /** Stop the kernel, background processes and terminals. */
  async close(): Promise<void> {
    for (const pty of this.#ptys.values()) pty.close();
    await this.procs.closeAll();
    const k = await this.#kernel?.catch(() => null);
    await k?.shutdown();
  }
}
