/**
 * A cargo fills up: Bay with `BAY_CARGO_QUOTA=loop`, an external cargo of
 * 16 MiB, filled by `dd` from a shell. Then every way of writing fails
 * cleanly (429 `quota_exceeded` through the file API, a failed result naming
 * ENOSPC from Python), an overwrite that cannot fit leaves the old file
 * intact, no temp file is left, and Bay and another sandbox carry on. After
 * the fill file is removed, writes work again.
 *
 * Needs root (loop mounts), like `BAY_CARGO_QUOTA=loop` itself.
 */
import assert from "node:assert/strict";
import { withBay } from "../e2e/_bay.ts";
import { Recorder } from "../_record.ts";
import { randomBytes } from "../_util.ts";
import { assertIntact, download, sha256, upload, writeEvidence } from "./_files.ts";

const SIZE_MB = 16;

Deno.test("faults: disk full in a 16 MiB cargo", async () => {
  const rec = new Recorder("faults", "disk_full", "disk full in a 16 MiB cargo");
  await rec.run(() =>
    withBay({ env: { BAY_CARGO_QUOTA: "loop" } }, async (bay) => {
      const cargo = await bay.api("POST", "/v1/cargos", { size_limit_mb: SIZE_MB });
      assert.equal(cargo.status, 201, cargo.text);
      const sb = await bay.createSandbox({ cargo_id: cargo.body.id });
      const other = await bay.createSandbox();
      const base = `/v1/sandboxes/${sb.id}`;
      const written = await writeEvidence(bay, sb.id, "before-full");

      const fill = await bay.sh(sb.id, "dd if=/dev/zero of=fill.bin bs=1M count=64 2>&1; sync");
      assert.match(fill.output, /No space left on device/, JSON.stringify(fill));
      const df = await bay.sh(sb.id, "df -k --output=size,avail /workspace | tail -1");
      const [sizeKb, availKb] = df.output.trim().split(/\s+/).map(Number);
      rec.tried(
        `fill a ${SIZE_MB} MiB loop-mounted cargo with dd (${sizeKb} KiB, ${availKb} KiB left)`,
      );
      rec.num("cargo_size_kib", sizeKb);
      rec.num("cargo_avail_after_fill_kib", availKb);

      const w = await bay.api("PUT", `${base}/filesystem/files`, {
        path: "more.txt",
        content: "y".repeat(256 * 1024),
      });
      assert.equal(w.status, 429, w.text);
      assert.equal(w.body.error.code, "quota_exceeded");
      const oldApi = written.find((f) => f.path.endsWith("api.txt"))!;
      const over = await bay.api("PUT", `${base}/filesystem/files`, {
        path: oldApi.path,
        content: "z".repeat(512 * 1024),
      });
      assert.equal(over.status, 429, over.text);
      const up = await upload(bay, sb.id, "big.bin", randomBytes(2 * 1024 * 1024));
      assert.equal(up.status, 429, up.text);
      assert.equal(JSON.parse(up.text).error.code, "quota_exceeded");
      rec.held("file API write, overwrite and upload → 429 quota_exceeded (clear envelope)");

      const py = await bay.py(sb.id, "open('py.bin', 'wb').write(b'x' * 4_000_000)");
      assert.equal(py.success, false, JSON.stringify(py));
      assert.match(py.error ?? "", /No space left|Errno 28/);
      const sh = await bay.sh(sb.id, "head -c 1000000 /dev/zero > sh.bin");
      assert.notEqual(sh.exit_code, 0);
      rec.held("python and shell writes fail with ENOSPC in their results");

      await assertIntact(bay, sb.id, written);
      const temps = await bay.sh(sb.id, "find . -name '.shipyard-tmp-*' | wc -l");
      assert.equal(temps.output.trim(), "0", "temp files left by the failed writes");
      rec.held(
        `${written.length} existing files intact (also the one whose overwrite failed); no temp file`,
      );

      assert.equal((await bay.api("GET", "/health")).status, 200);
      const big = randomBytes(24 * 1024 * 1024);
      assert.equal((await upload(bay, other.id, "big.bin", big)).status, 200);
      assert.equal(await sha256((await download(bay, other.id, "big.bin"))!), await sha256(big));
      assert.equal((await bay.py(sb.id, "1 + 1")).output, "2", "the full sandbox still runs code");
      rec.held(
        "Bay healthy; another sandbox stores a 24 MiB file; the full sandbox still runs code",
      );

      await bay.sh(sb.id, "rm -f fill.bin py.bin sh.bin");
      const again = await bay.api("PUT", `${base}/filesystem/files`, {
        path: "more.txt",
        content: "after cleanup",
      });
      assert.equal(again.status, 200, again.text);
      assert.equal((await upload(bay, sb.id, "big.bin", randomBytes(4 << 20))).status, 200);
      rec.held("after removing the fill file, writes work again");

      for (const id of [sb.id, other.id]) {
        assert.equal((await bay.api("DELETE", `/v1/sandboxes/${id}`)).status, 204);
      }
      assert.equal((await bay.api("DELETE", `/v1/cargos/${cargo.body.id}`)).status, 204);
      const mounts = await Deno.readTextFile("/proc/self/mountinfo");
      assert.ok(!mounts.includes(cargo.body.id), "the cargo's loop mount is gone");
    })
  );
});
