import assert from "node:assert/strict";
import { bayTest, withBay } from "./_test_bay.ts";
import { ClientTimeoutError, FileNotFoundError, TimeoutError } from "./mod.ts";

/** Join consecutive chunks of the same stream (output may arrive in any chunking). */
function merged(events: string[]): string[] {
  const out: string[] = [];
  for (const e of events) {
    const kind = e.slice(0, e.indexOf(":") + 1);
    const last = out.at(-1);
    if (last?.startsWith(kind) && kind !== "display:") {
      out[out.length - 1] = last + e.slice(kind.length);
    } else out.push(e);
  }
  return out;
}

bayTest(
  "python: exec keeps state, reports errors, streams stdout and displays in order",
  async () => {
    await withBay({}, async ({ client }) => {
      const sb = await client().createSandbox();
      const r = await sb.python.exec("x = 41\nprint(x + 1)", { includeCode: true });
      assert.equal(r.success, true);
      assert.equal(r.output, "42\n");
      assert.equal(r.error, null);
      assert.match(r.execution_id, /^exec-[0-9a-f]{12}$/);
      assert.equal(r.code, "x = 41\nprint(x + 1)");
      assert.equal(r.data.output.text, "42\n");

      const bad = await sb.python.exec("1 / 0");
      assert.equal(bad.success, false);
      assert.match(bad.error!, /ZeroDivisionError/);

      const seen: string[] = [];
      const streamed = await sb.python.exec(
        [
          "import sys, time",
          "from IPython.display import display, HTML",
          "print('one', flush=True)",
          "time.sleep(0.2)",
          "print('warn', file=sys.stderr, flush=True)",
          "time.sleep(0.2)",
          "display(HTML('<b>x</b>'))",
          "print('two')",
        ].join("\n"),
        {
          onStdout: (t) => seen.push(`out:${t}`),
          onStderr: (t) => seen.push(`err:${t}`),
          onDisplay: (d) => seen.push(`display:${d["text/html"]}`),
        },
      );
      assert.deepEqual(merged(seen), ["out:one\n", "err:warn\n", "display:<b>x</b>", "out:two\n"]);
      assert.equal(streamed.success, true);
      assert.match(streamed.execution_id, /^exec-/);
      assert.equal(streamed.data.outputs[0].data["text/html"], "<b>x</b>");
    });
  },
);

bayTest("python: interrupt stops running code, restart clears state", async () => {
  await withBay({}, async ({ client }) => {
    const sb = await client().createSandbox();
    await sb.python.exec("kept = 7");
    const running = sb.python.exec("import time\nfor _ in range(300): time.sleep(0.1)");
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await sb.python.interrupt(), { status: "ok" });
    const r = await running;
    assert.equal(r.success, false);
    assert.match(r.error!, /KeyboardInterrupt/);
    assert.equal((await sb.python.exec("print(kept)")).output, "7\n", "state survives interrupt");
    assert.deepEqual(await sb.python.restart(), { status: "ok" });
    const gone = await sb.python.exec("print(kept)");
    assert.match(gone.error!, /NameError/);
  });
});

bayTest("shell: exec with cwd/env, non-zero exit, live callbacks before the result", async () => {
  await withBay({}, async ({ client }) => {
    const sb = await client().createSandbox();
    await sb.files.write("sub/f.txt", "x");
    const r = await sb.shell.exec("pwd; ls; echo $GREETING", {
      cwd: "sub",
      env: { GREETING: "hello" },
    });
    assert.equal(r.exit_code, 0);
    assert.match(r.output, /\/sub\nf\.txt\nhello\n$/);
    const fail = await sb.shell.exec("echo oops >&2; exit 3");
    assert.equal(fail.exit_code, 3);
    assert.equal(fail.success, false);
    assert.equal(fail.error, "oops\n");

    const events: { what: string; at: number }[] = [];
    const start = Date.now();
    const res = await sb.shell.exec("echo a; sleep 0.3; echo b >&2; sleep 0.3; echo c; sleep 1", {
      onStdout: (t) => events.push({ what: `out:${t}`, at: Date.now() - start }),
      onStderr: (t) => events.push({ what: `err:${t}`, at: Date.now() - start }),
    });
    const done = Date.now() - start;
    assert.deepEqual(merged(events.map((e) => e.what)), ["out:a\n", "err:b\n", "out:c\n"]);
    assert.ok(
      events[0].at < done - 1000,
      `first output arrived live (${events[0].at} of ${done} ms)`,
    );
    assert.equal(res.output, "a\nc\n");
    assert.equal(res.error, "b\n");

    const timedOut = await sb.shell.exec("echo before; sleep 5", { execTimeoutMs: 1000 });
    assert.equal(timedOut.exit_code, -1);
    assert.equal(timedOut.output, "before\n");
  });
});

bayTest("abort and timeout: a cancelled exec stops in the sandbox; timeoutMs rejects", async () => {
  await withBay({}, async ({ client }) => {
    const bay = client();
    const sb = await bay.createSandbox();
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 300);
    const t0 = Date.now();
    const err = await sb.shell.exec("sleep 1.5; touch marker", { signal: ctrl.signal })
      .catch((e) => e);
    assert.equal(err.name, "AbortError");
    assert.ok(Date.now() - t0 < 1200, "rejected promptly");
    await new Promise((r) => setTimeout(r, 2000));
    await assert.rejects(() => sb.files.read("marker"), FileNotFoundError);

    const ctrl2 = new AbortController();
    const streaming = sb.python.exec("import time; time.sleep(5)", {
      signal: ctrl2.signal,
      onStdout: () => {},
    });
    setTimeout(() => ctrl2.abort(new Error("stop it")), 300);
    await assert.rejects(streaming, /stop it/);

    const slow = await sb.shell.exec("sleep 3", { timeoutMs: 300 }).catch((e) => e);
    assert.ok(slow instanceof ClientTimeoutError);
    assert.ok(slow instanceof TimeoutError);
    assert.equal(slow.status, 0);

    const pre = new AbortController();
    pre.abort();
    await assert.rejects(() => bay.listSandboxes({ signal: pre.signal }), { name: "AbortError" });
  });
});
