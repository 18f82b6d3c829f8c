/**
 * The transfer baseline: a tiny HTTP server in the bench process that stores
 * a raw request body in a file (fdatasync'd, like the ship's uploads) and
 * streams a file back, over plain loopback HTTP without Bay.
 *
 * @module
 */
import { join } from "node:path";
import { rawPost } from "./_raw_post.ts";

/** The running baseline server. */
export interface Loopback {
  url: string;
  /** Upload the raw `body` (`size` bytes) as file `name`; returns the stored size. */
  upload(name: string, body: ReadableStream<Uint8Array>, size: number): Promise<number>;
  /** Download file `name`: the response, body unread. */
  download(name: string): Promise<Response>;
  close(): Promise<void>;
}

function fileOf(dir: string, url: URL): string {
  const name = url.searchParams.get("name") ?? "";
  if (!/^[\w.-]+$/.test(name)) throw new Error("bad name");
  return join(dir, name);
}

async function handle(dir: string, req: Request): Promise<Response> {
  const url = new URL(req.url);
  if (req.method === "POST" && url.pathname === "/upload" && req.body) {
    const file = await Deno.open(fileOf(dir, url), { write: true, create: true, truncate: true });
    try {
      await req.body.pipeTo(file.writable, { preventClose: true });
      await file.syncData();
      return Response.json({ size: (await file.stat()).size });
    } finally {
      file.close();
    }
  }
  if (req.method === "GET" && url.pathname === "/download") {
    const file = await Deno.open(fileOf(dir, url), { read: true });
    const size = (await file.stat()).size;
    return new Response(file.readable, {
      headers: { "Content-Type": "application/octet-stream", "Content-Length": String(size) },
    });
  }
  return new Response("not found", { status: 404 });
}

/** Serve files of `dir` on a free loopback port. */
export async function startLoopback(dir: string): Promise<Loopback> {
  await Deno.mkdir(dir, { recursive: true });
  const ready = Promise.withResolvers<number>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: (a) => ready.resolve(a.port),
  }, (req) => handle(dir, req).catch((e) => new Response(String(e), { status: 500 })));
  const url = `http://127.0.0.1:${await ready.promise}`;
  return {
    url,
    async upload(name, body, size) {
      const res = await rawPost(
        `${url}/upload?name=${name}`,
        { "Content-Type": "application/octet-stream" },
        body,
        size,
      );
      if (res.status !== 200) throw new Error(`loopback upload → ${res.status}: ${res.body}`);
      return JSON.parse(res.body).size;
    },
    async download(name) {
      const res = await fetch(`${url}/download?name=${name}`);
      if (!res.ok) throw new Error(`loopback download → ${res.status}: ${await res.text()}`);
      return res;
    },
    close: () => server.shutdown(),
  };
}
