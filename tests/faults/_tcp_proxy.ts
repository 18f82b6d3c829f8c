/**
 * A loopback TCP forwarder that can be cut and restored: Bay talks to
 * PostgreSQL through it, so a test can take the database away from one Bay
 * without touching the shared server.
 *
 * @module
 */

/** A cuttable TCP forwarder to `target`. */
export class TcpProxy {
  readonly port: number;
  #target: Deno.ConnectOptions;
  #listener: Deno.TcpListener | null = null;
  #conns = new Set<Deno.TcpConn>();

  private constructor(port: number, target: Deno.ConnectOptions) {
    this.port = port;
    this.#target = target;
  }

  /** Listen on a free loopback port, forwarding to `target`. */
  static start(target: Deno.ConnectOptions): TcpProxy {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (probe.addr as Deno.NetAddr).port;
    probe.close();
    const p = new TcpProxy(port, target);
    p.restore();
    return p;
  }

  /** Accept and forward again. */
  restore(): void {
    if (this.#listener) return;
    const l = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.#listener = l;
    (async () => {
      for await (const client of l) this.#forward(client);
    })().catch(() => {});
  }

  /** Drop every connection and refuse new ones until {@link restore}. */
  cut(): void {
    this.#listener?.close();
    this.#listener = null;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    this.#conns.clear();
  }

  async #forward(client: Deno.TcpConn): Promise<void> {
    let server: Deno.TcpConn;
    try {
      server = await Deno.connect(this.#target);
    } catch {
      client.close();
      return;
    }
    this.#conns.add(client);
    this.#conns.add(server);
    const pipe = (from: Deno.TcpConn, to: Deno.TcpConn) =>
      from.readable.pipeTo(to.writable).catch(() => {});
    await Promise.all([pipe(client, server), pipe(server, client)]);
    for (const c of [client, server]) {
      this.#conns.delete(c);
      try {
        c.close();
      } catch { /* already closed */ }
    }
  }
}
