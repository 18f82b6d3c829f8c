import assert from "node:assert/strict";
import { OutputBuffer } from "./_proc_output.ts";

Deno.test("output buffer keeps characters whole and offsets exact", () => {
  const enc = new TextEncoder();
  // Multi-byte characters fed one byte at a time, interleaved with the other stream.
  const buf = new OutputBuffer(1 << 20);
  for (const b of enc.encode("é€😀")) {
    buf.push("stdout", new Uint8Array([b]));
    buf.push("stderr", enc.encode("."));
  }
  assert.equal(buf.text("stdout", 0), "é€😀");
  assert.equal(buf.text("stderr", 0), ".".repeat(9));
  assert.equal(buf.end, 18);
  const pieces: string[] = [];
  for (let at = 0, p = buf.next(0); p; at = p.end, p = buf.next(at)) pieces.push(p.text);
  assert.equal(pieces.join(""), ".é...€....😀.");
  buf.push("stdout", new Uint8Array([0xe2, 0x82])); // incomplete at EOF
  assert.equal(buf.end, 18);
  buf.flush("stdout");
  assert.equal(buf.end, 20);
  assert.equal(buf.text("stdout", 18), "\ufffd");

  // Random interleaved writes, small budget: retained text is a suffix, offsets are absolute.
  let seed = 7;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const max = 5000;
  const ring = new OutputBuffer(max);
  const full = { stdout: "", stderr: "" };
  const at: { stream: "stdout" | "stderr"; end: number; text: string }[] = [];
  for (let i = 0; i < 3000; i++) {
    const stream = rand(3) === 0 ? "stderr" : "stdout";
    const text = "xyzé€"[rand(5)].repeat(1 + rand(40));
    full[stream] += text;
    ring.push(stream, enc.encode(text));
    at.push({ stream, end: ring.end, text });
  }
  for (const stream of ["stdout", "stderr"] as const) {
    const kept = ring.text(stream, 0);
    assert.ok(enc.encode(kept).byteLength >= max);
    assert.ok(full[stream].endsWith(kept));
  }
  // Following from a recent write boundary yields exactly what was written after it.
  const from = at[2900].end;
  let followed = "";
  for (let pos = from, p = ring.next(pos); p; pos = p.end, p = ring.next(pos)) followed += p.text;
  assert.equal(followed, at.slice(2901).map((w) => w.text).join(""));
});
