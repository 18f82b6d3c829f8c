import assert from "node:assert/strict";
import type { Event } from "./protocol.ts";
import { ShipError } from "./errors.ts";
import { runShell, type ShellOptions } from "./shell.ts";

const MiB = 1024 * 1024;

/** HOME without dot-files, so `bash -l` of the test machine's root stays quiet. */
const QUIET = { HOME: "/nonexistent" };

function run(command: string, extra: Partial<ShellOptions> = {}) {
  return runShell({ command, cwd: "/tmp", timeoutMs: 10_000, baseEnv: QUIET, ...extra });
}

/** Whether `pid` is gone (no such process, or a zombie waiting for init to reap it). */
async function gone(pid: number): Promise<boolean> {
  const alive = await new Deno.Command("kill", { args: ["-0", String(pid)], stderr: "null" })
    .output();
  if (!alive.success) return true;
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`).catch(() => "");
  return stat === "" || stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

async function eventually(check: () => Promise<boolean>, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return await check();
}

Deno.test("shell: stdout/stderr split and exit codes", async () => {
  const r = await run("echo out; echo err >&2; exit 3");
  assert.deepEqual(r, {
    exit_code: 3,
    stdout: "out\n",
    stderr: "err\n",
    timed_out: false,
    truncated: false,
  });
  assert.equal((await run("true")).exit_code, 0);
  assert.equal((await run("false")).exit_code, 1);
  assert.equal((await run("kill -TERM $$")).exit_code, 128 + 15);
  assert.equal((await run("no-such-command-xyz")).exit_code, 127);
});

Deno.test("shell: cwd, env layering and process-group leadership", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    const r = await runShell({
      command:
        'pwd; echo "$A $B $HOME"; [ "$(cut -d" " -f5 /proc/$$/stat)" = "$$" ] && echo leader',
      cwd: dir,
      timeoutMs: 10_000,
      baseEnv: { HOME: "/workspace", A: "base", B: "base" },
      env: { B: "request" },
    });
    assert.equal(r.stdout, `${dir}\nbase request /workspace\nleader\n`);
    const e = await run("true", { cwd: `${dir}/missing` }).catch((e) => e);
    assert.ok(e instanceof ShipError && e.code === "validation_error");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("shell: the ship's environment does not leak into commands", async () => {
  Deno.env.set("SHIP_TOKEN", "super-secret-token");
  try {
    const r = await run("env");
    assert.ok(!r.stdout.includes("super-secret-token"), r.stdout);
    assert.ok(!r.stdout.includes("SHIP_TOKEN"));
    assert.match(r.stdout, /^PATH=/m);
  } finally {
    Deno.env.delete("SHIP_TOKEN");
  }
});

Deno.test("shell: timeout kills the whole group and keeps prior output", async () => {
  const started = Date.now();
  const events: Event[] = [];
  const r = await run("echo before; sleep 100 & echo $!; echo warn >&2; wait", {
    timeoutMs: 700,
    onEvent: (ev) => events.push(ev),
  });
  assert.ok(Date.now() - started < 3000);
  assert.equal(r.exit_code, -1);
  assert.equal(r.timed_out, true);
  assert.equal(r.stderr, "warn\n");
  const [before, pid] = r.stdout.trim().split("\n");
  assert.equal(before, "before");
  assert.ok(await eventually(() => gone(Number(pid))), `child sleep ${pid} survived`);
  const streamed = events.filter((e) => e.kind === "stdout").map((e) => "text" in e ? e.text : "");
  assert.equal(streamed.join(""), r.stdout);
});

Deno.test("shell: abort signal kills the group", async () => {
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 300);
  const started = Date.now();
  const r = await run("echo hi; sleep 30", { signal: ctl.signal });
  assert.ok(Date.now() - started < 3000);
  assert.deepEqual([r.exit_code, r.timed_out, r.stdout], [-1, true, "hi\n"]);
});

Deno.test("shell: a background child holding the pipes does not hang the call", async () => {
  const started = Date.now();
  const r = await run("sleep 100 & echo $!");
  assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  assert.equal(r.exit_code, 0);
  assert.equal(r.timed_out, false);
  assert.ok(await eventually(() => gone(Number(r.stdout.trim()))), "background sleep survived");
});

Deno.test("shell: a child that left the group but holds the pipes cannot hang the call", async () => {
  const started = Date.now();
  const r = await run("setsid sleep 100 & echo $!");
  const pid = Number(r.stdout.trim());
  try {
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    assert.deepEqual([r.exit_code, r.timed_out], [0, false]);
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
});

Deno.test("shell: a detached background child with redirected output keeps running", async () => {
  const r = await run("sleep 100 >/dev/null 2>&1 & echo $!");
  const pid = Number(r.stdout.trim());
  try {
    assert.equal(r.exit_code, 0);
    assert.equal(await gone(pid), false);
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
});

Deno.test("shell: runaway output is truncated with bounded memory", async () => {
  const base = Deno.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 50);
  let streamedBytes = 0;
  try {
    const r = await run("echo start >&2; yes", {
      timeoutMs: 3000,
      maxOutputBytes: 64 * 1024,
      onEvent: (ev) => streamedBytes += ev.kind === "stdout" ? ev.text.length : 0,
    });
    assert.equal(r.timed_out, true);
    assert.equal(r.truncated, true);
    assert.equal(r.stderr, "start\n");
    const m = r.stdout.match(/\n\[output truncated: (\d+) bytes dropped\]$/);
    assert.ok(m, r.stdout.slice(-100));
    assert.ok(Number(m[1]) > 10 * MiB, `only ${m[1]} bytes were drained`);
    assert.equal(r.stdout.length, 64 * 1024 + m[0].length);
    assert.ok(r.stdout.startsWith("y\ny\n"));
    assert.equal(streamedBytes, r.stdout.length);
  } finally {
    clearInterval(sampler);
  }
  assert.ok(peak - base < 20 * MiB, `RSS grew by ${((peak - base) / MiB).toFixed(1)} MiB`);
});

Deno.test("shell: truncation never splits a UTF-8 character", async () => {
  // "é" is 2 bytes; a 5-byte cap falls in the middle of the third one.
  const r = await run("printf 'ééé'", { maxOutputBytes: 5 });
  assert.equal(r.stdout, "éé\n[output truncated: 2 bytes dropped]");
  // a multibyte character split across pipe reads decodes cleanly
  const s = await run("printf '\\xe2\\x82'; sleep 0.1; printf '\\xac'");
  assert.equal(s.stdout, "€");
});

Deno.test({
  name: "shell: wrap with setpriv runs as uid 1000 (root only)",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const r = await run("id -u; id -g; id -G; grep NoNewPrivs /proc/self/status", {
      wrap: ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--no-new-privs"],
    });
    assert.equal(r.exit_code, 0, r.stderr);
    assert.equal(r.stdout.replace(/\s+/g, " ").trim(), "1000 1000 1000 NoNewPrivs: 1");
    // and a timeout still kills the unprivileged group
    const t = await run("sleep 100 & echo $!; wait", {
      wrap: ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--no-new-privs"],
      timeoutMs: 500,
    });
    assert.equal(t.exit_code, -1);
    assert.ok(await eventually(() => gone(Number(t.stdout.trim()))));
  },
});
