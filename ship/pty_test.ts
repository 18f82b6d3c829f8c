import assert from "node:assert/strict";
import { Channel } from "./channel.ts";
import { ShipError } from "./errors.ts";
import { ShipRuntime } from "./handlers.ts";
import { createSocketPair } from "./memory_socket.ts";
import { openPty, type Pty, type PtyOptions } from "./pty.ts";

const PYTHON = "/usr/bin/python3";
const SETPRIV = [
  "setpriv",
  "--reuid=1000",
  "--regid=1000",
  "--clear-groups",
  "--no-new-privs",
  "--",
];
const enc = new TextEncoder();

/** Collects a terminal's output and waits for patterns in it. */
class Screen {
  text = "";
  readonly done: Promise<void>;

  constructor(output: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    this.done = (async () => {
      for await (const chunk of output) this.text += decoder.decode(chunk, { stream: true });
    })();
    this.done.catch(() => {}); // a test that fails early may never await it
  }

  /** Wait until the output matches `re`; returns the match. */
  async waitFor(re: RegExp, ms = 5000): Promise<RegExpMatchArray> {
    const end = Date.now() + ms;
    for (;;) {
      const m = this.text.match(re);
      if (m) return m;
      if (Date.now() > end) throw new Error(`no ${re} in ${JSON.stringify(this.text)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A prompt at the end of the output: the shell waits for input. */
const PROMPT = /[$#] $/;

async function withPty(
  extra: Partial<PtyOptions>,
  body: (pty: Pty, screen: Screen, workspace: string) => Promise<void>,
): Promise<void> {
  const workspace = await Deno.realPath(await Deno.makeTempDir());
  await Deno.chown(workspace, 1000, 1000);
  const pty = openPty({ cols: 90, rows: 20, workspace, python: PYTHON, ...extra });
  const screen = new Screen(pty.output);
  try {
    await screen.waitFor(PROMPT);
    await body(pty, screen, workspace);
  } finally {
    pty.close();
    await pty.exit.catch(() => {});
    await screen.done.catch(() => {});
    await Deno.remove(workspace, { recursive: true });
  }
}

/** Pids of the processes in session `sid`. */
async function sessionMembers(sid: number): Promise<number[]> {
  const pids: number[] = [];
  for await (const e of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    const stat = await Deno.readTextFile(`/proc/${e.name}/stat`).catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[3] === String(sid) && fields[0] !== "Z") pids.push(Number(e.name));
  }
  return pids;
}

Deno.test("pty: window size, resize and TERM", async () => {
  await withPty({}, async (pty, screen) => {
    await pty.write(enc.encode("stty size; tput cols\r"));
    await screen.waitFor(/\r20 90\r\n90\r\n/);
    pty.resize(100, 30);
    await pty.write(enc.encode("stty size; echo $TERM\r"));
    await screen.waitFor(/\r30 100\r\nxterm-256color\r\n/);
  });
});

Deno.test("pty: typed input is echoed and run; exit code is the shell's", async () => {
  await withPty({}, async (pty, screen) => {
    await pty.write(enc.encode("echo hi\r"));
    await screen.waitFor(/echo hi\r\n(?:.\[\?2004l\r)?hi\r\n/);
    await pty.write(enc.encode("exit 3\r"));
    assert.equal(await pty.exit, 3);
    await screen.done;
  });
});

Deno.test("pty: runs as the sandbox user in the workspace with a clean env", async () => {
  Deno.env.set("SHIP_TEST_SECRET", "leak");
  try {
    await withPty({ wrap: SETPRIV, baseEnv: { FOO: "bar" } }, async (pty, screen, ws) => {
      await pty.write(
        enc.encode('echo "U=$(id -u) H=$HOME P=$PWD F=$FOO S=${SHIP_TEST_SECRET-unset}"\r'),
      );
      await screen.waitFor(new RegExp(`\rU=1000 H=${ws} P=${ws} F=bar S=unset\r\n`));
    });
  } finally {
    Deno.env.delete("SHIP_TEST_SECRET");
  }
});

Deno.test("pty: close hangs up the shell and its foreground job", async () => {
  await withPty({ wrap: SETPRIV }, async (pty, screen) => {
    await pty.write(enc.encode("echo PID:$$; sleep 1000\r"));
    const shell = Number((await screen.waitFor(/PID:(\d+)/))[1]);
    for (let i = 0; (await sessionMembers(shell)).length < 2; i++) {
      assert.ok(i < 200, "sleep did not start");
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    pty.close();
    assert.equal(await pty.exit, 129); // SIGHUP
    assert.ok(Date.now() - t0 < 900, "ended by the hangup, not by the kill");
    await screen.done;
    assert.deepEqual(await sessionMembers(shell), []);
  });
});

Deno.test("pty: close kills a shell that ignores the hangup", async () => {
  await withPty({}, async (pty, screen) => {
    // Ignores SIGHUP and does not read the terminal (where it would see the hangup).
    await pty.write(enc.encode("trap '' HUP; echo PID:$$; while :; do sleep 0.1; done\r"));
    const shell = Number((await screen.waitFor(/PID:(\d+)/))[1]);
    pty.close();
    assert.equal(await pty.exit, 128 + 9);
    await screen.done;
    for (let i = 0; (await sessionMembers(shell)).length > 0; i++) {
      assert.ok(i < 100, "shell survived");
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});

Deno.test("pty: hanging up a terminal never signals the ship", async () => {
  let hups = 0;
  const onHup = () => hups++;
  Deno.addSignalListener("SIGHUP", onHup);
  try {
    for (let i = 0; i < 8; i++) {
      // The shell ends while its output is no longer read (as when Bay cancels).
      const pty = openPty({ cols: 80, rows: 24, workspace: "/tmp", python: PYTHON });
      const reader = pty.output.getReader();
      const first = await reader.read();
      assert.ok(!first.done);
      if (i % 2) await pty.write(enc.encode("exit\r"));
      pty.close();
      await reader.cancel();
      assert.notEqual(await pty.exit, 137, "ended by the hangup, not by the kill");
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(hups, 0);
  } finally {
    Deno.removeSignalListener("SIGHUP", onHup);
  }
});

Deno.test("pty: a helper that cannot start reports ship_error", async () => {
  const pty = openPty({ cols: 80, rows: 24, workspace: "/tmp", python: PYTHON, wrap: ["false"] });
  const drained = new Response(pty.output).arrayBuffer();
  const err = await pty.exit.catch((e) => e);
  assert.ok(err instanceof ShipError && err.code === "ship_error", String(err));
  await drained;
  pty.close();
});

Deno.test("pty: pty_open / pty_resize / cancel through ShipRuntime.dispatch", async () => {
  const workspace = await Deno.realPath(await Deno.makeTempDir());
  const runtime = new ShipRuntime({ workspace, runtimeDir: `${workspace}/.rt`, python: PYTHON });
  const [sa, sb] = createSocketPair();
  const opts = { heartbeatMs: 60_000, timeoutMs: 120_000, onFrame: () => {}, onClose: () => {} };
  const bay = new Channel(sa, opts);
  const ship = new Channel(sb, opts);
  const io = (signal: AbortSignal, requestId: string) => ({
    onEvent: () => {},
    signal,
    channel: ship,
    requestId,
  });
  const open = (id: string, out: number, inp: number, signal: AbortSignal) => {
    const screen = new Screen(bay.openReceiver(out).stream);
    const keys = bay.openSender(inp);
    const result = runtime.dispatch(
      { op: "pty_open", cols: 80, rows: 24, out_stream_id: out, in_stream_id: inp },
      io(signal, id),
    );
    return { screen, keys, result };
  };
  try {
    const never = new AbortController().signal;
    const a = open("r1", 1, 2, never);
    await a.screen.waitFor(PROMPT);
    assert.deepEqual(
      await runtime.dispatch(
        { op: "pty_resize", pty_id: "r1", cols: 120, rows: 40 },
        io(never, "r2"),
      ),
      { status: "ok" },
    );
    await a.keys.write(enc.encode("stty size\r"));
    await a.screen.waitFor(/\r40 120\r\n/);
    await a.keys.write(enc.encode("exit 5\r"));
    assert.deepEqual(await a.result, { exit_code: 5 });
    await a.screen.done; // the output stream was ended
    const gone = await runtime
      .dispatch({ op: "pty_resize", pty_id: "r1", cols: 80, rows: 24 }, io(never, "r3"))
      .catch((e) => e);
    assert.equal((gone as ShipError).code, "not_found");

    const ctrl = new AbortController();
    const b = open("r4", 3, 4, ctrl.signal);
    await b.screen.waitFor(PROMPT);
    ctrl.abort(); // Bay cancelled: the terminal WebSocket closed
    assert.deepEqual(await b.result, { exit_code: 129 });
    await b.screen.done.catch(() => {});
  } finally {
    await runtime.close();
    bay.close("done");
    ship.close("done");
    await Deno.remove(workspace, { recursive: true });
  }
});
