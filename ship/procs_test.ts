import assert from "node:assert/strict";
import type { Channel } from "./channel.ts";
import { ShipError } from "./errors.ts";
import { ShipRuntime } from "./handlers.ts";
import type { Call, Event, ProcessInfo } from "./protocol.ts";
import { ProcessManager, type ProcessManagerOptions } from "./procs.ts";
import { DEFAULT_PATH } from "./shell.ts";

const MiB = 1024 * 1024;
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
/** HOME without dot-files, so `bash -l` of the test machine's root stays quiet. */
const QUIET = { HOME: "/nonexistent" };

function manager(extra: Partial<ProcessManagerOptions> = {}): ProcessManager {
  return new ProcessManager({ baseEnv: QUIET, workspace: "/tmp", ...extra });
}

/** Wait until the process has ended (follow from far past its output). */
function ended(pm: ProcessManager, id: string) {
  return pm.follow(id, Number.MAX_SAFE_INTEGER, () => {});
}

async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Whether `pid` is gone (or a zombie waiting to be reaped). */
async function gone(pid: number): Promise<boolean> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  return stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

function code(e: unknown): string | undefined {
  return e instanceof ShipError ? e.code : undefined;
}

Deno.test("procs: logs read in pieces have no gap or duplicate; exit code", async () => {
  const pm = manager();
  try {
    const info = pm.start({
      command: "for i in 1 2 3; do echo $i; sleep 0.2; done; echo err >&2; exit 4",
      cwd: "/tmp",
    });
    assert.match(info.process_id, /^proc-[0-9a-f]{12}$/);
    assert.equal(info.status, "running");
    assert.equal(info.exit_code, null);
    assert.equal(info.ended_at, null);
    assert.match(info.started_at, ISO_Z);
    assert.ok(info.pid > 0);
    let stdout = "", stderr = "", offset = 0, status = "running";
    while (status === "running") {
      const l = pm.logs(info.process_id, offset);
      stdout += l.stdout;
      stderr += l.stderr;
      assert.ok(l.next_offset >= offset);
      offset = l.next_offset;
      status = l.status;
      await new Promise((r) => setTimeout(r, 70));
    }
    const last = pm.logs(info.process_id, offset);
    stdout += last.stdout;
    stderr += last.stderr;
    assert.equal(stdout, "1\n2\n3\n");
    assert.equal(stderr, "err\n");
    assert.equal(last.next_offset, 10);
    const got = pm.get(info.process_id);
    assert.equal(got.status, "exited");
    assert.equal(got.exit_code, 4);
    assert.match(got.ended_at ?? "", ISO_Z);
    assert.deepEqual(pm.list(), [got]);
    assert.deepEqual(pm.logs(info.process_id, 0), {
      stdout: "1\n2\n3\n",
      stderr: "err\n",
      next_offset: 10,
      status: "exited",
    });
    assert.equal(pm.logs(info.process_id, 2).stdout, "2\n3\n");
    assert.equal(pm.runningCount(), 0);
    assert.equal(
      code(await Promise.resolve().then(() => pm.get("proc-000000000000")).catch((e) => e)),
      "not_found",
    );
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: follow resumes from the last offset after a reconnect", async () => {
  const pm = manager();
  try {
    const { process_id: id } = pm.start({
      command: "for i in $(seq 1 12); do echo out$i; echo err$i >&2; sleep 0.03; done; echo é€😀",
    });
    const seen = { stdout: "", stderr: "" };
    let offset = 0, events = 0;
    const onChunk = (stream: "stdout" | "stderr", text: string, after: number) => {
      assert.ok(after > offset, "offsets increase");
      seen[stream] += text;
      offset = after;
      events++;
    };
    const ctrl = new AbortController();
    const first = await pm.follow(id, 0, (s, t, o) => {
      onChunk(s, t, o);
      if (events === 5) ctrl.abort();
    }, ctrl.signal);
    assert.deepEqual(first, { exit_code: null });
    assert.equal(events, 5);
    await new Promise((r) => setTimeout(r, 100)); // output piles up while disconnected
    const second = await pm.follow(id, offset, onChunk);
    assert.deepEqual(second, { exit_code: 0 });
    const out = Array.from({ length: 12 }, (_, i) => `out${i + 1}\n`).join("") + "é€😀\n";
    const err = Array.from({ length: 12 }, (_, i) => `err${i + 1}\n`).join("");
    assert.equal(seen.stdout, out);
    assert.equal(seen.stderr, err);
    const bytes = new TextEncoder().encode(out + err).byteLength;
    assert.equal(offset, bytes);
    assert.equal(pm.logs(id, 0).next_offset, bytes);
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: the ring keeps at least the last MiB of each stream", async () => {
  const pm = manager();
  try {
    const five = 5 * MiB;
    const { process_id: id } = pm.start({
      command: `echo early >&2; head -c ${five} /dev/zero | tr '\\0' a; ` +
        `head -c ${five} /dev/zero | tr '\\0' b >&2; printf 'z%.0s' $(seq 1 10)`,
    });
    assert.deepEqual(await ended(pm, id), { exit_code: 0 });
    const l = pm.logs(id, 0);
    const total = 6 + 2 * five + 10;
    assert.equal(l.next_offset, total);
    assert.ok(l.stdout.length >= MiB && l.stdout.length <= MiB + 128 * 1024, `${l.stdout.length}`);
    assert.ok(l.stderr.length >= MiB && l.stderr.length <= MiB + 128 * 1024, `${l.stderr.length}`);
    assert.match(l.stdout, /^a+z{10}$/);
    assert.match(l.stderr, /^b+$/); // "early" was dropped with the oldest stderr bytes
    // Offsets stay absolute: the tail is exactly the last bytes.
    assert.deepEqual(pm.logs(id, total - 12), {
      stdout: "zzzzzzzzzz",
      stderr: "bb",
      next_offset: total,
      status: "exited",
    });
    // A follower from the start gets the retained data, in order, then the exit code.
    let text = "", last = 0;
    const r = await pm.follow(id, 0, (_s, t, o) => {
      assert.ok(o > last);
      last = o;
      text += t;
    });
    assert.deepEqual(r, { exit_code: 0 });
    assert.equal(last, total);
    assert.equal(text.length, l.stdout.length + l.stderr.length);
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: each stream keeps its own budget", async () => {
  const pm = manager({ maxBufferBytes: 1000 });
  try {
    const { process_id: id } = pm.start({
      command: "echo early >&2; head -c 100000 /dev/zero | tr '\\0' a",
    });
    await ended(pm, id);
    const l = pm.logs(id, 0);
    assert.equal(l.stderr, "early\n"); // not pushed out by stdout
    assert.ok(l.stdout.length >= 1000 && l.stdout.length < 100000);
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: stdin reaches the process; conflict once it exited", async () => {
  const pm = manager();
  try {
    const { process_id: id } = pm.start({ command: "cat" });
    await pm.stdin(id, "hello ünïcode\n");
    await eventually(() => pm.logs(id, 0).stdout === "hello ünïcode\n");
    pm.kill(id, "SIGTERM");
    await ended(pm, id);
    assert.equal(code(await pm.stdin(id, "late\n").catch((e) => e)), "conflict");
    assert.equal(code(await pm.stdin("proc-000000000000", "x").catch((e) => e)), "not_found");
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: kill signals the whole group and marks it killed", async () => {
  const pm = manager();
  try {
    const { process_id: id } = pm.start({ command: "sleep 1000 & echo $!; wait" });
    await eventually(() => pm.logs(id, 0).stdout.endsWith("\n"));
    const child = Number(pm.logs(id, 0).stdout.trim());
    assert.equal(await gone(child), false);
    assert.throws(() => pm.kill(id, "SIGBOGUS"), (e) => code(e) === "validation_error");
    assert.throws(() => pm.kill("proc-000000000000", "SIGTERM"), (e) => code(e) === "not_found");
    const after = pm.kill(id, "SIGTERM");
    assert.equal(after.process_id, id);
    assert.deepEqual(await ended(pm, id), { exit_code: 143 });
    const info = pm.get(id);
    assert.equal(info.status, "killed");
    assert.equal(info.exit_code, 143);
    await eventually(() => gone(child));
    // Killing a finished process changes nothing.
    assert.deepEqual(pm.kill(id, "KILL"), info);
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: clean environment, profile then request env", async () => {
  const pm = manager({ baseEnv: { ...QUIET, A: "base", B: "base" } });
  Deno.env.set("SHIP_TEST_SECRET", "leak");
  try {
    const { process_id: id } = pm.start({
      command: 'echo "${SHIP_TEST_SECRET-unset} $A $B $PATH"; pwd',
      env: { B: "request" },
      cwd: "/usr",
    });
    await ended(pm, id);
    assert.equal(pm.logs(id, 0).stdout, `unset base request ${DEFAULT_PATH}\n/usr\n`);
  } finally {
    Deno.env.delete("SHIP_TEST_SECRET");
    await pm.closeAll();
  }
});

Deno.test("procs: wrap drops privileges to the sandbox user", async () => {
  const pm = manager({
    wrap: ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--no-new-privs", "--"],
  });
  try {
    const { process_id: id } = pm.start({ command: "id -u; id -g; id -G; sleep 1000" });
    await eventually(() => pm.logs(id, 0).stdout.split("\n").length > 3);
    assert.equal(pm.logs(id, 0).stdout, "1000\n1000\n1000\n");
    pm.kill(id, "SIGKILL"); // root may signal the user's group
    assert.deepEqual(await ended(pm, id), { exit_code: 137 });
    assert.equal(pm.get(id).status, "killed");
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: closeAll kills every running group; finished ones are bounded", async () => {
  const pm = manager();
  try {
    const a = pm.start({ command: "sleep 1000" });
    const b = pm.start({ command: "sleep 1000 & wait" });
    assert.equal(pm.runningCount(), 2);
    await pm.closeAll();
    assert.equal(pm.runningCount(), 0);
    assert.equal(pm.get(a.process_id).status, "killed");
    assert.equal(pm.get(b.process_id).status, "killed");
    const more = [];
    for (let i = 0; i < 100; i++) more.push(pm.start({ command: "true" }).process_id);
    await Promise.all(more.map((id) => ended(pm, id)));
    assert.equal(pm.list().length, 100);
    assert.throws(() => pm.get(a.process_id), (e) => code(e) === "not_found");
  } finally {
    await pm.closeAll();
  }
});

Deno.test("procs: calls through ShipRuntime.dispatch", async () => {
  const workspace = await Deno.realPath(await Deno.makeTempDir());
  await Deno.mkdir(`${workspace}/sub`);
  const runtime = new ShipRuntime({ workspace, runtimeDir: `${workspace}/.rt` });
  const events: Event[] = [];
  const io = { onEvent: (ev: Event) => events.push(ev), signal: new AbortController().signal };
  const call = (c: Call) => runtime.dispatch(c, { ...io, channel: null as unknown as Channel });
  try {
    const bad = await call({ op: "proc_start", command: "true", cwd: "../etc" }).catch((e) => e);
    assert.equal(code(bad), "invalid_path");
    const info = await call({
      op: "proc_start",
      command: "pwd; echo $HOME; echo oops >&2; exit 2",
      cwd: "sub",
    }) as ProcessInfo;
    const done = await call({
      op: "proc_logs",
      process_id: info.process_id,
      offset: 0,
      follow: true,
    });
    assert.deepEqual(done, { exit_code: 2 });
    const out = `${workspace}/sub\n${workspace}\n`;
    assert.deepEqual(
      events.filter((e) => e.kind === "proc_output" && e.stream === "stdout").map((e) =>
        e.kind === "proc_output" ? e.text : ""
      ).join(""),
      out,
    );
    let last = 0;
    for (const e of events) {
      assert.ok(e.kind === "proc_output" && e.offset > last);
      last = e.kind === "proc_output" ? e.offset : last;
    }
    const logs = await call({
      op: "proc_logs",
      process_id: info.process_id,
      offset: 0,
      follow: false,
    });
    assert.deepEqual(logs, {
      stdout: out,
      stderr: "oops\n",
      next_offset: new TextEncoder().encode(out).byteLength + 5,
      status: "exited",
    });
    const listed = await call({ op: "proc_list" }) as { items: ProcessInfo[] };
    assert.deepEqual(listed.items, [await call({ op: "proc_get", process_id: info.process_id })]);
    const cat = await call({ op: "proc_start", command: "cat" }) as ProcessInfo;
    assert.deepEqual(await call({ op: "proc_stdin", process_id: cat.process_id, data: "x" }), {
      status: "ok",
    });
    const killed = await call({ op: "proc_kill", process_id: cat.process_id, signal: "SIGTERM" });
    assert.equal((killed as ProcessInfo).process_id, cat.process_id);
  } finally {
    await runtime.close();
    await Deno.remove(workspace, { recursive: true });
  }
});
