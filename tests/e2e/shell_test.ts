/**
 * Shell execution and the sandbox boundary through a real Bay (API §3.2).
 *
 * @module
 */
import assert from "node:assert/strict";
import { withBay } from "./_bay.ts";

Deno.test("e2e shell: output, user, cwd, env, timeout, truncation, isolation", async (t) => {
  await withBay({}, async (bay) => {
    const sb = await bay.createSandbox();
    const shell = (body: Record<string, unknown>) =>
      bay.api("POST", `/v1/sandboxes/${sb.id}/shell/exec`, body);
    try {
      await bay.step(t, "stdout, stderr, exit code and success", async () => {
        const ok = await bay.sh(sb.id, "echo out; echo err >&2", { include_code: true });
        assert.equal(ok.success, true);
        assert.equal(ok.output, "out\n");
        assert.equal(ok.error, "err\n");
        assert.equal(ok.exit_code, 0);
        assert.equal(ok.command, "echo out; echo err >&2");
        assert.match(ok.execution_id, /^exec-[0-9a-f]{12}$/);

        const bad = await bay.sh(sb.id, "echo partial; exit 3");
        assert.equal(bad.success, false);
        assert.equal(bad.exit_code, 3);
        assert.equal(bad.output, "partial\n");
        assert.equal(bad.error, null);
        assert.equal(bad.command, null);
      });

      await bay.step(t, "runs as uid 1000 with HOME and cwd /workspace", async () => {
        const r = await bay.sh(sb.id, 'id -u; id -g; echo "$HOME"; pwd');
        assert.equal(r.output, "1000\n1000\n/workspace\n/workspace\n");
      });

      await bay.step(t, "cwd is relative to /workspace and checked", async () => {
        await bay.sh(sb.id, "mkdir -p sub/dir");
        const r = await bay.sh(sb.id, "pwd", { cwd: "sub/dir" });
        assert.equal(r.output, "/workspace/sub/dir\n");
        const inner = await bay.sh(sb.id, "pwd", { cwd: "sub/../sub" });
        assert.equal(inner.output, "/workspace/sub\n");

        for (
          const [cwd, reason] of [
            ["../etc", "path_traversal"],
            ["a/../../x", "path_traversal"],
            ["/etc", "absolute_path"],
            ["a\u0000b", "null_byte"],
          ]
        ) {
          const res = await shell({ command: "pwd", cwd });
          assert.equal(res.status, 400, `${JSON.stringify(cwd)}: ${res.text}`);
          assert.equal(res.body.error.code, "invalid_path");
          assert.equal(res.body.error.details.field, "cwd");
          assert.equal(res.body.error.details.reason, reason);
        }
        await bay.sh(sb.id, "ln -s /etc etclink");
        const link = await shell({ command: "pwd", cwd: "etclink" });
        assert.equal(link.status, 400, link.text);
        assert.equal(link.body.error.code, "invalid_path");
        assert.equal(link.body.error.details.field, "cwd");
        assert.equal(link.body.error.details.reason, "path_traversal");
      });

      await bay.step(t, "request env is applied", async () => {
        const r = await bay.sh(sb.id, 'echo "$GREETING $OTHER"', {
          env: { GREETING: "hello", OTHER: "world with spaces" },
        });
        assert.equal(r.output, "hello world with spaces\n");
      });

      await bay.step(t, "a timeout kills the command, keeps output so far", async () => {
        const t0 = performance.now();
        const r = await bay.sh(sb.id, "echo before; sleep 30; echo after", { timeout: 1 });
        assert.ok(performance.now() - t0 < 5000);
        assert.equal(r.success, false);
        assert.equal(r.exit_code, -1);
        assert.equal(r.output, "before\n");
        assert.match(r.error, /timed out after 1 second/);
      });

      await bay.step(t, "a timeout kills background children of the command too", async () => {
        const r = await bay.sh(sb.id, "(sleep 3; touch bg-survivor) & sleep 30", { timeout: 1 });
        assert.equal(r.exit_code, -1);
        await new Promise((res) => setTimeout(res, 3500));
        const ls = await bay.sh(sb.id, "test -e bg-survivor && echo yes || echo no");
        assert.equal(ls.output, "no\n");
      });

      await bay.step(t, "runaway output is truncated and Bay stays responsive", async () => {
        const t0 = performance.now();
        const running = bay.sh(sb.id, "yes", { timeout: 3 });
        await new Promise((res) => setTimeout(res, 1000));
        const h0 = performance.now();
        const health = await fetch(`${bay.url}/health`);
        assert.equal(health.status, 200);
        await health.body?.cancel();
        const other = await bay.api("GET", `/v1/sandboxes/${sb.id}`);
        assert.equal(other.status, 200);
        assert.ok(performance.now() - h0 < 1000, "Bay answers while output floods in");
        const r = await running;
        assert.ok(performance.now() - t0 < 8000);
        assert.equal(r.exit_code, -1);
        assert.match(r.output, /^y\ny\ny\n/);
        assert.match(r.output, /\n\[output truncated: \d+ bytes dropped\]$/);
        assert.ok(r.output.length <= 1024 * 1024 + 100, `kept ${r.output.length} chars`);
      });

      await bay.step(t, "system directories are read-only", async () => {
        const etc = await bay.sh(sb.id, "touch /etc/x");
        assert.notEqual(etc.exit_code, 0);
        assert.match(etc.error, /Read-only file system|Permission denied/);
        const usr = await bay.sh(sb.id, "echo x > /usr/x");
        assert.notEqual(usr.exit_code, 0);
        assert.match(usr.error, /Read-only file system|Permission denied/);
        const tmp = await bay.sh(sb.id, "echo ok > /tmp/t && cat /tmp/t");
        assert.equal(tmp.output, "ok\n", "but /tmp is writable");
      });

      await bay.step(t, "no network but loopback", async () => {
        const ifaces = await bay.sh(sb.id, "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '");
        assert.equal(ifaces.output, "lo\n");
        // An unshared netns has no route: the connect fails locally, nothing is sent.
        const out = await bay.sh(
          sb.id,
          `python3 -c "import socket; socket.create_connection(('1.1.1.1', 80), timeout=2)"`,
        );
        assert.notEqual(out.exit_code, 0);
        assert.match(out.error, /Network is unreachable|OSError/);
        const lo = await bay.sh(
          sb.id,
          `python3 -c "
import socket
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()
c = socket.create_connection(s.getsockname(), timeout=2); print('loopback ok')"`,
        );
        assert.equal(lo.output, "loopback ok\n");
      });

      await bay.step(t, "cannot reach Bay's socket or the ship's secrets", async () => {
        const dial = await bay.sh(
          sb.id,
          `python3 -c "
import socket
s = socket.socket(socket.AF_UNIX)
s.connect('/run/bay/ship.sock')"`,
        );
        assert.notEqual(dial.exit_code, 0, "user code cannot dial Bay's ship socket");
        assert.match(dial.error, /PermissionError|Permission denied/);
        // The ship: a deno process running ship/main.ts (not bwrap, not this shell).
        const ship = await bay.sh(
          sb.id,
          `for p in /proc/[0-9]*; do
             exe=$(tr '\\0' '\\n' < $p/cmdline 2>/dev/null | head -1)
             case "$exe" in */deno) grep -q ship/main.ts $p/cmdline && echo $p;; esac
           done`,
        );
        const pidDir = ship.output.trim();
        assert.match(pidDir, /^\/proc\/\d+$/, "exactly one ship, visible in the pid namespace");
        const env = await bay.sh(sb.id, `cat ${pidDir}/environ`);
        assert.notEqual(env.exit_code, 0);
        assert.match(env.error, /Permission denied/);
        const mem = await bay.sh(sb.id, `head -c 16 ${pidDir}/mem`);
        assert.notEqual(mem.exit_code, 0);
        const own = await bay.sh(sb.id, "env | grep -c SHIP_ || true");
        assert.equal(own.output, "0\n", "no SHIP_* settings leak into user commands");
      });
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});
