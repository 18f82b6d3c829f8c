/**
 * The ship's channel goes silent: the ship is frozen (`SIGSTOP`) for longer
 * than the heartbeat deadline (Bay here: ping 500 ms, deadline 2 s), then
 * thawed (`SIGCONT`). Bay closes the channel at the deadline and the calls
 * pending on it fail with 502 `ship_error` then, not later; a call made while
 * the ship is frozen waits for it and works once it is back; the ship
 * reconnects (or is replaced), the next calls work, files are intact and one
 * ship serves the sandbox. Repeated in `deno task soak`.
 */
import assert from "node:assert/strict";
import { type ApiResponse, eventually, sleep, withBay } from "../e2e/_bay.ts";
import { shipPids } from "../e2e/_host.ts";
import { Recorder, scaled } from "../_record.ts";
import { assertIntact, writeEvidence } from "./_files.ts";

const HEARTBEAT_TIMEOUT_MS = 2000; // the e2e fixture's BAY_HEARTBEAT_TIMEOUT_MS
const FREEZE_MS = 4500;
/** Pending calls must fail within the deadline plus this (one ping interval, scheduling). */
const FAIL_SLACK_MS = 1500;
const CYCLES = scaled(1, 5);

function timed(p: Promise<ApiResponse>, t0: number) {
  return p.then((r) => ({ r, ms: performance.now() - t0 }));
}

Deno.test("faults: channel cut (ship frozen past the heartbeat deadline) and restored", async () => {
  const rec = new Recorder("faults", "channel_cut", "ship channel silent past the deadline");
  await rec.run(() =>
    withBay({}, async (bay) => {
      const sb = await bay.createSandbox();
      const written = await writeEvidence(bay, sb.id, "before-cut");
      const base = `/v1/sandboxes/${sb.id}`;
      let kept = 0;
      for (let cycle = 1; cycle <= CYCLES; cycle++) {
        await bay.py(sb.id, `x = ${cycle}`);
        const shell = bay.api("POST", `${base}/shell/exec`, {
          command: `touch m${cycle}; sleep 30`,
        });
        await eventually("the shell exec to run", async () => {
          const r = await bay.api("GET", `${base}/filesystem/files?path=m${cycle}`);
          return r.status === 200;
        });
        const python = bay.api("POST", `${base}/python/exec`, {
          code: "import time; time.sleep(30)",
        });
        await sleep(300);
        const [ship] = shipPids(bay, sb.cargo_id);
        const t0 = performance.now();
        Deno.kill(ship, "SIGSTOP");
        let during: Promise<{ r: ApiResponse; ms: number }>;
        try {
          const pending = Promise.all([timed(shell, t0), timed(python, t0)]);
          await sleep(HEARTBEAT_TIMEOUT_MS + 700);
          // Sent while the ship is frozen and its channel already closed.
          during = timed(bay.api("POST", `${base}/shell/exec`, { command: "echo during" }), t0);
          const results = await pending;
          for (const { r, ms } of results) {
            assert.equal(r.status, 502, r.text);
            assert.equal(r.body.error.code, "ship_error");
            assert.ok(
              ms <= HEARTBEAT_TIMEOUT_MS + FAIL_SLACK_MS,
              `pending call failed after ${ms} ms`,
            );
            assert.ok(performance.now() - t0 < FREEZE_MS, "failed while the ship was still frozen");
          }
          rec.num(`c${cycle}_pending_fail_ms`, Math.max(...results.map((x) => x.ms)));
          await sleep(Math.max(0, FREEZE_MS - (performance.now() - t0)));
        } finally {
          Deno.kill(ship, "SIGCONT");
        }
        const d = await during;
        assert.equal(d.r.status, 200, `call made during the freeze: ${d.r.text}`);
        assert.equal(d.r.body.output, "during\n");
        rec.num(`c${cycle}_call_during_freeze_ms`, d.ms);
        const state = await bay.api("POST", `${base}/python/exec`, { code: "x" });
        assert.equal(state.status, 200, state.text);
        if (state.body.output === String(cycle)) kept++;
        else assert.match(state.body.error ?? "", /NameError/, "a fresh kernel otherwise");
        assert.equal((await bay.sh(sb.id, "echo after")).output, "after\n");
        await assertIntact(bay, sb.id, written);
        await eventually("one ship", () => shipPids(bay, sb.cargo_id).length === 1, 5000);
      }
      rec.tried(
        `${CYCLES}× freeze the ship (SIGSTOP) for ${FREEZE_MS} ms with a shell and a python ` +
          `exec pending (heartbeat deadline ${HEARTBEAT_TIMEOUT_MS} ms), send a call during ` +
          `the freeze, thaw (SIGCONT)`,
      );
      rec.held(
        `pending calls → 502 ship_error within the deadline + ${FAIL_SLACK_MS} ms ` +
          `(worst ${
            Math.max(
              ...Object.entries(rec.summary.numbers).filter(([k]) => k.endsWith("fail_ms"))
                .map(([, v]) => v),
            )
          } ms), while the ship was still frozen`,
      );
      rec.held("a call sent during the freeze waited for the ship and succeeded after the thaw");
      rec.held(
        `next calls work; ${written.length} files intact; one ship; kernel state kept in ` +
          `${kept}/${CYCLES} cycles (the ship reconnected to its session)`,
      );
      rec.num("kernel_state_kept_count", kept);
      assert.equal((await bay.api("DELETE", base)).status, 204);
    })
  );
});
