/**
 * The terminal WebSocket through a real Bay (API §3.6): a browser-style
 * single-use ticket, a login shell as the sandbox user, typed input echoed
 * and run, resize, exit.
 *
 * @module
 */
import assert from "node:assert/strict";
import { API_KEY, eventually, withBay } from "./_bay.ts";

/** Collects a terminal's output; `until` waits for a pattern in it. */
class Screen {
  text = "";
  exit: number | null = null;
  #decoder = new TextDecoder();

  constructor(readonly ws: WebSocket) {
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (ev) => {
      if (typeof ev.data === "string") {
        const msg = JSON.parse(ev.data);
        if (msg.type === "exit") this.exit = msg.exit_code;
      } else this.text += this.#decoder.decode(ev.data, { stream: true });
    });
  }

  async until(re: RegExp, what: () => boolean = () => re.test(this.text)): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`no ${re} in ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  type(s: string): void {
    this.ws.send(new TextEncoder().encode(s));
  }
}

Deno.test("e2e terminal: ticket, login shell as the sandbox user, resize, exit", async () => {
  await withBay({}, async (bay) => {
    const sb = await bay.createSandbox();
    try {
      const t = await bay.api("POST", `/v1/sandboxes/${sb.id}/terminal/tickets`);
      assert.equal(t.status, 200);
      const url = `${bay.url.replace(/^http/, "ws")}/v1/sandboxes/${sb.id}/terminal`;
      const ws = new WebSocket(`${url}?cols=100&rows=30&ticket=${t.body.ticket}`);
      const screen = new Screen(ws);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error("terminal WebSocket failed"));
      });
      await screen.until(/\$ $/);
      screen.type("echo hi-$((6 * 7)); id -u; pwd\r");
      await screen.until(/hi-42\r\n1000\r\n\/workspace\r\n/);
      ws.send(JSON.stringify({ type: "resize", cols: 120, rows: 40 }));
      await new Promise((r) => setTimeout(r, 200));
      screen.type("stty size\r");
      await screen.until(/40 120\r\n/);
      screen.type("exit 7\r");
      await screen.until(/exit/, () => screen.exit !== null);
      assert.equal(screen.exit, 7);
      await new Promise((r) => ws.readyState === WebSocket.CLOSED ? r(null) : (ws.onclose = r));

      // The ticket was single-use.
      const again = new WebSocket(`${url}?ticket=${t.body.ticket}`);
      const refused = await new Promise<boolean>((r) => {
        again.onopen = () => (again.close(), r(false));
        again.onerror = () => r(true);
      });
      assert.ok(refused, "a used ticket opened a terminal");
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});

/** Open a terminal WebSocket; resolves once open (rejects when refused). */
function openTerminal(url: string, init?: { headers: Record<string, string> }): Promise<Screen> {
  // Deno's WebSocket takes `{ headers }` as its second argument.
  const ws = init ? new WebSocket(url, init as unknown as string[]) : new WebSocket(url);
  const screen = new Screen(ws);
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(screen);
    ws.onerror = () => reject(new Error("terminal WebSocket refused"));
    ws.onclose = () => reject(new Error("terminal WebSocket closed before opening"));
  });
}

/** True when the WebSocket at `url` fails or closes without ever opening. */
function refused(url: string): Promise<boolean> {
  const ws = new WebSocket(url);
  return new Promise<boolean>((r) => {
    ws.onopen = () => (ws.close(), r(false));
    ws.onerror = () => r(true);
    ws.onclose = () => r(true);
  });
}

/** The HTTP status of a raw WebSocket upgrade request (no Authorization header). */
async function upgradeStatus(base: string, path: string): Promise<number> {
  const u = new URL(base);
  const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port) });
  try {
    const req = `GET ${path} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\n` +
      `Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n` +
      `Sec-WebSocket-Version: 13\r\n\r\n`;
    await conn.write(new TextEncoder().encode(req));
    const buf = new Uint8Array(512);
    const n = await conn.read(buf);
    const head = new TextDecoder().decode(buf.subarray(0, n ?? 0));
    return Number(head.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

function waitClosed(ws: WebSocket): Promise<void> {
  return new Promise((r) =>
    ws.readyState === WebSocket.CLOSED ? r() : ws.addEventListener("close", () => r())
  );
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

Deno.test("e2e terminal: header auth, resize, tickets, several at once, close kills, echo latency", async (t) => {
  await withBay({}, async (bay) => {
    const sb = await bay.createSandbox();
    const base = `/v1/sandboxes/${sb.id}/terminal`;
    const wsUrl = `${bay.url.replace(/^http/, "ws")}${base}`;
    const auth = { headers: { Authorization: `Bearer ${API_KEY}` } };
    try {
      await bay.step(t, "Bearer header, resize frame, stty/tput, exit code frame", async () => {
        const s = await openTerminal(`${wsUrl}?cols=80&rows=24`, auth);
        await s.until(/\$ $/);
        s.type("stty size\r");
        await s.until(/24 80\r\n/);
        s.ws.send(JSON.stringify({ type: "resize", cols: 100, rows: 40 }));
        await new Promise((r) => setTimeout(r, 200));
        s.type("stty size\r");
        await s.until(/40 100\r\n/);
        s.type("tput cols\r");
        await s.until(/[\r\n]100\r\n/);
        s.type("exit 3\r");
        await s.until(/exit/, () => s.exit !== null);
        assert.equal(s.exit, 3);
        await waitClosed(s.ws);
      });

      await bay.step(t, "a ticket works once; reused or unknown tickets are refused", async () => {
        const tk = await bay.api("POST", `${base}/tickets`);
        assert.equal(tk.status, 200);
        assert.ok(tk.body.expires_in > 0);
        const s = await openTerminal(`${wsUrl}?ticket=${tk.body.ticket}`);
        await s.until(/\$ $/);
        s.ws.close();
        await waitClosed(s.ws);
        assert.ok(await refused(`${wsUrl}?ticket=${tk.body.ticket}`), "reused ticket opened");
        assert.ok(await refused(`${wsUrl}?ticket=nope-${crypto.randomUUID()}`), "unknown ticket");
        assert.equal(await upgradeStatus(bay.url, `${base}?ticket=${tk.body.ticket}`), 401);
        assert.equal(await upgradeStatus(bay.url, `${base}?ticket=bogus`), 401);
        // A ticket is bound to its sandbox.
        const other = await bay.createSandbox();
        try {
          const tk2 = await bay.api("POST", `${base}/tickets`);
          const path2 = `/v1/sandboxes/${other.id}/terminal?ticket=${tk2.body.ticket}`;
          assert.equal(await upgradeStatus(bay.url, path2), 401);
        } finally {
          await bay.deleteSandbox(other.id);
        }
      });

      await bay.step(t, "several terminals at once; closing a socket kills its shell", async () => {
        const screens = await Promise.all(
          [0, 1, 2].map(() => openTerminal(`${wsUrl}?cols=80&rows=24`, auth)),
        );
        const pids: number[] = [];
        for (const [i, s] of screens.entries()) {
          await s.until(/\$ $/);
          s.type(`echo term-${i}-pid=$$\r`);
          await s.until(new RegExp(`[\\r\\n]term-${i}-pid=(\\d+)\\r\\n`));
          pids.push(Number(s.text.match(new RegExp(`[\\r\\n]term-${i}-pid=(\\d+)\\r\\n`))![1]));
        }
        assert.equal(new Set(pids).size, 3, `shell pids ${pids}`);
        const alive = async (pid: number) =>
          (await bay.sh(sb.id, `test -d /proc/${pid} && echo alive || echo gone`)).output.trim();
        // Shells in the terminals are visible to a sandbox exec (same sandbox).
        for (const pid of pids) assert.equal(await alive(pid), "alive");
        screens[0].ws.close();
        await eventually(
          "the closed terminal's shell to go",
          async () => await alive(pids[0]) === "gone",
        );
        for (const pid of pids.slice(1)) assert.equal(await alive(pid), "alive");
        for (const s of screens.slice(1)) s.ws.close();
        for (const pid of pids.slice(1)) {
          await eventually(`shell ${pid} to go`, async () => await alive(pid) === "gone");
        }
      });

      await bay.step(t, "keystroke echo latency", async () => {
        const s = await openTerminal(`${wsUrl}?cols=200&rows=50`, auth);
        await s.until(/\$ $/);
        const n = Number(Deno.env.get("TERMINAL_LATENCY_N") ?? 100);
        const samples: number[] = [];
        for (let i = 0; i < n; i++) {
          const before = s.text.length;
          const t0 = performance.now();
          s.type("x");
          while (!s.text.slice(before).includes("x")) {
            await new Promise((r) => setTimeout(r, 0));
            if (performance.now() - t0 > 5000) throw new Error(`no echo of keystroke ${i}`);
          }
          samples.push(performance.now() - t0);
        }
        s.ws.close();
        await waitClosed(s.ws);
        const sorted = [...samples].sort((a, b) => a - b);
        const result = {
          driver: bay.driver,
          samples: n,
          median_ms: Number(quantile(sorted, 0.5).toFixed(3)),
          p90_ms: Number(quantile(sorted, 0.9).toFixed(3)),
          min_ms: Number(sorted[0].toFixed(3)),
          max_ms: Number(sorted.at(-1)!.toFixed(3)),
          measured_at: new Date().toISOString(),
        };
        const dir = new URL("../.results/", import.meta.url);
        await Deno.mkdir(dir, { recursive: true });
        await Deno.writeTextFile(
          new URL(
            bay.driver === "local"
              ? "terminal_latency.json"
              : `terminal_latency.${bay.driver}.json`,
            dir,
          ),
          JSON.stringify(result, null, 2) + "\n",
        );
        console.log(
          `terminal echo latency (${bay.driver}, n=${n}): median ${result.median_ms} ms, p90 ${result.p90_ms} ms`,
        );
      });
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});
