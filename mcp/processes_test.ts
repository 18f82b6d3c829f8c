import assert from "node:assert/strict";
import { eventually, json, text, withMcp } from "./_test_mcp.ts";

Deno.test("process tools: start, stdin, logs with offsets, list, kill", async () => {
  await withMcp({}, async ({ call }) => {
    const { id } = json(await call("create_sandbox", {}));
    const p = json(
      await call("start_process", {
        sandbox_id: id,
        command: 'echo ready; read line; echo "got $line"',
      }),
    );
    assert.match(p.process_id, /^proc-[0-9a-f]{12}$/);
    assert.equal(p.status, "running");

    await eventually(async () =>
      /ready/.test(
        text(await call("get_process_logs", { sandbox_id: id, process_id: p.process_id })),
      )
    );
    assert.deepEqual(
      json(
        await call("write_process_stdin", {
          sandbox_id: id,
          process_id: p.process_id,
          data: "abc\n",
        }),
      ),
      { status: "ok" },
    );
    const logs = await eventually(async () => {
      const t = text(await call("get_process_logs", { sandbox_id: id, process_id: p.process_id }));
      return /: exited\n/.test(t) ? t : null;
    });
    assert.match(logs, /--- stdout ---\nready\ngot abc\n/);
    const offset = Number(/next_offset: (\d+)/.exec(logs)![1]);
    const rest = text(
      await call("get_process_logs", { sandbox_id: id, process_id: p.process_id, offset }),
    );
    assert.match(rest, /\(no new output\)/);

    const sleeper = json(await call("start_process", { sandbox_id: id, command: "sleep 60" }));
    const listed = json(await call("list_processes", { sandbox_id: id }));
    assert.deepEqual(
      listed.map((x: { process_id: string }) => x.process_id).sort(),
      [p.process_id, sleeper.process_id].sort(),
    );
    json(
      await call("kill_process", {
        sandbox_id: id,
        process_id: sleeper.process_id,
        signal: "SIGKILL",
      }),
    );
    await eventually(async () => {
      const all = json(await call("list_processes", { sandbox_id: id }));
      return all.find((x: { process_id: string; status: string }) =>
        x.process_id === sleeper.process_id && x.status !== "running"
      );
    });

    const missing = await call("get_process_logs", {
      sandbox_id: id,
      process_id: "proc-000000000000",
    });
    assert.equal(missing.isError, true);
    assert.match(text(missing), /error \[not_found\]/);
  });
});
