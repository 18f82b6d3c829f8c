/**
 * Session lifecycle through a real Bay (API §2): start on first use, stop,
 * concurrent first calls, and recovery from a killed ship or kernel.
 *
 * @module
 */
import assert from "node:assert/strict";
import { eventually, sleep, withBay } from "./_bay.ts";
import { killShip, sessionCommands, sessionPids, shipPids } from "./_host.ts";

/** The pid namespace of a shell command and of the python kernel are the session's. */
const PIDNS_SH = "readlink /proc/self/ns/pid";
const PIDNS_PY = "import os\nprint(os.readlink('/proc/self/ns/pid'))";

Deno.test("e2e lifecycle: start, stop, concurrency, crash recovery", async (t) => {
  await withBay({}, async (bay) => {
    await bay.step(t, "the first capability call starts a session", async () => {
      const sb = await bay.createSandbox();
      try {
        assert.equal(sb.status, "idle");
        const before = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(before.body.status, "idle");
        assert.equal(before.body.containers, null);
        assert.deepEqual(sessionPids(bay, sb.cargo_id), [], "no compute before the first call");

        const r = await bay.sh(sb.id, "echo up");
        assert.equal(r.output, "up\n");
        const after = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(after.body.status, "ready");
        assert.equal(after.body.containers.length, 1);
        assert.equal(after.body.containers[0].healthy, true);
        assert.deepEqual(after.body.containers[0].capabilities, ["python", "shell", "filesystem"]);
        assert.ok(after.body.idle_expires_at, "activity sets the idle deadline");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });

    await bay.step(t, "stop: files stay, everything running goes, next call is fresh", async () => {
      const sb = await bay.createSandbox();
      try {
        await bay.py(sb.id, "v = 'in memory'\nopen('kept.txt', 'w').write('on disk')");
        await bay.sh(sb.id, "touch /tmp/old-session"); // /tmp is private to a session
        // A detached writer that would touch a file after the stop if it survived.
        await bay.sh(sb.id, "nohup sh -c 'sleep 2; touch late' >/dev/null 2>&1 &");
        const stop = await bay.api("POST", `/v1/sandboxes/${sb.id}/stop`);
        assert.equal(stop.status, 200);
        assert.deepEqual(stop.body, { status: "stopped" });
        const idle = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(idle.body.status, "idle");
        assert.equal(idle.body.containers, null);
        await eventually(
          "the session's processes to exit",
          () => sessionPids(bay, sb.cargo_id).length === 0,
          5000,
        );
        const again = await bay.api("POST", `/v1/sandboxes/${sb.id}/stop`);
        assert.equal(again.status, 200, "stop is idempotent");
        await sleep(2500);

        const gone = await bay.py(sb.id, "v");
        assert.equal(gone.success, false, "a fresh kernel");
        assert.match(gone.error, /NameError/);
        const file = await bay.py(sb.id, "print(open('kept.txt').read())");
        assert.equal(file.output, "on disk\n");
        const late = await bay.sh(sb.id, "test -e late && echo survived || echo killed");
        assert.equal(late.output, "killed\n", "the stop killed background processes");
        const fresh = await bay.sh(sb.id, "test -e /tmp/old-session && echo old || echo new");
        assert.equal(fresh.output, "new\n", "a new session with a fresh /tmp");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });

    await bay.step(t, "concurrent first calls share one session", async () => {
      const sb = await bay.createSandbox();
      try {
        const calls = [
          bay.sh(sb.id, `echo a >> /tmp/marks; ${PIDNS_SH}`),
          bay.sh(sb.id, `echo b >> /tmp/marks; ${PIDNS_SH}`),
          bay.sh(sb.id, `echo c >> /tmp/marks; ${PIDNS_SH}`),
          bay.py(sb.id, `open('/tmp/marks', 'a').write('d\\n')\n${PIDNS_PY}`),
          bay.py(sb.id, `open('/tmp/marks', 'a').write('e\\n')\n${PIDNS_PY}`),
        ];
        const results = await Promise.all(calls);
        for (const r of results) assert.equal(r.success, true, JSON.stringify(r));
        const namespaces = new Set(results.map((r) => r.output));
        assert.equal(namespaces.size, 1, `one pid namespace, got ${[...namespaces]}`);
        const marks = await bay.sh(sb.id, "sort /tmp/marks | tr -d '\\n'");
        assert.equal(marks.output, "abcde", "every call wrote into the same private /tmp");
        const got = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(got.body.containers.length, 1);
        assert.equal(shipPids(bay, sb.cargo_id).length, 1, "one ship on the host");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });

    await bay.step(t, "a killed ship fails the pending exec fast; the next works", async () => {
      const sb = await bay.createSandbox();
      try {
        await bay.api("PUT", `/v1/sandboxes/${sb.id}/filesystem/files`, {
          path: "data/a.txt",
          content: "precious",
        });
        await bay.sh(sb.id, "mkdir -p data/sub && echo deep > data/sub/b.txt");
        // A detached job of the crashed session must die with it, not write into the cargo later.
        await bay.sh(sb.id, "nohup sh -c 'sleep 4; echo ghost > ghost.txt' >/dev/null 2>&1 &");
        const pending = bay.api("POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
          command: "sleep 30",
        });
        await sleep(1000);
        const t0 = performance.now();
        killShip(bay, sb.cargo_id);
        const r = await pending;
        const ms = performance.now() - t0;
        assert.equal(r.status, 502, r.text);
        assert.equal(r.body.error.code, "ship_error");
        assert.ok(ms < 5000, `the pending exec failed after ${Math.round(ms)} ms`);

        const next = await bay.sh(sb.id, "cat data/a.txt data/sub/b.txt");
        assert.equal(next.success, true, JSON.stringify(next));
        assert.equal(next.output, "preciousdeep\n");
        const py = await bay.py(sb.id, "1 + 1");
        assert.equal(py.output, "2");
        const got = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(got.body.status, "ready");
        assert.equal(got.body.containers[0].healthy, true);
        assert.equal(shipPids(bay, sb.cargo_id).length, 1, "exactly one ship again");
        await sleep(Math.max(0, 4500 - (performance.now() - t0)));
        const ghost = await bay.sh(sb.id, "test -e ghost.txt && echo survived || echo gone");
        assert.equal(ghost.output, "gone\n", "the crashed session's processes are gone");
        const left = sessionCommands(bay, sb.cargo_id).filter((c) => c.startsWith("sleep"));
        assert.deepEqual(left, [], "nothing of the crashed session runs on the host");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });

    await bay.step(t, "a killed kernel fails its exec clearly; the next works", async () => {
      const sb = await bay.createSandbox();
      try {
        await bay.py(sb.id, "lost = 1");
        const pending = bay.api("POST", `/v1/sandboxes/${sb.id}/python/exec`, {
          code: "import time\ntime.sleep(30)",
        });
        await sleep(1000);
        // `[i]pykernel` matches the kernel but not this command line itself.
        const kill = await bay.sh(sb.id, "pkill -9 -f '[i]pykernel'; echo sent");
        assert.equal(kill.output, "sent\n");
        const t0 = performance.now();
        const r = await pending;
        assert.ok(performance.now() - t0 < 5000, "the pending exec returned promptly");
        if (r.status === 200) {
          assert.equal(r.body.success, false);
          assert.match(r.body.error, /kernel/i);
        } else {
          assert.equal(r.status, 502, r.text);
          assert.equal(r.body.error.code, "ship_error");
          assert.match(r.body.error.message, /kernel/i);
        }
        const next = await bay.py(sb.id, "print('fresh')");
        assert.equal(next.success, true, JSON.stringify(next));
        assert.equal(next.output, "fresh\n");
        const state = await bay.py(sb.id, "lost");
        assert.match(state.error ?? "", /NameError/, "a new kernel, state is gone");
      } finally {
        await bay.deleteSandbox(sb.id);
      }
    });
  });
});
