/**
 * Hostile paths and the channel socket against a REAL Bay subprocess on the
 * local (bubblewrap) driver: hard links, links to the sandbox's own system
 * paths and to Bay's socket directory, a directory swapped for a link, and
 * raw HTTP over Bay's ship socket from the host. Complements (does not
 * repeat) tests/e2e/files_test.ts and shell_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { API_KEY, type E2EBay, withBay } from "../e2e/_bay.ts";
import type { PathCase } from "./_corpus.ts";
import { authed, callEndpoint, ENDPOINTS, fieldOf } from "./_endpoints.ts";
import { makeCanary, snapshotTree } from "./_fixtures.ts";
import { rawRequest, RawWs } from "./_rawws.ts";

async function sh(bay: E2EBay, id: string, command: string) {
  return await bay.sh(id, command);
}

function rawUnix(path: string, request: string) {
  return rawRequest({ path }, request);
}

Deno.test("sandbox: hostile links, hard links and Bay's socket on the local driver", async (t) => {
  const hostCanary = await makeCanary();
  try {
    await run(t, hostCanary.secret);
    await hostCanary.assertIntact("real sandbox suite");
  } finally {
    await hostCanary.remove();
  }
});

async function run(t: Deno.TestContext, hostSecret: string) {
  await withBay({ env: { BAY_DRIVER: "local" } }, async (bay) => {
    const a = await bay.createSandbox();
    const b = await bay.createSandbox();
    const f = authed((p, init) => bay.fetch(p, init), API_KEY);
    try {
      await sh(bay, a.id, "true");
      await bay.api("PUT", `/v1/sandboxes/${b.id}/filesystem/files`, {
        path: "marker.txt",
        content: hostSecret,
      });
      const instance = (await Deno.readTextFile(join(bay.dataDir, "instance-id"))).trim();
      const runDir = join(bay.dataDir, "run", instance);
      const socket = join(runDir, "ship.sock");
      const cargoA = join(bay.dataDir, "cargos", a.cargo_id);
      const cargoB = join(bay.dataDir, "cargos", b.cargo_id);
      const runBefore = await snapshotTree(runDir);
      const cargoBBefore = await snapshotTree(cargoB);

      await bay.step(t, "hard links to anything outside /workspace cannot be made", async () => {
        const r = await sh(
          bay,
          a.id,
          `printf tmp > /tmp/t.txt
           for src in /etc/passwd /usr/bin/python3 /etc/hostname /tmp/t.txt /proc/self/environ; do
             ln "$src" "hl$(echo "$src" | tr / _)" 2>&1 && echo "LINKED $src"
           done
           python3 -c "import os; os.link('/etc/group', 'hl_py')" 2>&1 | tail -1
           printf in > inside.txt && ln inside.txt inside2.txt && echo inside-ok`,
        );
        assert.doesNotMatch(r.output, /LINKED/, r.output);
        assert.match(r.output, /Invalid cross-device link|Operation not permitted/);
        assert.match(r.output, /inside-ok/, "a hard link inside the workspace is fine");
        const names: string[] = [];
        for await (const e of Deno.readDir(cargoA)) names.push(e.name);
        assert.deepEqual(names.filter((n) => n.startsWith("hl")), [], "no link reached the cargo");
      });

      await bay.step(
        t,
        "links to sandbox system paths and Bay's socket dir lead nowhere",
        async () => {
          const secret = `sandbox-canary-${crypto.randomUUID()}`;
          await sh(
            bay,
            a.id,
            [
              `mkdir /tmp/cdir && printf ${secret} > /tmp/cdir/secret.txt`,
              "ln -s /tmp/cdir l_tmp",
              "ln -s /proc/self l_proc",
              "ln -s /proc/1/root l_init_root",
              "ln -s /run/bay l_run",
              "ln -s /opt/shipyard l_repo",
              "ln -s .. l_up",
              "ln -s l_chain2 l_chain1 && ln -s /tmp/cdir l_chain2",
              "ln -s /tmp/cdir/new.txt l_dangling",
              "ln -s /tmp/newdir l_dangling_dir",
              "mkdir swap && printf canary > swap/secret.txt",
            ].join(" && "),
          );
          const before = await sh(
            bay,
            a.id,
            "ls -la --full-time /tmp/cdir; cat /tmp/cdir/secret.txt",
          );
          const ok = await callEndpoint(f, a.id, "read", pc("swap/secret.txt"));
          assert.equal(ok.status, 200, "the directory works before the swap");
          await sh(bay, a.id, "rm -rf swap && ln -s /tmp/cdir swap");
          const targets = [
            "l_tmp/secret.txt",
            "l_tmp",
            "l_proc/environ",
            "l_proc/root/etc/passwd",
            "l_proc/cwd/ship/main.ts",
            "l_init_root/etc/hostname",
            "l_run/ship.sock",
            "l_run/evil.txt",
            "l_run",
            "l_repo/deno.json",
            "l_repo/evil.txt",
            `l_up/${b.cargo_id}/marker.txt`,
            "l_up/x",
            "l_chain1/secret.txt",
            "l_dangling",
            "l_dangling_dir/x.txt",
            "swap/secret.txt",
            "swap",
          ];
          let n = 0;
          for (const p of targets) {
            for (const e of ENDPOINTS) {
              // Deleting a link itself (last component) unlinks only the link: checked below.
              if (e === "delete" && !p.includes("/")) continue;
              const r = await callEndpoint(f, a.id, e, pc(p));
              n++;
              const what = `${e} ${p}: ${r.status} ${r.text.slice(0, 200)}`;
              assert.equal(r.status, 400, what);
              assert.equal(r.body.error.code, "invalid_path", what);
              assert.equal(r.body.error.details.field, fieldOf(e), what);
              assert.equal(r.body.error.details.reason, "path_traversal", what);
              assert.ok(!r.text.includes(secret) && !r.text.includes(hostSecret), what);
            }
          }
          assert.ok(n >= 150, `${n} requests`);
          const after = await sh(
            bay,
            a.id,
            "ls -la --full-time /tmp/cdir; cat /tmp/cdir/secret.txt",
          );
          assert.equal(after.output, before.output, "the sandbox's /tmp canary is untouched");
          const made = await sh(bay, a.id, "ls /tmp/newdir /tmp/cdir/new.txt 2>&1 || true");
          assert.match(made.output, /No such file/);
          assert.doesNotMatch(made.output, /^\/tmp\/cdir\/new\.txt$/m);
          for (const p of ["l_tmp", "l_run", "l_dangling", "swap"]) {
            const r = await callEndpoint(f, a.id, "delete", pc(p));
            assert.equal(r.status, 200, `unlinking ${p} itself: ${r.text}`);
          }
          assert.equal(
            (await sh(bay, a.id, "cat /tmp/cdir/secret.txt")).output,
            secret,
            "unlinking never touches the target",
          );
          assert.deepEqual(await snapshotTree(runDir), runBefore, "Bay's socket dir unchanged");
          assert.deepEqual(await snapshotTree(cargoB), cargoBBefore, "the other cargo unchanged");
        },
      );

      await bay.step(t, "user code cannot reach the socket, nor see another sandbox", async () => {
        const r = await sh(
          bay,
          a.id,
          `ls /run/bay 2>&1; stat /run/bay/ship.sock 2>&1; ls /proc/1/root/run/bay 2>&1
           python3 - <<'EOF' 2>&1 | tail -1
import socket
s = socket.socket(socket.AF_UNIX)
s.connect('/proc/1/root/run/bay/ship.sock')
print('CONNECTED')
EOF
           cat /proc/self/mountinfo`,
        );
        assert.doesNotMatch(r.output, /CONNECTED|ship\.sock\s*$/m, r.output);
        assert.equal((r.output.match(/Permission denied/g) ?? []).length >= 4, true, r.output);
        assert.ok(r.output.includes(`cargos/${a.cargo_id}`), "its own cargo is mounted");
        assert.ok(!r.output.includes(b.cargo_id), "the other sandbox's cargo is not");
        const st = await Deno.stat(socket);
        assert.equal(st.mode! & 0o777, 0o600, "socket is 0600");
        assert.equal((await Deno.stat(runDir)).mode! & 0o777, 0o700, "its directory is 0700");
      });

      await bay.step(t, "the ship socket serves only the ship endpoints", async () => {
        const auth = `Authorization: Bearer ${API_KEY}\r\n`;
        const over = await bay.api("GET", "/v1/sandboxes");
        assert.equal(over.status, 200, "the same request over TCP works");
        const probes = [
          `GET /v1/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `GET /v1/sandboxes/${a.id} HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `POST /v1/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
          `POST /v1/sandboxes/${a.id}/shell/exec HTTP/1.1\r\nHost: bay\r\n${auth}Content-Type: application/json\r\nContent-Length: 16\r\n\r\n{"command":"id"}`,
          `GET /v1/admin/gc/status HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `GET /health HTTP/1.1\r\nHost: bay\r\n\r\n`,
          `GET /metrics HTTP/1.1\r\nHost: bay\r\n\r\n`,
          `GET /openapi.json HTTP/1.1\r\nHost: bay\r\n\r\n`,
          `POST /mcp HTTP/1.1\r\nHost: bay\r\n${auth}Content-Length: 0\r\n\r\n`,
          `GET /v1/ship/connect/../../sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `GET /v1/ship/connect/%2e%2e/%2e%2e/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `GET //v1/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `GET http://bay/v1/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          `GET /v1/ship/transfers/${"0".repeat(64)} HTTP/1.1\r\nHost: bay\r\n\r\n`,
          `GET /v1/ship/transfers/../../v1/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
        ];
        for (const req of probes) {
          const r = await rawUnix(socket, req);
          const line = req.split("\r\n")[0];
          assert.equal(r.status, 404, `${line} -> ${r.text.slice(0, 200)}`);
          assert.ok(!r.text.includes(a.id), `${line} leaked a sandbox id`);
        }
        const plain = await rawUnix(socket, "GET /v1/ship/connect HTTP/1.1\r\nHost: bay\r\n\r\n");
        assert.equal(plain.status, 426, "the connect endpoint wants a WebSocket");
        const ws = await RawWs.open({ path: socket });
        await ws.sendJson({
          t: "hello",
          session_id: "sess-000000000000",
          token: "guess",
          protocol: 1,
          ship_version: "x",
        });
        assert.equal((await ws.waitClosed()).reason, "unauthorized");
        const still = await sh(bay, a.id, "echo alive");
        assert.equal(still.output, "alive\n", "the real ship is unaffected");
      });
    } finally {
      await bay.deleteSandbox(a.id);
      await bay.deleteSandbox(b.id);
    }
  });
}

function pc(value: string): PathCase {
  return { label: value, value, expect: { refuse: "path_traversal" } };
}
