import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import type { Event } from "../protocol.ts";
import { ShipError } from "../errors.ts";
import { Kernel, type KernelOptions } from "./kernel.ts";

/** Start a kernel in a fresh temp dir, run `fn`, always shut down and clean up. */
async function withKernel(
  fn: (k: Kernel, dir: string) => Promise<void>,
  opts: Partial<KernelOptions> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kernel_test_" });
  let k: Kernel | undefined;
  try {
    k = await Kernel.start({ cwd: dir, runtimeDir: `${dir}/.run`, ...opts });
    await fn(k, dir);
  } finally {
    await k?.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
}

const T = { timeoutMs: 30_000 };

Deno.test("state persists between calls and calls run in FIFO order", async () => {
  await withKernel(async (k) => {
    const r1 = await k.execute("x = 41\nimport os\ncwd = os.getcwd()", T);
    assert.equal(r1.success, true, r1.error ?? "");
    const all = await Promise.all([
      k.execute("x += 1", T),
      k.execute("x *= 2", T),
      k.execute("print(x)", T),
    ]);
    assert.equal(all[2].output, "84\n");
    assert.equal(typeof all[2].execution_count, "number");
    assert.ok(k.alive);
    assert.ok(k.pid > 0);
  });
});

Deno.test("stdout and stderr are captured separately, live and in output", async () => {
  await withKernel(async (k) => {
    const events: Event[] = [];
    const r = await k.execute(
      "import sys\nprint('to out')\nsys.stdout.flush()\nprint('to err', file=sys.stderr)",
      { ...T, onEvent: (ev) => events.push(ev) },
    );
    assert.equal(r.success, true);
    const text = (kind: string) =>
      events.filter((e) => e.kind === kind).map((e) => "text" in e ? e.text : "").join("");
    assert.equal(text("stdout"), "to out\n");
    assert.equal(text("stderr"), "to err\n");
    assert.match(r.output, /to out\n/);
    assert.match(r.output, /to err\n/);
    assert.equal(r.error, null);
  });
});

Deno.test("execute_result text/plain lands in output and outputs", async () => {
  await withKernel(async (k) => {
    const r = await k.execute("print('hi')\n1 + 1", T);
    assert.equal(r.success, true);
    assert.equal(r.output, "hi\n2");
    assert.deepEqual(r.outputs, [{ type: "execute_result", data: { "text/plain": "2" } }]);
    assert.deepEqual(r.images, []);
    assert.equal(r.timed_out, false);
    assert.equal(r.truncated, false);
  });
});

Deno.test("a matplotlib plot yields a PNG image", async () => {
  await withKernel(async (k) => {
    const displays: Event[] = [];
    const r = await k.execute(
      "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()",
      { ...T, onEvent: (ev) => ev.kind === "display" && displays.push(ev) },
    );
    assert.equal(r.success, true, r.error ?? "");
    assert.equal(r.images.length, 1);
    const png = Buffer.from(r.images[0], "base64");
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(r.outputs[0].type, "display_data");
    assert.equal(displays.length, 1);
  });
});

Deno.test("non-PNG MIME bundles are kept in outputs", async () => {
  await withKernel(async (k) => {
    const r = await k.execute(
      "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))",
      T,
    );
    assert.equal(r.success, true);
    assert.equal(r.outputs.length, 1);
    assert.equal(r.outputs[0].type, "display_data");
    assert.equal(r.outputs[0].data["text/html"], "<b>bold</b>");
    assert.match(r.output, /IPython\.core\.display\.HTML/);
  });
});

Deno.test("an exception gives an ANSI-free traceback and success=false", async () => {
  await withKernel(async (k) => {
    const r = await k.execute("print('before')\ndef f():\n    raise ValueError('boom')\nf()", T);
    assert.equal(r.success, false);
    assert.equal(r.timed_out, false);
    assert.match(r.error ?? "", /ValueError/);
    assert.match(r.error ?? "", /boom/);
    assert.ok(!(r.error ?? "").includes("\x1b"));
    assert.equal(r.output, "before\n");
    assert.equal((await k.execute("1", T)).success, true);
  });
});

Deno.test("a timeout interrupts the cell and keeps the state", async () => {
  await withKernel(async (k) => {
    await k.execute("before = 'kept'", T);
    const t0 = Date.now();
    const r = await k.execute("import time\nprint('start', flush=True)\ntime.sleep(100)", {
      timeoutMs: 1000,
    });
    const took = Date.now() - t0;
    assert.ok(took < 3000, `took ${took} ms`);
    assert.equal(r.success, false);
    assert.equal(r.timed_out, true);
    assert.equal(r.error, "Execution timed out after 1 seconds");
    assert.match(r.output, /start/);
    const after = await k.execute("before", T);
    assert.equal(after.output, "'kept'");
  });
});

Deno.test("an abort signal cancels the cell", async () => {
  await withKernel(async (k) => {
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), 500);
    const t0 = Date.now();
    const r = await k.execute("import time\ntime.sleep(100)", {
      timeoutMs: 60_000,
      signal: ac.signal,
    })
      .finally(() => clearTimeout(t));
    assert.ok(Date.now() - t0 < 2500);
    assert.equal(r.success, false);
    assert.match(r.error ?? "", /cancelled/);
    // already aborted: never runs
    const r2 = await k.execute("ran = True", { ...T, signal: ac.signal });
    assert.match(r2.error ?? "", /cancelled/);
    assert.match((await k.execute("'ran' in globals()", T)).output, /False/);
  });
});

Deno.test("runaway output is truncated with a marker and bounded", async () => {
  await withKernel(async (k) => {
    let streamed = 0;
    const r = await k.execute("while True:\n    print('y' * 1000)", {
      timeoutMs: 3000,
      onEvent: (ev) => {
        if (ev.kind === "stdout") streamed += ev.text.length;
      },
    });
    assert.equal(r.timed_out, true);
    assert.equal(r.truncated, true);
    assert.match(r.output, /\n\[output truncated: \d+ bytes dropped\]$/);
    assert.ok(r.output.length <= 64 * 1024 + 100, `output ${r.output.length}`);
    assert.ok(streamed <= 64 * 1024);
    assert.equal((await k.execute("2 + 2", T)).output, "4");
  }, { maxOutputBytes: 64 * 1024 });
});

Deno.test("an oversized iopub message is dropped without wedging iopub", async () => {
  await withKernel(async (k) => {
    const r = await k.execute(
      "from IPython.display import display\ndisplay({'text/plain': 'x' * 40_000_000}, raw=True)",
      T,
    );
    assert.equal(r.success, true);
    assert.equal(r.truncated, true);
    assert.match(r.output, /\[output truncated: kernel messages were lost/);
    assert.equal((await k.execute("print('still here')", T)).output, "still here\n");
  });
});

Deno.test("restart clears variables", async () => {
  await withKernel(async (k) => {
    await k.execute("gone = 1", T);
    const pid = k.pid;
    await k.restart();
    assert.notEqual(k.pid, pid);
    assert.ok(k.alive);
    const r = await k.execute("gone", T);
    assert.equal(r.success, false);
    assert.match(r.error ?? "", /NameError/);
  });
});

Deno.test("kill -9 of the kernel rejects the pending execute quickly", async () => {
  await withKernel(async (k) => {
    const pending = k.execute("import time\ntime.sleep(100)", { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 500));
    const killed = Date.now();
    Deno.kill(k.pid, "SIGKILL");
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof ShipError);
      assert.equal(e.code, "ship_error");
      assert.match(e.message, /python kernel died/);
      return true;
    });
    assert.ok(Date.now() - killed < 1000, `took ${Date.now() - killed} ms`);
    assert.equal(k.alive, false);
    await assert.rejects(k.execute("1", T), /python kernel died/);
  });
});

Deno.test("execute after shutdown rejects clearly; shutdown is idempotent", async () => {
  await withKernel(async (k) => {
    await k.shutdown();
    assert.equal(k.alive, false);
    await assert.rejects(k.execute("1", T), (e: unknown) => {
      assert.ok(e instanceof ShipError);
      assert.equal(e.code, "ship_error");
      assert.match(e.message, /shut down/);
      return true;
    });
    await k.shutdown();
  });
});

Deno.test("shutdown does not hang on a grandchild holding the pipes", async () => {
  let grandchild = 0;
  try {
    await withKernel(async (k) => {
      const r = await k.execute(
        "import subprocess\nprint(subprocess.Popen(['sleep', '30']).pid)",
        T,
      );
      grandchild = Number(r.output.trim());
      assert.ok(grandchild > 0, r.output);
      const t0 = Date.now();
      await k.shutdown();
      assert.ok(Date.now() - t0 < 3000, `shutdown took ${Date.now() - t0} ms`);
    });
  } finally {
    if (grandchild) Deno.kill(grandchild, "SIGKILL");
  }
});

Deno.test({
  name: "a dropped-privilege kernel (wrap: setpriv) reads the 0644 connection file",
  ignore: Deno.uid() !== 0,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "kernel_test_" });
    await Deno.chmod(dir, 0o777);
    const runtimeDir = await Deno.makeTempDir({ prefix: "kernel_test_run_" });
    await Deno.chmod(runtimeDir, 0o755);
    let k: Kernel | undefined;
    try {
      k = await Kernel.start({
        cwd: dir,
        runtimeDir,
        wrap: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
        env: { MARKER: "set" },
      });
      const r = await k.execute("import os\nprint(os.getuid(), os.environ['MARKER'])", T);
      assert.equal(r.output, "65534 set\n");
      const t = await k.execute("import time\ntime.sleep(30)", { timeoutMs: 500 });
      assert.equal(t.timed_out, true);
    } finally {
      await k?.shutdown();
      assert.deepEqual([...Deno.readDirSync(runtimeDir)], []);
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(runtimeDir, { recursive: true });
    }
  },
});

Deno.test("start fails clearly when the kernel cannot start or never becomes ready", async () => {
  const dir = await Deno.makeTempDir({ prefix: "kernel_test_" });
  try {
    await assert.rejects(
      Kernel.start({ cwd: dir, runtimeDir: dir, python: "/nonexistent/python" }),
      (e: unknown) => e instanceof ShipError && /failed to start/.test(e.message),
    );
    await assert.rejects(
      Kernel.start({
        cwd: dir,
        runtimeDir: dir,
        wrap: ["sh", "-c", "exec sleep 30"],
        readyTimeoutMs: 800,
      }),
      (e: unknown) => e instanceof ShipError && /did not become ready within 0.8 s/.test(e.message),
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
