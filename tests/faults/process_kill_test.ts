/**
 * `kill -9` from the host, in the middle of an exec, of: the ship, the
 * IPython kernel, the whole runtime (every process of the bwrap tree, or
 * the container). Each time: the pending call fails clearly and promptly
 * (502 `ship_error`; a dead kernel may also be reported as a failed result
 * naming the kernel), the next call works, and every file whose write was
 * acknowledged before is intact.
 */
import assert from "node:assert/strict";
import { type ApiResponse, type E2EBay, eventually, withBay } from "../e2e/_bay.ts";
import { killShip, sessionCommands, shipPids } from "../e2e/_host.ts";
import { Recorder } from "../_record.ts";
import { kernelPid, killRuntime } from "./_driver_side.ts";
import { assertIntact, writeEvidence, type Written } from "./_files.ts";

/** Longest a pending call may take to fail after the kill (the heartbeat deadline is 2 s). */
const FAIL_BOUND_MS = 5_000;

/** Start a long exec that first creates `marker`; resolves once it runs (boxed: not awaited). */
async function pendingExec(
  bay: E2EBay,
  id: string,
  kind: "shell" | "python",
  marker: string,
): Promise<{ done: Promise<ApiResponse> }> {
  const pending = kind === "shell"
    ? bay.api("POST", `/v1/sandboxes/${id}/shell/exec`, {
      command: `touch ${marker}; sleep 30`,
      timeout: 60,
    })
    : bay.api("POST", `/v1/sandboxes/${id}/python/exec`, {
      code: `import time\nopen(${JSON.stringify(marker)}, "w").close()\ntime.sleep(30)`,
      timeout: 60,
    });
  await eventually(`${kind} exec to start`, async () => {
    const r = await bay.api("GET", `/v1/sandboxes/${id}/filesystem/files?path=${marker}`);
    return r.status === 200;
  }, 30_000);
  return { done: pending };
}

function assertShipError(r: ApiResponse, what: string): void {
  assert.equal(r.status, 502, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.body.error.code, "ship_error", what);
}

/** Time from now until `call` succeeds (retrying nothing: the first call must work). */
async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await call();
  return { value, ms: performance.now() - t0 };
}

Deno.test("faults: kill -9 of the ship, the kernel and the runtime mid-exec", async (t) => {
  const rec = new Recorder("faults", "process_kill", "kill -9 of ship, kernel, runtime mid-exec");
  await rec.run(() =>
    withBay({}, async (bay) => {
      const sb = await bay.createSandbox();
      const written: Written[] = [];

      await bay.step(t, "ship", async () => {
        written.push(...await writeEvidence(bay, sb.id, "before-ship"));
        const pending = await pendingExec(bay, sb.id, "shell", "m-ship");
        rec.tried("kill -9 the ship while a shell exec (`sleep 30`) runs");
        const t0 = performance.now();
        killShip(bay, sb.cargo_id);
        const r = await pending.done;
        const failMs = performance.now() - t0;
        assertShipError(r, "exec pending on a killed ship");
        assert.ok(failMs < FAIL_BOUND_MS, `failed after ${failMs} ms`);
        const next = await timed(() => bay.sh(sb.id, "echo next"));
        assert.equal(next.value.output, "next\n");
        await assertIntact(bay, sb.id, written);
        assert.equal(shipPids(bay, sb.cargo_id).length, 1, "one ship again");
        rec.num("ship_kill_fail_ms", failMs);
        rec.num("ship_kill_next_call_ms", next.ms);
        rec.held(
          `ship: pending exec → 502 ship_error in ${failMs.toFixed(0)} ms; next call ok ` +
            `(${next.ms.toFixed(0)} ms, new session); ${written.length} files intact`,
        );
      });

      await bay.step(t, "kernel", async () => {
        written.push(...await writeEvidence(bay, sb.id, "before-kernel"));
        await bay.py(sb.id, "state = 'kept?'");
        const pending = await pendingExec(bay, sb.id, "python", "m-kernel");
        rec.tried("kill -9 the IPython kernel (from the host) while a python exec runs");
        const t0 = performance.now();
        Deno.kill(kernelPid(bay, sb.cargo_id), "SIGKILL");
        const r = await pending.done;
        const failMs = performance.now() - t0;
        if (r.status === 200) {
          assert.equal(r.body.success, false, r.text);
          assert.match(r.body.error, /kernel/i);
          rec.note(`kernel kill reported as a failed result: ${r.body.error.slice(0, 80)}`);
        } else {
          assertShipError(r, "exec pending on a killed kernel");
          assert.match(r.body.error.message, /kernel/i);
          rec.note(`kernel kill reported as 502: ${r.body.error.message.slice(0, 80)}`);
        }
        assert.ok(failMs < FAIL_BOUND_MS, `failed after ${failMs} ms`);
        const next = await timed(() => bay.py(sb.id, "print('fresh kernel')"));
        assert.equal(next.value.output, "fresh kernel\n", JSON.stringify(next.value));
        const lost = await bay.py(sb.id, "state");
        assert.match(lost.error ?? "", /NameError/, "a new kernel");
        assert.equal((await bay.sh(sb.id, "echo shell unaffected")).output, "shell unaffected\n");
        await assertIntact(bay, sb.id, written);
        rec.num("kernel_kill_fail_ms", failMs);
        rec.num("kernel_kill_next_call_ms", next.ms);
        rec.held(
          `kernel: pending exec failed naming the kernel in ${failMs.toFixed(0)} ms; ` +
            `next python call ok on a fresh kernel (${next.ms.toFixed(0)} ms); ` +
            `${written.length} files intact`,
        );
      });

      await bay.step(t, "runtime", async () => {
        written.push(...await writeEvidence(bay, sb.id, "before-runtime"));
        const sh = await pendingExec(bay, sb.id, "shell", "m-rt-sh");
        const py = await pendingExec(bay, sb.id, "python", "m-rt-py");
        rec.tried(
          `kill -9 the whole runtime (${
            bay.driver === "docker" ? "the container" : "every process of the bwrap tree"
          }) while a shell and a python exec run`,
        );
        const t0 = performance.now();
        killRuntime(bay, sb.cargo_id);
        const [r1, r2] = await Promise.all([sh.done, py.done]);
        const failMs = performance.now() - t0;
        assertShipError(r1, "shell exec pending on a killed runtime");
        assertShipError(r2, "python exec pending on a killed runtime");
        assert.ok(failMs < FAIL_BOUND_MS, `failed after ${failMs} ms`);
        const next = await timed(() => bay.py(sb.id, "print('new runtime')"));
        assert.equal(next.value.output, "new runtime\n");
        assert.equal((await bay.sh(sb.id, "echo ok")).output, "ok\n");
        await assertIntact(bay, sb.id, written);
        assert.equal(shipPids(bay, sb.cargo_id).length, 1, "one ship again");
        const left = sessionCommands(bay, sb.cargo_id).filter((c) => c.startsWith("sleep"));
        assert.deepEqual(left, [], "nothing of the killed runtime runs");
        rec.num("runtime_kill_fail_ms", failMs);
        rec.num("runtime_kill_next_call_ms", next.ms);
        rec.num("files_checked_count", written.length);
        rec.held(
          `runtime: both pending execs → 502 ship_error in ${failMs.toFixed(0)} ms; ` +
            `next calls ok on a new runtime (${next.ms.toFixed(0)} ms); ` +
            `${written.length} files intact; nothing of the old runtime left`,
        );
      });
      assert.equal((await bay.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
    })
  );
});
