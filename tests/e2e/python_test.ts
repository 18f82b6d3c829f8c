/**
 * Python execution through a real Bay (API §3.1, §3.5).
 *
 * @module
 */
import assert from "node:assert/strict";
import { withBay } from "./_bay.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

Deno.test("e2e python: state, output, rich results, errors, timeout, kernel control", async (t) => {
  await withBay({}, async (bay) => {
    const sb = await bay.createSandbox();
    const exec = (path: string, body: unknown) =>
      bay.api("POST", `/v1/sandboxes/${sb.id}/${path}`, body);
    try {
      await bay.step(t, "state persists across calls; stdout and execute_result", async () => {
        const a = await bay.py(sb.id, "x = 21\nprint('hello from python')");
        assert.equal(a.success, true);
        assert.equal(a.error, null);
        assert.equal(a.output, "hello from python\n");
        assert.equal(a.data.output.text, "hello from python\n");
        assert.match(a.execution_id, /^exec-[0-9a-f]{12}$/);
        assert.equal(typeof a.execution_time_ms, "number");
        assert.equal(a.code, null);

        const b = await bay.py(sb.id, "x * 2", { include_code: true });
        assert.equal(b.success, true);
        assert.equal(b.output, "42");
        assert.equal(b.data.output.text, "42");
        assert.equal(b.data.execution_count, a.data.execution_count + 1);
        assert.equal(b.code, "x * 2");
        assert.deepEqual(b.data.output.images, []);
      });

      await bay.step(t, "the kernel's cwd is /workspace", async () => {
        const r = await bay.py(sb.id, "import os\nprint(os.getcwd())");
        assert.equal(r.output, "/workspace\n");
      });

      await bay.step(t, "matplotlib plt.show() returns a base64 PNG", async () => {
        const r = await bay.py(
          sb.id,
          "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
        );
        assert.equal(r.success, true, r.error);
        assert.equal(r.data.output.images.length, 1);
        const png = Uint8Array.fromBase64(r.data.output.images[0]["image/png"]);
        assert.ok(png.length > 1000, `a real image, got ${png.length} bytes`);
        assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE);
        assert.doesNotMatch(r.output, /Matplotlib created a temporary/, "no config-dir warning");
        assert.doesNotMatch(r.output, /Traceback/);
      });

      await bay.step(t, "the workspace is not littered by the runtime", async () => {
        const r = await bay.sh(sb.id, "ls -A /workspace");
        const names = r.output.split("\n").filter((n: string) => n && n !== ".cache");
        assert.deepEqual(names, [], `unexpected entries in /workspace: ${names}`);
      });

      await bay.step(t, "an HTML display is kept in data.outputs", async () => {
        const r = await bay.py(
          sb.id,
          "from IPython.display import HTML, display\ndisplay(HTML('<b>bold</b>'))",
        );
        assert.equal(r.success, true, r.error);
        const html = r.data.outputs.find((o: { data: Record<string, string> }) =>
          o.data["text/html"] !== undefined
        );
        assert.ok(html, `an html bundle in ${JSON.stringify(r.data.outputs)}`);
        assert.equal(html.type, "display_data");
        assert.equal(html.data["text/html"], "<b>bold</b>");
      });

      await bay.step(t, "an exception: success false, traceback with its name", async () => {
        const r = await bay.py(sb.id, "def f():\n    raise KeyError('nope')\nf()");
        assert.equal(r.success, false);
        assert.equal(typeof r.error, "string");
        assert.match(r.error, /KeyError/);
        assert.match(r.error, /nope/);
        assert.match(r.error, /Traceback|Cell In/);
        const again = await bay.py(sb.id, "x");
        assert.equal(again.output, "21", "state survives an exception");
      });

      await bay.step(t, "a timeout interrupts the cell quickly and keeps state", async () => {
        const t0 = performance.now();
        const r = await bay.py(sb.id, "import time\nprint('before')\ntime.sleep(30)", {
          timeout: 2,
        });
        const ms = performance.now() - t0;
        assert.ok(ms < 5000, `returned after ${Math.round(ms)} ms`);
        assert.equal(r.success, false);
        assert.match(r.error, /timed out after 2/i);
        assert.equal(r.output, "before\n", "output printed before the timeout is kept");
        const after = await bay.py(sb.id, "x + 1");
        assert.equal(after.success, true);
        assert.equal(after.output, "22");
      });

      await bay.step(t, "a busy kernel does not block the shell or the file API", async () => {
        const busy = bay.py(sb.id, "import time\ntime.sleep(3)\n'done'");
        await new Promise((r) => setTimeout(r, 500));
        const t0 = performance.now();
        const sh = await bay.sh(sb.id, "echo free");
        const ls = await bay.api("GET", `/v1/sandboxes/${sb.id}/filesystem/directories`);
        assert.ok(performance.now() - t0 < 1500, "answered while python was running");
        assert.equal(sh.output, "free\n");
        assert.equal(ls.status, 200);
        const done = await busy;
        assert.equal(done.output, "'done'");
      });

      await bay.step(t, "interrupt stops running code; the kernel keeps its state", async () => {
        const running = exec("python/exec", { code: "import time\ntime.sleep(30)", timeout: 60 });
        await new Promise((r) => setTimeout(r, 1000));
        const t0 = performance.now();
        const i = await exec("python/interrupt", undefined);
        assert.equal(i.status, 200);
        assert.deepEqual(i.body, { status: "ok" });
        const r = await running;
        assert.ok(performance.now() - t0 < 5000, "the cell stopped soon after the interrupt");
        assert.equal(r.status, 200);
        assert.equal(r.body.success, false);
        assert.match(r.body.error, /KeyboardInterrupt/);
        assert.equal((await bay.py(sb.id, "x")).output, "21");
      });

      await bay.step(t, "restart clears variables", async () => {
        const r = await exec("python/restart", undefined);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { status: "ok" });
        const gone = await bay.py(sb.id, "x");
        assert.equal(gone.success, false);
        assert.match(gone.error, /NameError/);
        const works = await bay.py(sb.id, "y = 5\ny");
        assert.equal(works.output, "5");
      });

      await bay.step(t, "bad requests are refused before running", async () => {
        const r = await exec("python/exec", { code: "1", timeout: 0 });
        assert.equal(r.status, 422);
        assert.equal(r.body.error.code, "validation_error");
        const missing = await exec("python/exec", {});
        assert.equal(missing.status, 422);
      });
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});
