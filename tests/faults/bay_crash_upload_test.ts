/**
 * `kill -9` of Bay in the middle of two streamed uploads (one replacing an
 * existing file, one creating a new file), then a restart on the same data
 * directory. The replaced file is exactly its old content and the new one
 * is absent: never a partial file. No temp file is left in the cargo (the
 * ship drops it when the channel dies), neither after a GC run nor after the
 * next write, which works.
 */
import assert from "node:assert/strict";
import { multipartStream } from "../bench/_multipart.ts";
import { type ApiResponse, type E2EBay, eventually, freePort, startBay } from "../e2e/_bay.ts";
import { RELAXED_HEARTBEATS } from "./_restart.ts";
import { Recorder } from "../_record.ts";
import { randomBytes } from "../_util.ts";
import { download, sha256, upload } from "./_files.ts";

const CHUNK = 256 * 1024;
/** Uploads are paced so Bay dies with both well under way. */
const TOTAL = 64 * 1024 * 1024;
const PACE_MS = 15;

/** `total` bytes of 0xAB in `CHUNK`s, one every `PACE_MS`; `sent` counts what was handed over. */
function paced(total: number, sent: { bytes: number }): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(CHUNK).fill(0xab);
  return new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      if (sent.bytes >= total) return ctrl.close();
      await new Promise((r) => setTimeout(r, PACE_MS));
      ctrl.enqueue(chunk.slice(0, Math.min(CHUNK, total - sent.bytes)));
      sent.bytes += CHUNK;
    },
  }, { highWaterMark: 0 });
}

/** Start a streamed upload to `path`; settles (boxed) when Bay answers or the connection dies. */
function streamedUpload(bay: E2EBay, id: string, path: string, sent: { bytes: number }) {
  const mp = multipartStream({ path }, "file", "big.bin", paced(TOTAL, sent));
  const done = bay.fetch(`/v1/sandboxes/${id}/filesystem/upload`, {
    method: "POST",
    headers: { "Content-Type": mp.contentType },
    body: mp.body,
    duplex: "half",
  } as RequestInit).then(async (r) => `${r.status} ${await r.text()}`, (e) => `failed: ${e}`);
  return { done };
}

/** Temp files of the ship in the workspace root, with their sizes (`name size` lines). */
async function tempFiles(bay: E2EBay, id: string): Promise<string[]> {
  const r: ApiResponse = await bay.api("POST", `/v1/sandboxes/${id}/shell/exec`, {
    command: "find . -name '.shipyard-tmp-*' -printf '%f %s\\n'",
  });
  assert.equal(r.status, 200, r.text);
  return r.body.output.split("\n").filter(Boolean);
}

Deno.test("faults: kill -9 of Bay mid-upload, restart: old content or absent, no temp", async () => {
  const rec = new Recorder("faults", "bay_crash_upload", "kill -9 of Bay mid-upload");
  const root = await Deno.makeTempDir({ prefix: "fault-upload-" });
  const port = freePort();
  let bay: E2EBay | null = await startBay({ root, port, env: RELAXED_HEARTBEATS });
  let leaked: string[] = [];
  try {
    await rec.run(async () => {
      const a = bay!;
      const sb = await a.createSandbox();
      const old = randomBytes(2 * 1024 * 1024);
      assert.equal((await upload(a, sb.id, "target.bin", old)).status, 200);
      const oldSha = await sha256(old);

      const sentA = { bytes: 0 };
      const sentB = { bytes: 0 };
      const replacing = streamedUpload(a, sb.id, "target.bin", sentA);
      const creating = streamedUpload(a, sb.id, "fresh.bin", sentB);
      let temps: string[] = [];
      await eventually(
        "both uploads to be a few MiB into their temp files",
        async () => {
          temps = await tempFiles(a, sb.id);
          return temps.length === 2 && temps.every((l) => Number(l.split(" ")[1]) > 4 << 20);
        },
        30_000,
        50,
      );
      await a.crash();
      bay = null; // never stop() a crashed Bay: it would reap the sandbox the next one adopts
      const answers = [await replacing.done, await creating.done];
      rec.tried(
        `two uploads of ${TOTAL >> 20} MiB streamed at ~${
          Math.round(CHUNK / PACE_MS / 1000)
        } MB/s (one replacing a 2 MiB file, one creating a file); kill -9 of Bay ` +
          `once both temp files held > 4 MiB`,
      );
      rec.num("sent_at_crash_mib", (sentA.bytes + sentB.bytes) / (1 << 20));
      rec.num(
        "temp_bytes_at_crash_mib",
        temps.reduce((n, l) => n + Number(l.split(" ")[1]), 0) / (1 << 20),
      );
      for (const ans of answers) assert.match(ans, /^failed:/, `the client saw no success: ${ans}`);
      rec.held(`both uploads failed at the client (${answers[0].slice(0, 60)}…)`);

      const t0 = performance.now();
      const b = bay = await startBay({ root, port, env: RELAXED_HEARTBEATS });
      rec.num("restart_ms", performance.now() - t0);
      const now = await download(b, sb.id, "target.bin");
      assert.ok(now, "the replaced file is still there");
      assert.equal(now.byteLength, old.byteLength, "old size");
      assert.equal(await sha256(now), oldSha, "old content, byte for byte");
      assert.equal(await download(b, sb.id, "fresh.bin"), null, "the new file is absent");
      rec.held("after restart the replaced file is its old content and the new one absent");
      assert.deepEqual(await tempFiles(b, sb.id), [], "temp files left in the cargo");
      const gc = await b.api("POST", "/v1/admin/gc/run", {});
      assert.equal(gc.status, 200, gc.text);
      assert.deepEqual(await tempFiles(b, sb.id), [], "temp files after GC");
      rec.held("no temp file in the cargo after restart, nor after a GC run");

      const fresh = randomBytes(3 * 1024 * 1024 + 5);
      assert.equal((await upload(b, sb.id, "target.bin", fresh)).status, 200);
      const got = await download(b, sb.id, "target.bin");
      assert.equal(await sha256(got!), await sha256(fresh));
      assert.deepEqual(await tempFiles(b, sb.id), [], "temp files after the next write");
      rec.held("the next upload to the same path works; still no temp file");
      assert.equal((await b.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
    });
  } finally {
    leaked = await (bay as E2EBay | null)?.stop() ?? [];
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
  assert.deepEqual(leaked, [], "nothing outlives Bay's shutdown");
});
