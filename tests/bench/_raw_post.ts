/**
 * A minimal HTTP/1.1 POST over a plain TCP connection with a streamed,
 * length-delimited body, for uploads.
 *
 * Why not `fetch`: Deno's `fetch` with a `ReadableStream` request body slows
 * down as the body grows once the server applies backpressure (measured here:
 * 174 MiB/s at 16 MiB, 7 MiB/s at 128 MiB into a `Deno.serve` that writes to
 * a file, while curl into the same server holds ~450 MiB/s at 256 MiB). The
 * benchmark must measure Bay, not its client, so uploads use this instead
 * (for Bay and for the loopback baseline alike).
 *
 * @module
 */

/** Status, headers (lower-case names) and text body of a response. */
export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let off = 0; off < data.byteLength;) off += await conn.write(data.subarray(off));
}

async function readAll(conn: Deno.Conn): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(64 * 1024);
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    parts.push(buf.slice(0, n));
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) out.set(p, (off += p.byteLength) - p.byteLength);
  return out;
}

function dechunk(body: string): string {
  let out = "";
  for (let i = 0;;) {
    const eol = body.indexOf("\r\n", i);
    const size = parseInt(body.slice(i, eol), 16);
    if (!size) return out;
    out += body.slice(eol + 2, eol + 2 + size);
    i = eol + 2 + size + 2;
  }
}

function parseResponse(raw: Uint8Array): RawResponse {
  const text = new TextDecoder().decode(raw);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) throw new Error(`no HTTP response (${raw.byteLength} bytes)`);
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = new Map<string, string>();
  for (const l of lines) {
    const c = l.indexOf(":");
    headers.set(l.slice(0, c).trim().toLowerCase(), l.slice(c + 1).trim());
  }
  let body = text.slice(end + 4);
  if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") body = dechunk(body);
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

/**
 * POST `length` bytes from `body` to `url` (http only) with `Content-Length`,
 * on a fresh connection (`Connection: close`); resolves with the response.
 */
export async function rawPost(
  url: string,
  headers: Record<string, string>,
  body: ReadableStream<Uint8Array>,
  length: number,
): Promise<RawResponse> {
  const u = new URL(url);
  if (u.protocol !== "http:") throw new Error(`rawPost: http only, got ${u.protocol}`);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port || 80) });
  try {
    let head = `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
      `Content-Length: ${length}\r\nConnection: close\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    await writeAll(conn, new TextEncoder().encode(head + "\r\n"));
    let sent = 0;
    try {
      for await (const chunk of body) {
        await writeAll(conn, chunk);
        sent += chunk.byteLength;
      }
    } catch (e) {
      // The server may answer (e.g. 4xx) and close before taking the whole body.
      const res = parseResponse(await readAll(conn));
      if (res.status >= 400) return res;
      throw e;
    }
    if (sent !== length) throw new Error(`rawPost: body had ${sent} bytes, declared ${length}`);
    return parseResponse(await readAll(conn));
  } finally {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
}
