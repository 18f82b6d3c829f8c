import assert from "node:assert/strict";
import { bayTest, TEST_KEY, withBay } from "./_test_bay.ts";
import { BayClient, ConflictError, NotFoundError, type ProcessLogEvent } from "./mod.ts";

const enc = new TextEncoder();

bayTest("processes: start, list, get, logs by offset, stdin, kill, wait", async () => {
  await withBay({}, async ({ client }) => {
    const sb = await client().createSandbox();
    const t0 = Date.now();
    const p = await sb.processes.start("read line; echo got:$line; echo $FOO >&2", {
      env: { FOO: "bar" },
    });
    assert.match(p.process_id, /^proc-[0-9a-f]{12}$/);
    assert.equal(p.status, "running");
    assert.ok((await sb.processes.list()).some((x) => x.process_id === p.process_id));
    assert.deepEqual(await sb.processes.stdin(p.process_id, "hello\n"), { status: "ok" });
    assert.equal(await sb.processes.wait(p.process_id), 0);
    const info = await sb.processes.get(p.process_id);
    assert.equal(info.status, "exited");
    assert.equal(info.exit_code, 0);
    const logs = await sb.processes.logs(p.process_id);
    assert.equal(logs.stdout, "got:hello\n");
    assert.equal(logs.stderr, "bar\n");
    assert.equal(logs.next_offset, enc.encode("got:hello\nbar\n").length);
    const later = await sb.processes.logs(p.process_id, { offset: 4 });
    assert.equal(later.stdout, "hello\n");
    await assert.rejects(() => sb.processes.stdin(p.process_id, "x"), ConflictError);

    console.log("first", Date.now() - t0);
    const long = await sb.processes.start("sleep 30");
    const killed = await sb.processes.kill(long.process_id, "SIGKILL");
    assert.equal(killed.process_id, long.process_id);
    console.log("killed", Date.now() - t0);
    assert.equal(await sb.processes.wait(long.process_id), 137);
    console.log("waited", Date.now() - t0);
    assert.equal((await sb.processes.get(long.process_id)).status, "killed");
    await assert.rejects(() => sb.processes.get("proc-000000000000"), NotFoundError);
  });
});

/**
 * A fetch over the in-process app that breaks the first follow streams:
 * the 1st errors in the middle of its 3rd line, the 2nd ends cleanly after
 * 2 lines (both without the exit line), later ones pass through.
 */
function breakingFetch(app: { request(i: string, r: RequestInit): Response | Promise<Response> }) {
  const followOffsets: number[] = [];
  const fetch = async (input: string, init: RequestInit) => {
    const res = await app.request(input, init);
    const url = new URL(input);
    if (!url.pathname.endsWith("/logs") || url.searchParams.get("follow") !== "true") return res;
    followOffsets.push(Number(url.searchParams.get("offset")));
    const n = followOffsets.length;
    if (n > 2 || !res.body) return res;
    const reader = res.body.getReader();
    let text = "";
    const body = new ReadableStream<Uint8Array>({
      async pull(ctrl) {
        const lines = text.split("\n").length - 1;
        if (n === 1 && lines >= 2) {
          // Half of the next line, then the connection "breaks".
          const { value } = await reader.read();
          ctrl.enqueue(value!.subarray(0, Math.min(10, value!.length - 1)));
          await reader.cancel();
          ctrl.error(new TypeError("connection reset by test"));
          return;
        }
        if (n === 2 && lines >= 2) {
          await reader.cancel();
          ctrl.close();
          return;
        }
        const { value, done } = await reader.read();
        if (done) return ctrl.close();
        text += new TextDecoder().decode(value);
        ctrl.enqueue(value);
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { fetch, followOffsets };
}

bayTest(
  "processes: follow resumes from the last offset after drops, no gap, no duplicate",
  async () => {
    await withBay({}, async ({ t, client }) => {
      const sb0 = await client().createSandbox();
      const { fetch, followOffsets } = breakingFetch(t.bay.app);
      const bay = new BayClient({
        endpoint: "http://bay.test",
        apiKey: TEST_KEY,
        fetch,
        retryBaseDelayMs: 10,
      });
      const sb = await bay.getSandbox(sb0.id);
      const p = await sb.processes.start(
        "for i in $(seq 1 25); do echo line$i; sleep 0.04; done; echo err >&2; exit 4",
      );
      const events: ProcessLogEvent[] = [];
      for await (const ev of sb.processes.follow(p.process_id)) events.push(ev);

      const out = events.filter((e) => e.type === "stdout").map((e) => "text" in e ? e.text : "");
      const expected = Array.from({ length: 25 }, (_, i) => `line${i + 1}\n`).join("");
      assert.equal(out.join(""), expected, "stdout complete, in order, nothing repeated");
      const err = events.filter((e) => e.type === "stderr").map((e) => "text" in e ? e.text : "");
      assert.equal(err.join(""), "err\n");
      assert.deepEqual(events.at(-1), { type: "exit", exit_code: 4 });

      let pos = 0;
      for (const e of events) {
        if (e.type === "exit") continue;
        assert.equal(
          e.offset - enc.encode(e.text).length,
          pos,
          "each event starts where the last ended",
        );
        pos = e.offset;
      }
      assert.ok(followOffsets.length >= 3, `reconnected: ${followOffsets}`);
      assert.equal(followOffsets[0], 0);
      assert.ok(followOffsets[1] > 0 && followOffsets[2] > followOffsets[1], `${followOffsets}`);
      const offsetsSeen = new Set(events.map((e) => e.type === "exit" ? -1 : e.offset));
      assert.ok(offsetsSeen.has(followOffsets[1]) && offsetsSeen.has(followOffsets[2]));

      // Following a finished process from an offset gives the rest and the exit.
      const tail: ProcessLogEvent[] = [];
      const from = enc.encode(expected).length - enc.encode("line25\n").length;
      for await (const ev of sb.processes.follow(p.process_id, { offset: from })) tail.push(ev);
      assert.equal(
        tail.map((e) => e.type === "exit" ? `exit:${e.exit_code}` : e.text).join(""),
        "line25\nerr\nexit:4",
      );
    });
  },
);

bayTest("processes: a follow loop can stop early and be aborted", async () => {
  await withBay({}, async ({ client }) => {
    const sb = await client().createSandbox();
    const p = await sb.processes.start("while true; do echo tick; sleep 0.1; done");
    let n = 0;
    for await (const ev of sb.processes.follow(p.process_id)) {
      if (ev.type !== "exit" && ++n === 3) break;
    }
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 300);
    const seen: string[] = [];
    await assert.rejects(async () => {
      for await (const ev of sb.processes.follow(p.process_id, { signal: ctrl.signal })) {
        if (ev.type !== "exit") seen.push(ev.text);
      }
    }, { name: "AbortError" });
    assert.ok(seen.length > 0);
    assert.equal((await sb.processes.get(p.process_id)).status, "running", "process unaffected");
    await sb.processes.kill(p.process_id);
  });
});
