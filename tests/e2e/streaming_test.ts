/**
 * NDJSON streaming of both exec endpoints through a real Bay (API §3.3).
 *
 * @module
 */
import assert from "node:assert/strict";
import { type E2EBay, sleep, withBay } from "./_bay.ts";

interface Line {
  // deno-lint-ignore no-explicit-any
  obj: any;
  /** ms since the request was sent. */
  at: number;
}

/** Send a streamed exec and collect every line with its arrival time. */
async function stream(
  bay: E2EBay,
  path: string,
  body: unknown,
): Promise<{ res: Response; lines: Line[] }> {
  const t0 = performance.now();
  const res = await bay.fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
    body: JSON.stringify(body),
  });
  const lines: Line[] = [];
  let buf = "";
  for await (const chunk of res.body!.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (text.trim()) lines.push({ obj: JSON.parse(text), at: performance.now() - t0 });
    }
  }
  assert.equal(buf, "", "the stream ends with a newline");
  return { res, lines };
}

/** Start a streamed exec, read until the first stdout line, then abort the request. */
async function startThenAbort(bay: E2EBay, path: string, body: unknown): Promise<void> {
  const ctrl = new AbortController();
  const res = await bay.fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
    body: JSON.stringify(body),
    signal: ctrl.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before any output: ${seen}`);
    seen += value;
  }
  assert.equal(JSON.parse(seen.split("\n")[0]).type, "stdout");
  await sleep(1000);
  ctrl.abort();
  await reader.read().catch(() => {});
  await reader.cancel().catch(() => {});
}

Deno.test("e2e streaming: incremental lines, final result, disconnect cancels", async (t) => {
  await withBay({}, async (bay) => {
    const sb = await bay.createSandbox();
    const base = `/v1/sandboxes/${sb.id}`;
    try {
      await bay.step(t, "python: stdout lines arrive as printed, result last", async () => {
        const code = "import time\nfor i in range(3): print(i); time.sleep(0.5)";
        const { res, lines } = await stream(bay, `${base}/python/exec`, { code });
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type") ?? "", /application\/x-ndjson/);
        const out = lines.filter((l) => l.obj.type === "stdout");
        assert.equal(out.map((l) => l.obj.text).join(""), "0\n1\n2\n");
        const last = lines[lines.length - 1];
        assert.equal(last.obj.type, "result");
        assert.equal(lines.filter((l) => l.obj.type === "result").length, 1);
        assert.ok(
          last.at - out[0].at > 800,
          `first line at ${Math.round(out[0].at)} ms, result at ${Math.round(last.at)} ms`,
        );

        const { type, ...result } = last.obj;
        assert.equal(type, "result");
        const plain = await bay.py(sb.id, code);
        assert.deepEqual(Object.keys(result).sort(), Object.keys(plain).sort());
        assert.equal(result.success, true);
        assert.equal(result.output, "0\n1\n2\n");
        assert.equal(result.output, plain.output);
        assert.deepEqual(result.data.output, plain.data.output);
        assert.match(result.execution_id, /^exec-/);
      });

      await bay.step(t, "python: displays and errors are streamed too", async () => {
        const code = "from IPython.display import HTML, display\n" +
          "display(HTML('<i>x</i>'))\nraise ValueError('boom')";
        const { lines } = await stream(bay, `${base}/python/exec`, { code });
        const display = lines.find((l) => l.obj.type === "display");
        assert.ok(display, JSON.stringify(lines.map((l) => l.obj)));
        assert.equal(display.obj.data["text/html"], "<i>x</i>");
        const last = lines[lines.length - 1].obj;
        assert.equal(last.type, "result");
        assert.equal(last.success, false);
        assert.match(last.error, /ValueError/);
      });

      await bay.step(t, "shell: stdout and stderr lines, result with exit code", async () => {
        const command = "for i in 1 2 3; do echo $i; sleep 0.5; done; echo warn >&2; exit 4";
        const { res, lines } = await stream(bay, `${base}/shell/exec`, { command });
        assert.equal(res.status, 200);
        const out = lines.filter((l) => l.obj.type === "stdout");
        assert.equal(out.map((l) => l.obj.text).join(""), "1\n2\n3\n");
        assert.equal(
          lines.filter((l) => l.obj.type === "stderr").map((l) => l.obj.text).join(""),
          "warn\n",
        );
        const last = lines[lines.length - 1];
        assert.ok(last.at - out[0].at > 800, "the first line came well before the result");
        const { type, ...result } = last.obj;
        assert.equal(type, "result");
        const plain = await bay.sh(sb.id, command);
        assert.deepEqual(Object.keys(result).sort(), Object.keys(plain).sort());
        assert.equal(result.exit_code, 4);
        assert.equal(result.success, false);
        assert.equal(result.output, "1\n2\n3\n");
        assert.equal(result.error, "warn\n");
      });

      await bay.step(t, "errors before the run are plain error responses", async () => {
        const res = await bay.fetch(`/v1/sandboxes/sandbox-000000000000/shell/exec`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
          body: JSON.stringify({ command: "true" }),
        });
        assert.equal(res.status, 404);
        const body = await res.json();
        assert.equal(body.error.code, "not_found");
        const bad = await bay.fetch(`${base}/shell/exec`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
          body: JSON.stringify({ command: "true", cwd: "../x" }),
        });
        assert.equal(bad.status, 400);
        assert.equal((await bad.json()).error.code, "invalid_path");
      });

      await bay.step(t, "shell: a client disconnect kills the command", async () => {
        await startThenAbort(bay, `${base}/shell/exec`, {
          command: "echo started; sleep 3; touch done",
        });
        await sleep(4000);
        const r = await bay.sh(sb.id, "test -e done && echo created || echo absent");
        assert.equal(r.output, "absent\n");
        const ps = await bay.sh(sb.id, "ps -eo args | grep -c '^sleep 3' || true");
        assert.equal(ps.output, "0\n", "no sleep left running");
      });

      await bay.step(t, "python: a client disconnect interrupts the cell", async () => {
        await bay.py(sb.id, "kept = 'still here'");
        await startThenAbort(bay, `${base}/python/exec`, {
          code: "import time\nprint('started', flush=True)\ntime.sleep(3)\n" +
            "open('pydone', 'w').close()",
        });
        await sleep(4000);
        const r = await bay.sh(sb.id, "test -e pydone && echo created || echo absent");
        assert.equal(r.output, "absent\n");
        const t0 = performance.now();
        const next = await bay.py(sb.id, "kept");
        assert.ok(performance.now() - t0 < 2000, "the kernel is free again");
        assert.equal(next.output, "'still here'");
      });
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});
