/**
 * Spawning an IPython kernel process: free ports, connection file, argv and
 * environment.
 *
 * Private to the kernel client.
 *
 * @module
 */
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ShipError } from "../errors.ts";

/** Options for starting a kernel; see `Kernel.start`. */
export interface KernelOptions {
  /** Python interpreter; default `/usr/bin/python3`. */
  python?: string;
  /** Working directory of the kernel (also its default `HOME`). */
  cwd: string;
  /** Command prefix (e.g. `["setpriv", "--reuid=1000", ...]`); the kernel argv is appended. */
  wrap?: string[];
  /**
   * Environment applied over the defaults. The kernel does not inherit the
   * ship's environment; it gets `PATH`, `LANG`, `HOME` (= cwd), `MPLBACKEND`
   * (inline PNG) and these.
   */
  env?: Record<string, string>;
  /** Directory for the connection file (created; the file is mode 0644). */
  runtimeDir: string;
  /** How long to wait for the kernel to answer; default 30 000 ms. */
  readyTimeoutMs?: number;
  /** Cap on captured output per execution; default 1 MiB. */
  maxOutputBytes?: number;
}

/** A spawned kernel process and what is needed to talk to it. */
export interface Spawned {
  child: Deno.ChildProcess;
  /** HMAC key of the connection file. */
  key: string;
  /** Path of the connection file (remove it when done). */
  file: string;
  /** shell, iopub, stdin, control, hb. */
  ports: number[];
}

/**
 * Python run with `-c` in place of `-m ipykernel_launcher` (which it then
 * does). It patches `OutStream.write` to split big writes and flush every
 * 64 KiB, waiting for the IO thread: stream messages stay small and a runaway
 * `print` loop is slowed to the pace the client reads at, instead of piling up
 * hundreds of MiB per message. It also stops ipykernel from rewriting the
 * connection file (it deletes and recreates it, which a dropped-privilege
 * kernel cannot do in a root-owned runtime dir); the file is only read.
 */
const BOOT = `
import sys
if sys.path and sys.path[0] == "":
    del sys.path[0]
from ipykernel import iostream as _io
_LIMIT = 65536
_write = _io.OutStream.write
def _bounded_write(self, string):
    if not isinstance(string, str) or len(string) <= _LIMIT:
        n = _write(self, string)
        if self._buffer.tell() >= _LIMIT:
            self.flush()
        return n
    for i in range(0, len(string), _LIMIT):
        _write(self, string[i:i + _LIMIT])
        self.flush()
    return len(string)
_io.OutStream.write = _bounded_write
del _io, _bounded_write
from ipykernel import kernelapp
kernelapp.IPKernelApp.write_connection_file = lambda self: None
kernelapp.launch_new_instance()
`;

/** Pick `n` distinct free loopback TCP ports. */
function freePorts(n: number): number[] {
  const listeners = Array.from(
    { length: n },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

/** Write a connection file and spawn the kernel (`python -c <BOOT> -f <file>`). */
export async function spawnKernel(opts: KernelOptions): Promise<Spawned> {
  const ports = freePorts(5);
  const key = randomBytes(32).toString("hex");
  const conn = {
    shell_port: ports[0],
    iopub_port: ports[1],
    stdin_port: ports[2],
    control_port: ports[3],
    hb_port: ports[4],
    ip: "127.0.0.1",
    key,
    transport: "tcp",
    signature_scheme: "hmac-sha256",
    kernel_name: "python3",
  };
  await Deno.mkdir(opts.runtimeDir, { recursive: true });
  const file = join(opts.runtimeDir, `kernel-${crypto.randomUUID()}.json`);
  await Deno.writeTextFile(file, JSON.stringify(conn), { mode: 0o644 });
  await Deno.chmod(file, 0o644); // undo the umask: a dropped-privilege kernel must read it
  const argv = [
    ...(opts.wrap ?? []),
    opts.python ?? "/usr/bin/python3",
    "-c",
    BOOT,
    "-f",
    file,
  ];
  const env: Record<string, string> = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    LANG: "C.UTF-8",
    HOME: opts.cwd,
    MPLBACKEND: "module://matplotlib_inline.backend_inline",
    PYDEVD_DISABLE_FILE_VALIDATION: "1",
    // ipykernel exits when reparented away from this process
    JPY_PARENT_PID: String(Deno.pid),
    ...opts.env,
  };
  try {
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: opts.cwd,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return { child, key, file, ports };
  } catch (e) {
    await Deno.remove(file).catch(() => {});
    throw new ShipError("ship_error", `python kernel failed to start: ${e}`);
  }
}

/** A pipe being read to its end. */
export interface Drain {
  /** Settles when the pipe is at its end (or cancelled). */
  done: Promise<void>;
  /** Stop reading (e.g. a grandchild keeps the pipe open). */
  cancel(): Promise<void>;
}

/** Read a child's pipe to its end so the child never blocks writing to it. */
export function drain(stream: ReadableStream<Uint8Array>, onText?: (text: string) => void): Drain {
  const reader = stream.getReader();
  const dec = new TextDecoder();
  const done = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        onText?.(dec.decode(value, { stream: true }));
      }
    } catch {
      // cancelled or broken pipe: nothing left to read
    } finally {
      reader.releaseLock();
    }
  })();
  return { done, cancel: () => reader.cancel().catch(() => {}) };
}
