/**
 * Path traversal on every endpoint that takes a workspace path (file API and
 * `cwd`), at each layer: Bay's lexical check alone, the ship's checks alone,
 * and both together with real (in-process) ships and symlinks pointing at
 * host canaries. See README.md for what must hold.
 *
 * In-process ships are unsandboxed: every escape here is aimed at a canary
 * directory the test made, never at a system file it could damage; links to
 * `/etc` and `/proc/self` only get read-only operations.
 *
 * @module
 */
import assert from "node:assert/strict";
import { posix } from "node:path";
import type { Channel } from "@shipyard/ship/channel";
import { ShipRuntime } from "@shipyard/ship/runtime";
import { TEST_KEY, testBay } from "../../bay/testing.ts";
import { insideCases, type PathCase, refusedCases } from "./_corpus.ts";
import {
  type Answer,
  authed,
  callEndpoint,
  type Endpoint,
  ENDPOINTS,
  fieldOf,
} from "./_endpoints.ts";
import { makeCanary, snapshotTree, tableCounts } from "./_fixtures.ts";

const READ_ONLY: Endpoint[] = ["read", "list", "download", "shell_cwd", "process_cwd"];

function assertRefused(r: Answer, e: Endpoint, pc: PathCase, reason: string) {
  const what = `${e} ${pc.label} ${JSON.stringify(pc.value.slice(0, 60))}`;
  if (reason === "too_long" && r.status === 422) {
    // A schema cap (e.g. `cwd` ≤ 4096 characters) may refuse an overlong path first.
    assert.equal(r.body?.error?.code, "validation_error", what);
    return;
  }
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text.slice(0, 300)}`);
  assert.equal(r.body?.error?.code, "invalid_path", `${what}: ${r.text.slice(0, 300)}`);
  assert.equal(r.body.error.details.field, fieldOf(e), what);
  assert.equal(r.body.error.details.reason, reason, what);
}

Deno.test("traversal: Bay refuses every escaping path lexically, before any compute starts", async () => {
  // Fake driver, no ship: a path that slipped through would start a session (and fail fast).
  const t = await testBay({ env: { BAY_SESSION_START_TIMEOUT_MS: "1000" } });
  try {
    const f = authed((p, i) => t.bay.app.request(p, i), TEST_KEY);
    const sb = await (await t.request("POST", "/v1/sandboxes", { body: {} })).json();
    const before = await tableCounts(t.db);
    const cases = refusedCases("../".repeat(6), "/tmp/sec-canary", "ws-000000000000");
    let n = 0;
    for (const pc of cases) {
      for (const e of ENDPOINTS) {
        assertRefused(
          await callEndpoint(f, sb.id, e, pc),
          e,
          pc,
          (pc.expect as { refuse: string }).refuse,
        );
        n++;
      }
    }
    assert.equal(t.driver.specs.size, 0, "no session was started for a refused path");
    assert.deepEqual(await tableCounts(t.db), before, "refusals changed no table");
    assert.ok(n >= 400, `${n} requests`);
  } finally {
    await t.close();
  }
});

Deno.test("traversal: the ship refuses the same corpus on its own (Bay bypassed)", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "sec-ws-" }));
  const canary = await makeCanary();
  const runtime = new ShipRuntime({
    workspace: root,
    runtimeDir: `${root}.run`,
    eagerKernel: false,
  });
  try {
    const climb = "../".repeat(root.split("/").length - 1);
    const io = {
      onEvent: () => {},
      signal: new AbortController().signal,
      channel: {} as Channel,
    };
    const ops: [string, (p: string) => Promise<unknown>][] = [
      ["fs_read", (p) => runtime.dispatch({ op: "fs_read", path: p, max_bytes: 1 << 20 }, io)],
      [
        "fs_write",
        (p) => runtime.dispatch({ op: "fs_write", path: p, content: "x", encoding: "utf-8" }, io),
      ],
      ["fs_list", (p) => runtime.dispatch({ op: "fs_list", path: p, show_hidden: true }, io)],
      ["fs_delete", (p) => runtime.dispatch({ op: "fs_delete", path: p }, io)],
      ["fs_edit", (p) =>
        runtime.dispatch({
          op: "fs_edit",
          path: p,
          old_string: "canary",
          new_string: "pwned",
          replace_all: true,
        }, io)],
      ["upload", (p) => runtime.fs.upload(p, new Blob(["x"]).stream(), 1 << 20)],
      ["download", (p) => runtime.fs.openDownload(p)],
      [
        "shell cwd",
        (p) =>
          runtime.dispatch({
            op: "shell_exec",
            command: "pwd",
            cwd: p,
            timeout_ms: 5000,
            stream: false,
          }, io),
      ],
      ["proc cwd", (p) => runtime.dispatch({ op: "proc_start", command: "pwd", cwd: p }, io)],
    ];
    let n = 0;
    for (const pc of refusedCases(climb, canary.dir, "ws-000000000000")) {
      for (const [name, op] of ops) {
        const what = `${name} ${pc.label}`;
        await assert.rejects(
          op(pc.value),
          (e: Error & { code?: string; details?: { reason?: string } }) => {
            assert.equal(e.code, "invalid_path", `${what}: ${e.message}`);
            assert.equal(e.details?.reason, (pc.expect as { refuse: string }).refuse, what);
            return true;
          },
          what,
        );
        n++;
      }
    }
    assert.ok(n >= 350, `${n} calls`);
    await canary.assertIntact("ship layer corpus");
  } finally {
    await runtime.close();
    await canary.remove();
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.remove(`${root}.run`, { recursive: true }).catch(() => {});
  }
});

Deno.test("traversal: end to end with real ships, odd names stay inside and links never lead out", async (t) => {
  const bay = await testBay({ ships: true });
  const canary = await makeCanary();
  try {
    const f = authed((p, i) => bay.bay.app.request(p, i), TEST_KEY);
    const create =
      async () => (await (await bay.request("POST", "/v1/sandboxes", { body: {} })).json());
    const sh = async (id: string, command: string) => {
      const res = await bay.request("POST", `/v1/sandboxes/${id}/shell/exec`, {
        body: { command },
      });
      const body = await res.json();
      assert.equal(body.exit_code, 0, `${command}: ${JSON.stringify(body)}`);
      return body.output as string;
    };
    const sb = await create();
    const nb = await create();
    await sh(sb.id, "true");
    const ws = await Deno.realPath(`${bay.dataDir}/cargos/${sb.cargo_id}`);
    const cargos = await Deno.realPath(`${bay.dataDir}/cargos`);
    const w = await bay.request("PUT", `/v1/sandboxes/${nb.id}/filesystem/files`, {
      body: { path: "canary.txt", content: canary.secret },
    });
    assert.equal(w.status, 200);
    const passwd = await Deno.readTextFile("/etc/passwd");
    // Everything on the host Bay's in-process ships could reach, except the victim's own workspace.
    const others = async () => {
      const all = await snapshotTree(cargos);
      return Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith(sb.cargo_id)));
    };
    const othersBefore = await others();
    const climb = "../".repeat(ws.split("/").length - 1);
    const leaks: string[] = [];
    const call = async (e: Endpoint, pc: PathCase) => {
      const r = await callEndpoint(f, sb.id, e, pc);
      assert.ok(r.status < 500, `${e} ${pc.label}: ${r.status} ${r.text.slice(0, 300)}`);
      if (r.text.includes(canary.secret)) leaks.push(`${e} ${pc.label}`);
      return r;
    };
    let n = 0;

    await t.step("refused corpus through Bay and ship", async () => {
      for (const pc of refusedCases(climb, canary.dir, nb.cargo_id)) {
        for (const e of ENDPOINTS) {
          assertRefused(await call(e, pc), e, pc, (pc.expect as { refuse: string }).refuse);
          n++;
        }
      }
    });

    await t.step("odd but valid names land inside the workspace", async () => {
      for (const pc of insideCases) {
        for (const e of ENDPOINTS) {
          const r = await call(e, pc);
          n++;
          if (r.status === 400) assert.notEqual(r.body.error.details?.reason, "path_traversal");
          if ((e === "write" || e.startsWith("upload")) && r.status === 200) {
            // Uploads answer the normalised path (a form field's \n arrives as \r\n).
            const norm = e === "write"
              ? posix.normalize(pc.value).replace(/\/+$/, "")
              : r.body.path;
            const st = await Deno.lstat(`${ws}/${norm}`);
            assert.ok(st.isFile, `${e} ${pc.label} wrote inside the workspace`);
          }
        }
      }
      const up = await call("upload", {
        label: "odd filename",
        value: "odd.txt",
        expect: { inside: true },
      });
      assert.equal(up.status, 200, up.text);
      assert.equal(up.body.path, "odd.txt", "the form's filename is ignored; path decides");
    });

    await t.step(
      "symlinks, chains, dangling links and a swapped directory never lead out",
      async () => {
        const c = canary.dir;
        await sh(
          sb.id,
          [
            `ln -s ${c} l_abs`,
            `ln -s ${c}/secret.txt l_file`,
            `ln -s ../${nb.cargo_id} l_rel`,
            "ln -s .. l_up",
            "mkdir -p sub && ln -s sub/l_chain3 l_chain2 && ln -s l_chain2 l_chain1",
            `ln -s ${c} sub/l_chain3`,
            `ln -s ${c}/created-through-link.txt l_dangling`,
            `ln -s ${c}/newdir l_dangling_dir`,
            "ln -s /proc/self l_proc",
            "ln -s /etc l_etc",
            "ln -s l_loop2 l_loop1 && ln -s l_loop1 l_loop2",
            "mkdir swap && printf canary > swap/secret.txt",
            "ln -s sub inner && printf canary > sub/f.txt",
          ].join(" && "),
        );
        const pc = (value: string): PathCase => ({
          label: value,
          value,
          expect: { refuse: "path_traversal" },
        });
        // Positive controls: a link that stays inside works, and so does the directory before the swap.
        assert.equal((await call("read", pc("inner/f.txt"))).status, 200);
        assert.equal((await call("read", pc("swap/secret.txt"))).status, 200);
        await sh(sb.id, `rm -rf swap && ln -s ${c} swap`);
        const writable: string[] = [
          "l_abs/secret.txt",
          "l_abs/sub/inner.txt",
          "l_abs/new.txt",
          "l_file",
          `l_rel/canary.txt`,
          `l_up/${nb.cargo_id}/canary.txt`,
          "l_up/x",
          "l_chain1/secret.txt",
          "l_dangling",
          "l_dangling_dir/x.txt",
          "swap/secret.txt",
          "swap/sub/inner.txt",
        ];
        const fileLinks = ["l_file", "l_dangling"]; // deleting these removes the link: below
        for (const p of writable) {
          for (const e of ENDPOINTS) {
            if (e === "delete" && fileLinks.includes(p)) continue;
            assertRefused(await call(e, pc(p)), e, pc(p), "path_traversal");
            n++;
          }
        }
        const dirs = ["l_abs", "l_rel", "l_up", "l_chain1", "swap", "l_abs/sub", "l_dangling_dir"];
        const readOnly = [
          "l_proc/environ",
          "l_proc/root/etc/passwd",
          "l_proc/cwd",
          "l_proc",
          "l_etc",
          "l_etc/passwd",
        ];
        for (const p of [...dirs, ...readOnly]) {
          for (const e of READ_ONLY) {
            assertRefused(await call(e, pc(p)), e, pc(p), "path_traversal");
            n++;
          }
        }
        for (const p of ["l_loop1", "l_loop1/x"]) {
          for (const e of ENDPOINTS) {
            if (e === "delete" && p === "l_loop1") continue; // unlinks the link itself: fine
            const r = await call(e, pc(p));
            assert.equal(r.status, 400, `${e} ${p}: ${r.text}`);
            n++;
          }
        }
        // Deleting a link removes the link itself, never its target.
        for (const p of ["l_abs", "l_file", "l_dangling", "l_rel", "swap"]) {
          const r = await call("delete", pc(p));
          assert.equal(r.status, 200, `delete ${p}: ${r.text}`);
          await assert.rejects(Deno.lstat(`${ws}/${p}`), Deno.errors.NotFound);
        }
      },
    );

    await t.step("the workspace root itself cannot be written or deleted", async () => {
      await sh(sb.id, "mkdir -p a/b && printf keep > keep.txt");
      const before = await snapshotTree(ws);
      for (const value of [".", "./", "a/..", "./.", "a/b/../..", "sub/.."]) {
        const p: PathCase = { label: `root ${value}`, value, expect: { inside: true } };
        for (const e of ENDPOINTS) {
          const r = await call(e, p);
          n++;
          if (e === "list" || e === "shell_cwd" || e === "process_cwd") {
            assert.ok(r.status === 200 || r.status === 201, `${e} ${value}: ${r.text}`);
          } else {
            assert.equal(r.status, 400, `${e} ${value}: ${r.status} ${r.text}`);
          }
          if (e === "delete") assert.equal(r.body.error.details.reason, "root_path");
        }
      }
      const after = await snapshotTree(ws);
      for (const k of Object.keys(before)) assert.ok(k in after, `${k} survived`);
      assert.equal(await Deno.readTextFile(`${ws}/keep.txt`), "keep");
    });

    await t.step("names too long for the filesystem are a 400, never a 5xx", async () => {
      const long = Array(16).fill("c".repeat(255)).join("/"); // 4095 bytes: lexically fine
      for (const e of ENDPOINTS) {
        const r = await call(e, { label: "4095 bytes", value: long, expect: { inside: true } });
        assert.equal(r.status, 400, `${e}: ${r.status} ${r.text.slice(0, 200)}`);
        n++;
      }
    });

    assert.deepEqual(leaks, [], "no response carried the canary's content");
    await canary.assertIntact("end to end corpus");
    assert.deepEqual(await others(), othersBefore, "other cargos unchanged");
    assert.equal(await Deno.readTextFile("/etc/passwd"), passwd);
    assert.ok(n >= 900, `${n} requests`);
  } finally {
    await bay.close();
    await canary.remove();
  }
});
