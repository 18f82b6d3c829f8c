/**
 * Background processes through a real Bay (API §3.4): a server started in the
 * background and reached from another exec over the sandbox's loopback, its
 * log, kill and exit status; following the log across a forced disconnect
 * (no gap, no duplicate); stdin.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type E2EBay, eventually, withBay } from "./_bay.ts";

interface ProcItem {
  process_id: string;
  pid: number;
  command: string;
  status: string;
  exit_code: number | null;
  started_at: string;
  ended_at: string | null;
}

interface LogEvent {
  type: string;
  text?: string;
  offset?: number;
  exit_code?: number | null;
}

async function startProc(bay: E2EBay, sb: string, command: string): Promise<ProcItem> {
  const r = await bay.api("POST", `/v1/sandboxes/${sb}/processes`, { command });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.status, "running");
  return r.body;
}

async function getProc(bay: E2EBay, sb: string, pid: string): Promise<ProcItem> {
  const r = await bay.api("GET", `/v1/sandboxes/${sb}/processes/${pid}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function logs(
  bay: E2EBay,
  sb: string,
  pid: string,
  offset = 0,
): Promise<{ stdout: string; stderr: string; next_offset: number; status: string }> {
  const r = await bay.api("GET", `/v1/sandboxes/${sb}/processes/${pid}/logs?offset=${offset}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/**
 * Follow the log from `offset`; `stopAfter` (when given) aborts the request
 * once that many output events arrived — a forced disconnect mid-stream.
 */
async function follow(
  bay: E2EBay,
  sb: string,
  pid: string,
  offset: number,
  stopAfter?: number,
): Promise<{ events: LogEvent[]; aborted: boolean }> {
  const ctrl = new AbortController();
  const res = await bay.fetch(
    `/v1/sandboxes/${sb}/processes/${pid}/logs?offset=${offset}&follow=true`,
    { headers: { Accept: "application/x-ndjson" }, signal: ctrl.signal },
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/x-ndjson/);
  const events: LogEvent[] = [];
  let buf = "";
  let outputs = 0;
  try {
    for await (const text of res.body!.pipeThrough(new TextDecoderStream())) {
      buf += text;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line) as LogEvent;
        events.push(ev);
        if (ev.type === "stdout" || ev.type === "stderr") outputs++;
        if (stopAfter !== undefined && outputs >= stopAfter) {
          ctrl.abort();
          return { events, aborted: true };
        }
      }
    }
  } catch (e) {
    if (!ctrl.signal.aborted) throw e;
  }
  return { events, aborted: false };
}

Deno.test("e2e processes: background server, logs, reach over loopback, kill, follow, stdin", async (t) => {
  await withBay({}, async (bay) => {
    const sb = (await bay.createSandbox()).id;
    try {
      await bay.step(
        t,
        "http.server in the background, reached from another exec, killed",
        async () => {
          const p = await startProc(bay, sb, "python3 -u -m http.server 8765 --bind 127.0.0.1");
          assert.match(p.process_id, /^proc-/);
          assert.ok(p.pid > 0);
          await eventually(
            "the server's banner in its log",
            async () =>
              /Serving HTTP on 127\.0\.0\.1 port 8765/.test(
                (await logs(bay, sb, p.process_id)).stdout,
              ),
          );
          const fetchCode = "import urllib.request as u\n" +
            "r = u.urlopen('http://127.0.0.1:8765/', timeout=5)\n" +
            "print('status', r.status, len(r.read()) > 0)";
          const r = await bay.sh(sb, `python3 -c "${fetchCode}"`);
          assert.equal(r.exit_code, 0, JSON.stringify(r));
          assert.match(r.output, /status 200 True/);
          await eventually(
            "the request in the server's log",
            async () => /"GET \/ HTTP\/1\.1" 200/.test((await logs(bay, sb, p.process_id)).stderr),
          );
          const list = await bay.api("GET", `/v1/sandboxes/${sb}/processes`);
          assert.equal(list.status, 200);
          assert.ok(
            list.body.items.some((i: ProcItem) =>
              i.process_id === p.process_id && i.status === "running"
            ),
          );
          const k = await bay.api("POST", `/v1/sandboxes/${sb}/processes/${p.process_id}/kill`, {});
          assert.equal(k.status, 200, k.text);
          assert.equal(k.body.process_id, p.process_id);
          let item: ProcItem | null = null;
          await eventually("status killed", async () => {
            item = await getProc(bay, sb, p.process_id);
            return item.status !== "running";
          });
          const done = item! as ProcItem;
          assert.equal(done.status, "killed", JSON.stringify(done));
          assert.ok(done.exit_code === null || typeof done.exit_code === "number");
          assert.ok(done.ended_at, "ended_at set");
          const after = await bay.sh(sb, `python3 -c "${fetchCode}"`);
          assert.notEqual(after.exit_code, 0, "the server still answers after kill");
        },
      );

      await bay.step(t, "follow across a forced disconnect: no gap, no duplicate", async () => {
        const p = await startProc(
          bay,
          sb,
          "for i in $(seq 1 150); do echo line-$i; if [ $((i % 50)) = 0 ]; then echo warn-$i >&2; fi; sleep 0.01; done; exit 5",
        );
        const first = await follow(bay, sb, p.process_id, 0, 5);
        assert.ok(first.aborted, "the process ended before 5 output events");
        const outs = (evs: LogEvent[]) =>
          evs.filter((e) => e.type === "stdout" || e.type === "stderr");
        const lastOffset = outs(first.events).at(-1)!.offset!;
        const second = await follow(bay, sb, p.process_id, lastOffset);
        const exit = second.events.at(-1)!;
        assert.equal(exit.type, "exit", JSON.stringify(second.events.slice(-3)));
        assert.equal(exit.exit_code, 5);
        // The offsets chain: each event starts where the previous one ended.
        const enc = new TextEncoder();
        let pos = 0;
        const joined = { stdout: "", stderr: "" };
        for (const e of [...outs(first.events), ...outs(second.events)]) {
          assert.equal(e.offset! - enc.encode(e.text!).length, pos, "gap or overlap at " + pos);
          pos = e.offset!;
          joined[e.type as "stdout" | "stderr"] += e.text!;
        }
        const full = await logs(bay, sb, p.process_id, 0);
        assert.equal(full.status, "exited");
        assert.equal(full.next_offset, pos);
        assert.equal(joined.stdout, full.stdout);
        assert.equal(joined.stderr, full.stderr);
        const expected = Array.from({ length: 150 }, (_, i) => `line-${i + 1}\n`).join("");
        assert.equal(full.stdout, expected);
        assert.equal(full.stderr, "warn-50\nwarn-100\nwarn-150\n");
        const item = await getProc(bay, sb, p.process_id);
        assert.equal(item.status, "exited");
        assert.equal(item.exit_code, 5);
      });

      await bay.step(t, "stdin reaches the process", async () => {
        const cat = await startProc(bay, sb, "cat");
        const path = `/v1/sandboxes/${sb}/processes/${cat.process_id}/stdin`;
        const s1 = await bay.api("POST", path, { data: "hello\n" });
        assert.equal(s1.status, 200, s1.text);
        assert.deepEqual(s1.body, { status: "ok" });
        await bay.api("POST", path, { data: "wörld\n" });
        await eventually(
          "cat echoing stdin",
          async () => (await logs(bay, sb, cat.process_id)).stdout === "hello\nwörld\n",
        );
        await bay.api("POST", `/v1/sandboxes/${sb}/processes/${cat.process_id}/kill`, {
          signal: "SIGKILL",
        });
        await eventually(
          "cat killed",
          async () => (await getProc(bay, sb, cat.process_id)).status === "killed",
        );

        const rd = await startProc(bay, sb, `read l; echo "got:$l"`);
        await bay.api("POST", `/v1/sandboxes/${sb}/processes/${rd.process_id}/stdin`, {
          data: "abc\n",
        });
        await eventually(
          "read exiting",
          async () => (await getProc(bay, sb, rd.process_id)).status === "exited",
        );
        const item = await getProc(bay, sb, rd.process_id);
        assert.equal(item.exit_code, 0);
        assert.equal((await logs(bay, sb, rd.process_id)).stdout, "got:abc\n");
      });
    } finally {
      await bay.deleteSandbox(sb);
    }
  });
});
