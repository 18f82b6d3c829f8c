/**
 * Smoke tests of the `bay` CLI: a real Bay subprocess on a loopback port,
 * the CLI run as a subprocess against it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { API_KEY, freePort, startBay } from "../tests/e2e/_bay.ts";
import { bay, cleanEnv, deno, MAIN, ROOT, type Run } from "./_test_util.ts";
import { formatBytes } from "./_progress.ts";

function ok(r: Run): Run {
  assert.deepEqual(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

Deno.test("bay: client commands against a real Bay", async (t) => {
  const server = await startBay();
  const tmp = await Deno.makeTempDir({ prefix: "bay-cli-" });
  const env = { BAY_ENDPOINT: server.url, BAY_API_KEY: API_KEY };
  let id = "";
  try {
    await server.step(t, "sandbox create --json", async () => {
      const r = ok(await bay(["sandbox", "create", "--ttl", "600", "--json"], env));
      const info = JSON.parse(r.stdout);
      assert.match(info.id, /^sandbox-/);
      assert.deepEqual(info.profile, "python-default");
      assert(info.expires_at);
      id = info.id;
    });
    await server.step(t, "exec shell: streamed output, exit code passed on", async () => {
      const r = await bay(["exec", "shell", id, "echo hi; echo oops >&2; exit 3"], env);
      assert.deepEqual(r.code, 3, r.stderr);
      assert.deepEqual(r.stdout, "hi\n");
      assert.ok(r.stderr.includes("oops"), r.stderr);
    });
    await server.step(t, "exec python: output, exit 1 on an exception, stdin code", async () => {
      const r = ok(await bay(["exec", "python", id, "print(1)"], env));
      assert.deepEqual(r.stdout, "1\n");
      const bad = await bay(["exec", "python", id, "1/0"], env);
      assert.deepEqual(bad.code, 1);
      assert.ok(bad.stderr.includes("ZeroDivisionError"), bad.stderr);
      const piped = ok(await bay(["exec", "python", id], env, { stdin: "print(6 * 7)\n" }));
      assert.deepEqual(piped.stdout, "42\n");
      const js = ok(await bay(["exec", "shell", "--json", id, "ls", "-a"], env));
      assert.deepEqual(JSON.parse(js.stdout).exit_code, 0);
    });
    await server.step(t, "files put/get: 5 MiB round trip, byte for byte", async () => {
      const data = new Uint8Array(5 * 1024 * 1024);
      for (let i = 0; i < data.length; i += 65536) {
        crypto.getRandomValues(data.subarray(i, i + 65536));
      }
      const src = join(tmp, "src.bin");
      const dst = join(tmp, "dst.bin");
      await Deno.writeFile(src, data);
      const put = ok(await bay(["files", "put", id, src, "dir/big.bin"], env));
      assert.ok(put.stderr.includes("5.0 MiB"), put.stderr); // stderr is not a TTY: one summary line
      assert.ok(put.stderr.includes("MiB/s"), put.stderr);
      assert.deepEqual(put.stderr.trim().split("\n").length, 1);
      const get = ok(await bay(["files", "get", id, "dir/big.bin", dst], env));
      assert.ok(get.stderr.includes("5.0 MiB"), get.stderr);
      const back = await Deno.readFile(dst);
      assert.deepEqual(back.length, data.length);
      assert(back.every((b, i) => b === data[i]), "downloaded bytes differ");
      const missing = await bay(["files", "get", id, "nope.bin", join(tmp, "x")], env);
      assert.deepEqual(missing.code, 1);
      assert.deepEqual([...Deno.readDirSync(tmp)].map((e) => e.name).sort(), [
        "dst.bin",
        "src.bin",
      ]);
    });
    await server.step(t, "sandbox list and get", async () => {
      const list = JSON.parse(ok(await bay(["sandbox", "list", "--json"], env)).stdout);
      assert(list.some((s: { id: string }) => s.id === id));
      const table = ok(await bay(["sandbox", "list"], env)).stdout;
      assert.ok(table.includes(id), table);
      const got = JSON.parse(ok(await bay(["sandbox", "get", id, "--json"], env)).stdout);
      assert.deepEqual(got.id, id);
    });
    await server.step(t, "key from --key and BAY_TOKEN; a bad key fails", async () => {
      const base = { BAY_ENDPOINT: server.url };
      ok(await bay(["sandbox", "get", id, "--key", API_KEY], base));
      ok(await bay(["sandbox", "get", id], { ...base, BAY_TOKEN: API_KEY }));
      const bad = await bay(["sandbox", "get", id], { ...base, BAY_API_KEY: "wrong-key" });
      assert.deepEqual(bad.code, 1);
    });
    await server.step(t, "sandbox delete; gc prints results", async () => {
      ok(await bay(["sandbox", "delete", id], env));
      const list = JSON.parse(ok(await bay(["sandbox", "list", "--json"], env)).stdout);
      assert(!list.some((s: { id: string }) => s.id === id));
      const gc = ok(await bay(["gc"], env));
      assert.ok(gc.stdout.includes("expired_sandbox"), gc.stdout);
      assert.ok(gc.stdout.includes("total cleaned"), gc.stdout);
      const one = JSON.parse(ok(await bay(["gc", "--task", "orphan_cargo", "--json"], env)).stdout);
      assert.deepEqual(one.results.map((r: { task_name: string }) => r.task_name), [
        "orphan_cargo",
      ]);
    });
    await server.step(t, "usage errors exit 2", async () => {
      assert.deepEqual((await bay(["sandbox", "frob"], env)).code, 2);
      assert.deepEqual((await bay(["exec", "ruby", "x", "y"], env)).code, 2);
      assert.deepEqual((await bay(["nope"], env)).code, 2);
      assert.ok(
        ok(await bay(["--help"])).stdout.includes("bay exec python"),
        ok(await bay(["--help"])).stdout,
      );
    });
  } finally {
    if (id) await server.deleteSandbox(id);
    const leaked = await server.stop();
    await Deno.remove(tmp, { recursive: true });
    assert.deepEqual(leaked, []);
  }
});

Deno.test("bay keys: create and list in a temporary data dir", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bay-cli-keys-" });
  try {
    const env = { BAY_DATA_DIR: dir };
    const created = JSON.parse(ok(await bay(["keys", "create", "--owner", "alice"], env)).stdout);
    assert.deepEqual(created.owner, "alice");
    assert(created.key);
    const listed = ok(await bay(["keys", "list"], env)).stdout.trim().split("\n")
      .map((l) => JSON.parse(l));
    assert(listed.some((k: { id: string }) => k.id === created.id));
    assert.deepEqual((await bay(["keys", "create"], env)).code, 1); // --owner is required
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bay bundle: builds without native addons and runs with stock deno", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bay-cli-bundle-" });
  try {
    const out = join(dir, "bay.js");
    const b = await deno(["bundle", "--platform", "deno", join(ROOT, "cli/main.ts"), "-o", out]);
    assert.deepEqual(b.code, 0, b.stderr);
    const js = await Deno.readTextFile(out);
    for (const native of ["zeromq", "pglite", "dockerode"]) assert(!js.includes(native), native);
    // Run from a directory without any deno.json: the bundle is self-contained.
    const help = await deno(["run", "-A", out, "--help"], {}, { cwd: dir });
    assert.deepEqual(help.code, 0, help.stderr);
    assert.ok(help.stdout.includes("bay files put SANDBOX LOCAL REMOTE"), help.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("formatBytes", () => {
  assert.deepEqual(formatBytes(12), "12 B");
  assert.deepEqual(formatBytes(1536), "1.5 KiB");
  assert.deepEqual(formatBytes(5 * 1024 * 1024), "5.0 MiB");
});

Deno.test("bay serve: starts Bay, answers /health, stops on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "bay-cli-serve-" });
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--frozen", "--unstable-no-legacy-abort", MAIN, "serve"],
    env: cleanEnv({
      BAY_DATA_DIR: dir,
      BAY_HOST: "127.0.0.1",
      BAY_PORT: String(port),
      BAY_API_KEY: API_KEY,
    }),
    clearEnv: true,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    const deadline = Date.now() + 60_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline) {
      healthy = await fetch(`http://127.0.0.1:${port}/health`)
        .then(async (r) => r.ok && (await r.json()).status === "ok")
        .catch(() => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(healthy, "bay serve never became healthy");
  } finally {
    child.kill("SIGTERM");
    const o = await output;
    await Deno.remove(dir, { recursive: true });
    const out = new TextDecoder().decode(o.stdout);
    assert.equal(o.code, 0, `${out}\n${new TextDecoder().decode(o.stderr)}`);
    assert.ok(out.includes(`Bay listening on http://127.0.0.1:${port}`), out);
  }
});
