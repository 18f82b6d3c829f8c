// Node 20+ smoke test of the bundled SDK against a real Bay, run by
// `node_test.ts`: `SDK_BUNDLE=/tmp/sdk.mjs BAY_ENDPOINT=… BAY_API_KEY=… node sdk/node_smoke.mjs`.
// The client takes its endpoint and key from process.env (no options).
import assert from "node:assert/strict";
import process from "node:process";
import { pathToFileURL } from "node:url";

const sdk = await import(pathToFileURL(process.env.SDK_BUNDLE).href);
const { BayClient, FileNotFoundError, NotFoundError } = sdk;

const bay = new BayClient();
assert.equal(bay.endpoint, process.env.BAY_ENDPOINT);
assert.equal((await bay.health()).status, "ok");

const sb = await bay.createSandbox();
const steps = [];
try {
  const py = await sb.python.exec("x = 6 * 7\nprint(x)");
  assert.equal(py.success, true);
  assert.equal(py.output, "42\n");
  steps.push("python");

  const out = [];
  const sh = await sb.shell.exec("echo a; sleep 0.2; echo b >&2; sleep 0.2; echo c", {
    onStdout: (t) => out.push(t),
    onStderr: (t) => out.push(`err:${t}`),
  });
  assert.equal(sh.exit_code, 0);
  assert.deepEqual(out, ["a\n", "err:b\n", "c\n"]);
  steps.push("shell-stream");

  await sb.files.write("hello.txt", "héllo from node");
  assert.equal(await sb.files.read("hello.txt"), "héllo from node");
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
  await sb.files.write("b.bin", bytes);
  assert.deepEqual(await sb.files.readBytes("b.bin"), bytes);
  steps.push("files");

  let sent = 0;
  const stream = new ReadableStream({
    pull(ctrl) {
      if (sent >= 4) return ctrl.close();
      sent++;
      ctrl.enqueue(bytes);
    },
  });
  const up = await sb.files.upload("up/s.bin", stream);
  assert.equal(up.size, 4000);
  const dl = await sb.files.download("up/s.bin");
  const back = new Uint8Array(await new Response(dl).arrayBuffer());
  assert.equal(back.length, 4000);
  assert.deepEqual(back.subarray(3000), bytes);
  steps.push("upload-download");

  await assert.rejects(() => sb.files.read("missing.txt"), FileNotFoundError);
  steps.push("errors");
} finally {
  await sb.delete();
}
await assert.rejects(() => bay.getSandbox(sb.id), NotFoundError);
steps.push("delete");
console.log(JSON.stringify({ ok: true, node: process.version, steps }));
