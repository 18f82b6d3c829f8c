/**
 * Replica forwarding: a capability request for a sandbox whose ship is
 * connected to another live Bay replica is proxied there unchanged (body
 * streamed, WebSockets bridged). Runs before validation so the body is
 * untouched. A forwarded request is never forwarded again.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { hashKey } from "../core/auth.ts";
import type { Holder } from "../core/instances.ts";
import { BayError, plausibleId } from "../errors.ts";
import type { BayEnv, Services } from "./context.ts";

/** Header marking a request already forwarded by a replica. */
export const FORWARDED = "X-Bay-Forwarded-By";
const SANDBOX = /^\/v1\/sandboxes\/([^/]+)(\/.*)?$/;
const CAPABILITY = /^\/(python|shell|filesystem|processes|terminal)(\/|$)/;

/** The sandbox id when this request must run where the session's ship is. */
function sessionBound(method: string, path: string): string | null {
  const m = SANDBOX.exec(path);
  if (!m) return null;
  const rest = m[2] ?? "";
  if (CAPABILITY.test(rest) || rest === "/stop" || (rest === "" && method === "DELETE")) {
    return m[1];
  }
  return null;
}
const HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"];

async function ownerOf(
  c: Parameters<MiddlewareHandler<BayEnv>>[0],
  s: Services,
  id: string,
): Promise<string | null> {
  const p = c.get("principal");
  if (p) return p.owner;
  const ticket = c.req.query("ticket");
  if (!ticket) return null;
  const rows = await s.db.query<{ owner: string }>(
    `SELECT owner FROM terminal_tickets WHERE ticket_hash = $1 AND sandbox_id = $2
       AND used_at IS NULL AND expires_at > now()`,
    [await hashKey(ticket), id],
  );
  return rows[0]?.owner ?? null;
}

async function waitReady(s: Services, owner: string, id: string): Promise<Holder | null> {
  const end = Date.now() + s.config.sessionStartTimeoutMs;
  while (Date.now() < end) {
    const h = await s.instances.holderOf(owner, id);
    if (!h || h.status === "ready") return h;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new BayError("session_not_ready", "the session is still starting on another replica", {
    sandbox_id: id,
    retry_after_ms: 1000,
  });
}

/** The forwarding middleware. */
export function forwardToHolder(s: Services): MiddlewareHandler<BayEnv> {
  return async (c, next) => {
    const id = sessionBound(c.req.method, c.req.path);
    if (!id || c.req.header(FORWARDED) || !plausibleId(id)) return next();
    // The common case: this replica holds the ship, no lookup needed.
    if (s.hub.servesSandbox(id)) return next();
    const owner = await ownerOf(c, s, id);
    if (!owner) return next();
    const holder = await waitReady(s, owner, id);
    if (!holder) return next();
    const url = new URL(c.req.url);
    const target = `${holder.url.replace(/\/$/, "")}${url.pathname}${url.search}`;
    const headers = new Headers();
    c.req.raw.headers.forEach((v, k) => {
      if (!HOP.includes(k.toLowerCase())) headers.set(k, v);
    });
    headers.set(FORWARDED, s.instances.id);
    headers.set("X-Request-Id", c.get("requestId"));
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") {
      return bridgeWebSocket(c.req.raw, target.replace(/^http/, "ws"), headers);
    }
    try {
      const res = await fetch(target, {
        method: c.req.method,
        headers,
        body: c.req.raw.body,
        signal: c.req.raw.signal,
        // @ts-ignore: Deno accepts duplex for streaming request bodies.
        duplex: "half",
        redirect: "manual",
      });
      const out = new Headers(res.headers);
      out.delete("content-encoding");
      return new Response(res.body, { status: res.status, headers: out });
    } catch (e) {
      if (c.req.raw.signal.aborted) throw e;
      throw new BayError("ship_error", `the replica holding this session is unreachable: ${e}`);
    }
  };
}

function bridgeWebSocket(req: Request, target: string, headers: Headers): Response {
  const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
  const h: Record<string, string> = {};
  headers.forEach((v, k) => (h[k] = v));
  const upstream = new WebSocket(target, { headers: h });
  upstream.binaryType = "arraybuffer";
  socket.binaryType = "arraybuffer";
  const pending: (string | ArrayBuffer)[] = [];
  socket.onmessage = (e) => {
    if (upstream.readyState === WebSocket.OPEN) upstream.send(e.data);
    else pending.push(e.data);
  };
  upstream.onopen = () => {
    for (const d of pending.splice(0)) upstream.send(d);
  };
  upstream.onmessage = (e) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(e.data);
  };
  const closeBoth = (code = 1000, reason = "") => {
    if (socket.readyState <= WebSocket.OPEN) socket.close(code, reason);
    if (upstream.readyState <= WebSocket.OPEN) upstream.close(code, reason);
  };
  upstream.onclose = (e) => closeBoth(e.code === 1005 ? 1000 : e.code, e.reason);
  upstream.onerror = () => closeBoth(1011, "upstream failed");
  socket.onclose = () => closeBoth();
  return response;
}
