import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { bayTest, TEST_KEY, withBay } from "./_test_bay.ts";

const SIZE = 20 * 1024 * 1024;
const CHILD = fileURLToPath(new URL("./_transfer_child.ts", import.meta.url));

bayTest(
  "files: 20 MiB upload and download over HTTP, byte for byte, with bounded memory",
  async () => {
    await withBay({ serve: true }, async ({ client, url }) => {
      const sb = await client().createSandbox();
      // The SDK runs in a child process (forced GCs, its memory alone).
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--v8-flags=--expose-gc", CHILD, url, TEST_KEY, sb.id],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stderr = new TextDecoder().decode(out.stderr);
      assert.equal(out.code, 0, stderr);
      const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
      assert.equal(r.uploaded, SIZE);
      assert.equal(r.downloaded, SIZE, "downloaded and compared byte for byte");
      const stat = await sb.shell.exec("wc -c < big.bin");
      assert.equal(stat.output.trim(), String(SIZE));
      const mib = (n: number) => (n / 1048576).toFixed(2);
      console.log(
        `live memory growth: upload ${mib(r.upload)} MiB, download ${mib(r.download)} MiB`,
      );
      // Holding the file (or a large part of it) would show as >= 20 MiB.
      assert.ok(r.upload < 4 * 1048576, `upload kept ${mib(r.upload)} MiB live`);
      assert.ok(r.download < 4 * 1048576, `download kept ${mib(r.download)} MiB live`);
    });
  },
);
