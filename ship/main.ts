/**
 * The ship's entry point inside a runtime. Reads its settings from the
 * environment the driver set, removes the secret from its own environment,
 * starts the runtime and serves Bay.
 *
 * @module
 */
import { runShipClient } from "./client.ts";
import { ShipRuntime } from "./handlers.ts";

const VERSION = "0.1.0";

function env(name: string, fallback?: string): string {
  const v = Deno.env.get(name) ?? fallback;
  if (v === undefined) {
    console.error(JSON.stringify({ level: "error", msg: `ship: ${name} is required` }));
    Deno.exit(2);
  }
  return v;
}

/**
 * The credential: from the root-only file named by SHIP_TOKEN_FILE (Kubernetes mounts it
 * from a Secret), from stdin (never in the environment) or, last, from SHIP_TOKEN.
 */
async function readToken(): Promise<string> {
  const file = Deno.env.get("SHIP_TOKEN_FILE");
  Deno.env.delete("SHIP_TOKEN_FILE");
  if (file) {
    return (await Deno.readTextFile(file).catch((e) => {
      console.error(JSON.stringify({ level: "error", msg: `ship: cannot read ${file}: ${e}` }));
      return "";
    })).trim();
  }
  const fromEnv = Deno.env.get("SHIP_TOKEN");
  Deno.env.delete("SHIP_TOKEN");
  if (fromEnv) return fromEnv;
  const buf = new Uint8Array(256);
  let text = "";
  while (!text.includes("\n")) {
    const n = await Deno.stdin.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  Deno.stdin.close();
  return text.trim();
}

const token = await readToken();
if (!token) {
  console.error(
    JSON.stringify({
      level: "error",
      msg: "ship: no credential in SHIP_TOKEN_FILE, on stdin or in SHIP_TOKEN",
    }),
  );
  Deno.exit(2);
}
const log = (msg: string, fields?: Record<string, unknown>) =>
  console.error(JSON.stringify({ ts: new Date().toISOString(), src: "ship", msg, ...fields }));
const uid = Deno.env.get("SHIP_UID");
const socketPath = Deno.env.get("SHIP_SOCKET");
const bayUrl = Deno.env.get("SHIP_BAY_URL");
const httpClient = socketPath
  ? Deno.createHttpClient({ proxy: { transport: "unix", path: socketPath } })
  : undefined;
/** Bulk transfers go over plain HTTP to Bay's ship endpoint (same socket or URL). */
const transferFetch = (token: string, init: RequestInit) =>
  socketPath
    ? fetch(`http://bay/v1/ship/transfers/${token}`, { ...init, client: httpClient })
    : fetch(
      `${(bayUrl ?? "").replace(/^ws/, "http").replace(/\/$/, "")}/v1/ship/transfers/${token}`,
      init,
    );
const runtime = new ShipRuntime({
  transferFetch,
  workspace: env("SHIP_WORKSPACE", "/workspace"),
  user: uid ? { uid: Number(uid), gid: Number(env("SHIP_GID", uid)) } : undefined,
  python: env("SHIP_PYTHON", "/usr/bin/python3"),
  env: JSON.parse(env("SHIP_USER_ENV", "{}")),
  runtimeDir: env("SHIP_RUNTIME_DIR", "/tmp/.ship"),
  maxOutputBytes: Number(env("SHIP_MAX_OUTPUT_BYTES", String(1024 * 1024))),
  eagerKernel: env("SHIP_EAGER_KERNEL", "1") === "1",
});
await runtime.prepare().catch((e) => log("could not prepare the workspace", { error: String(e) }));
const heartbeatMs = Number(env("SHIP_HEARTBEAT_MS", "5000"));
const reason = await runShipClient(runtime, {
  sessionId: env("SHIP_SESSION_ID"),
  token,
  socketPath: Deno.env.get("SHIP_SOCKET"),
  url: Deno.env.get("SHIP_BAY_URL"),
  heartbeatMs,
  timeoutMs: Number(env("SHIP_HEARTBEAT_TIMEOUT_MS", String(heartbeatMs * 3))),
  maxOfflineMs: Number(env("SHIP_MAX_OFFLINE_MS", "120000")),
  version: VERSION,
  httpTransfers: true,
  log,
});
log("ship exiting", { reason });
await runtime.close().catch(() => {});
Deno.exit(0);
