/**
 * The exec baseline DESIGN.md names: "the same round trip sent to the ship
 * directly". A real ship (`ship/main.ts`, as root, user code as uid 1000 like
 * in a sandbox) dials a minimal hub run by the bench over a unix socket; the
 * bench sends it the very `shell_exec` / `python_exec` calls Bay sends and
 * waits for the results. What this leaves out is exactly what Bay adds: HTTP,
 * authentication, validation, the database reads and the history write, and
 * the relay through Bay's hub.
 *
 * @module
 */
import { Channel } from "@shipyard/ship/channel";
import type { Frame } from "@shipyard/ship/protocol";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../ship/main.ts", import.meta.url));
const SESSION = "sess_bench_direct";
const TOKEN = "bench-direct-token";

/** A ship served by the bench itself. */
export interface DirectShip {
  /** Send one call and wait for its result (rejects with the ship's error). */
  call(call: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** Start a ship with its workspace and socket under `dir`; resolves once it said hello. */
export async function startDirectShip(dir: string, uid = 1000): Promise<DirectShip> {
  const workspace = join(dir, "workspace");
  await Deno.mkdir(workspace, { recursive: true });
  await Deno.chmod(dir, 0o755);
  const socketPath = join(dir, "ship.sock");
  const pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const attached = Promise.withResolvers<Channel>();
  let next = 0;
  const server = Deno.serve({ path: socketPath, onListen() {} }, (req) => {
    const { socket, response } = Deno.upgradeWebSocket(req);
    const channel: Channel = new Channel(socket, {
      heartbeatMs: 5_000,
      timeoutMs: 15_000,
      onFrame(frame: Frame) {
        if (frame.t === "hello") {
          if (frame.token !== TOKEN) return socket.close(4001, "unauthorized");
          channel.send({ t: "welcome", heartbeat_ms: 5_000 });
          attached.resolve(channel);
        } else if (frame.t === "res" || frame.t === "err") {
          const p = pending.get(frame.id);
          pending.delete(frame.id);
          if (frame.t === "res") p?.resolve(frame.result);
          else p?.reject(new Error(`${frame.error.code}: ${frame.error.message}`));
        }
      },
      onClose(reason) {
        for (const p of pending.values()) p.reject(new Error(`ship channel closed: ${reason}`));
        pending.clear();
        attached.reject(new Error(`ship channel closed before hello: ${reason}`));
      },
    });
    return response;
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--cached-only", "--frozen", "--no-prompt", MAIN],
    env: {
      SHIP_SESSION_ID: SESSION,
      SHIP_SOCKET: socketPath,
      SHIP_UID: String(uid),
      SHIP_GID: String(uid),
      SHIP_WORKSPACE: workspace,
      SHIP_RUNTIME_DIR: join(dir, "run"),
      SHIP_EAGER_KERNEL: "1",
      NO_COLOR: "1",
    },
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(TOKEN + "\n"));
  await w.close();
  const close = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* exited */ }
    await child.status;
    await server.shutdown();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const channel = await Promise.race([
      attached.promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("direct ship: no hello in 60 s")), 60_000);
      }),
    ]);
    return {
      call(call) {
        const id = `d${next++}`;
        const p = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
        channel.send({ t: "req", id, call } as Frame);
        return p;
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
}
