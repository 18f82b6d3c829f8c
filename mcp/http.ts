/**
 * MCP over Streamable HTTP, stateless: each POST gets a fresh server and
 * transport (web-standard Request/Response, so it fits Hono, `Deno.serve` or
 * any fetch handler). Answers stream as SSE with keep-alive comments, so long
 * executions survive idle-timeout proxies; the server is closed when the
 * answer ends or the client goes away (which cancels the running tool).
 *
 * @module
 */
import { type McpServer, WebStandardStreamableHTTPServerTransport } from "./_sdk.ts";

/**
 * Options of {@link handleHttpRequest}.
 *
 * @example
 * ```ts
 * const o: HttpOptions = { maxRequestBodySize: 10 * 1024 * 1024 };
 * ```
 */
export interface HttpOptions {
  /** Largest JSON-RPC POST body in bytes (default 4 MiB). */
  maxRequestBodySize?: number;
}

function methodNotAllowed(): Response {
  return Response.json(
    {
      jsonrpc: "2.0",
      error: {
        code: -32000,
        message: "Method not allowed: this MCP endpoint is stateless (POST only)",
      },
      id: null,
    },
    { status: 405, headers: { Allow: "POST" } },
  );
}

/**
 * Answer one Streamable HTTP request with `server` (built for this request
 * only; it is closed afterwards). GET and DELETE are answered 405: there are
 * no sessions and no standalone event stream.
 *
 * @example
 * ```ts
 * import { BayClient } from "@shipyard/sdk";
 * import { createServer, handleHttpRequest } from "@shipyard/mcp";
 * const handler = (req: Request) =>
 *   handleHttpRequest(req, createServer({ client: new BayClient({ apiKey: "…" }) }));
 * ```
 */
export async function handleHttpRequest(
  req: Request,
  server: McpServer,
  opts: HttpOptions = {},
): Promise<Response> {
  if (req.method !== "POST") {
    await server.close().catch(() => {});
    return methodNotAllowed();
  }
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    maxRequestBodySize: opts.maxRequestBodySize,
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    req.signal.removeEventListener("abort", close);
    server.close().catch(() => {});
  };
  req.signal.addEventListener("abort", close, { once: true });
  let res: Response;
  try {
    await server.connect(transport);
    res = await transport.handleRequest(req);
  } catch (e) {
    close();
    throw e;
  }
  if (!res.body) {
    close();
    return res;
  }
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          ctrl.close();
          close();
        } else ctrl.enqueue(value);
      } catch (e) {
        ctrl.error(e);
        close();
      }
    },
    async cancel(reason) {
      close();
      await reader.cancel(reason).catch(() => {});
    },
  });
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}
