import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { chunked } from "./_chunked_test_util.ts";
import {
  MultipartError,
  type MultipartOptions,
  type MultipartPart,
  parseMultipart,
  readField,
} from "./multipart.ts";

const enc = new TextEncoder();

type Parsed = { name: string; filename: string | null; contentType: string | null; data: string };

/** Encode `fd` with the platform's own encoder, via `Request`. */
async function encode(fd: FormData) {
  const req = new Request("http://bay.test/upload", { method: "POST", body: fd });
  const type = req.headers.get("content-type")!;
  return { bytes: await req.bytes(), type, boundary: /boundary=(.*)$/.exec(type)![1] };
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

async function parseAll(body: ReadableStream<Uint8Array>, type: string): Promise<Parsed[]> {
  const out: Parsed[] = [];
  for await (const p of parseMultipart(body, type)) {
    const data = p.filename === null
      ? await readField(p, 1 << 20)
      : hex(await new Response(p.body).bytes());
    out.push({ name: p.name, filename: p.filename, contentType: p.contentType, data });
  }
  return out;
}

function concat(parts: (Uint8Array | string)[]): Uint8Array<ArrayBuffer> {
  const bs = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length, 0));
  bs.reduce((at, b) => (out.set(b, at), at + b.length), 0);
  return out;
}

function random(n: number, seed: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13, seed ^= seed >>> 17, seed ^= seed << 5;
    out[i] = seed & 0xff;
  }
  return out;
}

const nl = (s: string) => s.replace(/\r\n|\r|\n/g, "\r\n");
const ct = (boundary: string) => `multipart/form-data; boundary=${boundary}`;
const src = (body: string, size: number) => chunked(enc.encode(body), [size]);
const tricky = ["\r\n--", "\r\n------", "\r\n------2823779168", "\r", "\r\n", "--", "\r\n\r\n"];

Deno.test("multipart: FormData round-trips byte-for-byte at every chunking", async () => {
  const binary = concat([random(70_000, 7), ...tricky, random(3, 9), ...[...tricky].reverse()]);
  const fd = new FormData();
  fd.append("title", "hello");
  fd.append("unicode", "naïve 文件 😀");
  fd.append("lines", "a\nb\r\nc\r");
  fd.append("empty", "");
  fd.append("upload", new File([binary], "data.bin", { type: "application/x-bay" }));
  fd.append("nothing", new File([], "empty.txt", { type: "text/plain" }));
  fd.append("blob", new Blob(["\r\n--"]));
  const { bytes, type, boundary } = await encode(fd);
  const expected: Parsed[] = [
    { name: "title", filename: null, contentType: null, data: "hello" },
    { name: "unicode", filename: null, contentType: null, data: "naïve 文件 😀" },
    { name: "lines", filename: null, contentType: null, data: "a\r\nb\r\nc\r\n" },
    { name: "empty", filename: null, contentType: null, data: "" },
    { name: "upload", filename: "data.bin", contentType: "application/x-bay", data: hex(binary) },
    { name: "nothing", filename: "empty.txt", contentType: "text/plain", data: "" },
    { name: "blob", filename: "blob", contentType: "application/octet-stream", data: "0d0a2d2d" },
  ];
  const rnd = random(64, 3);
  for (const sizes of [[1], [7], [boundary.length - 1], [65536], [...rnd].map((b) => b + 1)]) {
    assert.deepEqual(await parseAll(chunked(bytes, sizes), type), expected, `sizes ${sizes[0]}`);
  }
});

Deno.test("multipart: near-miss delimiters stay content at every split point", async () => {
  const b = "BayB0und";
  const content = `x\r\n--BayB0un\r\n-\r\r\n--BayB0un\n--${b}\r--${b} \r\n--BayB0un`;
  const body = `--${b}\r\nContent-Disposition: form-data; name="f"; filename="f"\r\n\r\n` +
    `${content}\r\n--${b}\r\ncontent-disposition: form-data; name=v\r\n\r\n${content}\r\n--${b}--`;
  for (let n = 1; n <= body.length; n++) {
    const parts = await parseAll(src(body, n), ct(b));
    assert.deepEqual(parts.map((p) => p.data), [hex(enc.encode(content)), content], `chunk ${n}`);
  }
});

Deno.test("multipart: filenames with quotes and unicode; names with backslashes", async () => {
  const fd = new FormData();
  const filename = 'naïve "quoted" 文件 😀\\ x%41.txt\r\n';
  fd.append('we"ird\\', new File(["z"], filename));
  fd.append("multi\nline", "v");
  const { bytes, type } = await encode(fd);
  const parts = await parseAll(chunked(bytes, [5]), type);
  const got = parts.map((p) => [p.name, p.filename]);
  assert.deepEqual(got, [['we"ird\\', filename], ["multi\r\nline", null]]);
});

Deno.test("multipart: hand-written bodies (preamble, epilogue, escapes, filename*)", async () => {
  const body = [
    "preamble --b-- ignored\r\n-- b\r\n",
    '--b  \t\r\nContent-Disposition: form-data; name="a"; filename="q\\"uote\\\\d.txt"\r\n',
    "X-Other: 1\r\n folded\r\n\r\nA\r\n",
    '--b\r\nCONTENT-DISPOSITION: Form-Data; filename="fallback.txt"; NAME="u"; ',
    "filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt\r\nContent-Type: text/plain\r\n\r\nU\r\n",
    "--b--\r\nepilogue\r\n--b\r\ngarbage",
  ].join("");
  const parts = await parseAll(chunked(enc.encode(body), [3]), 'multipart/form-data; boundary="b"');
  assert.deepEqual(parts, [
    { name: "a", filename: 'q"uote\\d.txt', contentType: null, data: "41" },
    { name: "u", filename: "naïve €.txt", contentType: "text/plain", data: "55" },
  ]);
  const quoted = `--a b:c\r\nContent-Disposition: form-data; name="k"\r\n\r\nv\r\n--a b:c--`;
  const parsed = await parseAll(src(quoted, 4), ct('"a b:c"'));
  assert.deepEqual(parsed.map((p) => p.data), ["v"]);
  assert.deepEqual(await parseAll(src("--b--", 1), ct("b")), []);
});

Deno.test("multipart: a missing or invalid boundary is a MultipartError", async () => {
  const body = () => src("x", 1);
  for (
    const type of [
      "multipart/form-data",
      "multipart/form-data; boundary=",
      'multipart/form-data; boundary=""',
      `multipart/form-data; boundary=${"x".repeat(71)}`,
      "text/plain; boundary=abc",
      "",
    ]
  ) assert.throws(() => parseMultipart(body(), type), MultipartError, type);
  parseMultipart(body(), ct("x".repeat(70)));
  const noBoundaryInBody = parseMultipart(body(), ct("zz"));
  await assert.rejects(noBoundaryInBody.next(), MultipartError);
});

Deno.test("multipart: a truncated body errors the part stream and the iterator", async () => {
  const fd = new FormData();
  fd.append("f", new File([random(50_000, 5)], "f.bin"));
  const { bytes, type } = await encode(fd);
  for (const cut of [bytes.length - 2, bytes.length - 10, 30_000, 150]) {
    const it = parseMultipart(chunked(bytes.subarray(0, cut), [4096]), type);
    const part = (await it.next()).value as MultipartPart;
    await assert.rejects(new Response(part.body).bytes(), MultipartError, `cut ${cut}`);
    await assert.rejects(it.next(), MultipartError);
  }
  const headersCut = parseMultipart(chunked(bytes.subarray(0, 60), [7]), type);
  await assert.rejects(headersCut.next(), MultipartError);
});

Deno.test("multipart: limits and malformed headers", async () => {
  const part = (name: string, v = "v") =>
    `--b\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`;
  const cd = (v: string) => `--b\r\nContent-Disposition${v}\r\n\r\n\r\n--b--`;
  const cases: [string, MultipartOptions, RegExp][] = [
    [part("a") + part("b") + part("c") + "--b--", { maxParts: 2 }, /more than 2/],
    [part("a", "x".repeat(100)) + "--b--", { maxFieldBytes: 99 }, /exceeds 99/],
    [part("a".repeat(200)) + "--b--", { maxHeaderBytes: 100 }, /header block/],
    ["--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--", {}, /no Content-Disposition/],
    [cd(" form-data"), {}, /header line/],
    [cd(": attachment; name=a"), {}, /form-data/],
    [cd(": form-data"), {}, /no name/],
    [cd(': form-data; name="a'), {}, /Content-Disposition/],
    [part("a") + "--bX\r\n", {}, /boundary line/],
  ];
  for (const [body, opts, re] of cases) {
    const parts = async () => {
      for await (const p of parseMultipart(src(body, 9), ct("b"), opts)) await p.body.cancel();
    };
    await assert.rejects(parts(), (e) => e instanceof MultipartError && re.test(e.message));
  }
  // A file part is not bound by maxFieldBytes.
  const file = `--b\r\nContent-Disposition: form-data; name=f; filename=f\r\n\r\n${
    "x".repeat(500)
  }`;
  const parts = await parseAll(src(file + "\r\n--b--", 64), ct("b"));
  assert.equal(parts[0].data.length, 1000);
});

Deno.test("multipart: skipped, cancelled and over-long parts; early exit cancels the body", async () => {
  const fd = new FormData();
  for (const n of ["skip", "cancel", "big", "keep"]) fd.append(n, `${n} `.repeat(300));
  fd.append("tail", "end");
  const { bytes, type } = await encode(fd);
  let cancelled = false;
  const it = parseMultipart(chunked(bytes, [100]), type);
  const skipped = (await it.next()).value as MultipartPart;
  const cancel = (await it.next()).value as MultipartPart;
  await assert.rejects(new Response(skipped.body).text(), /skipped unread/);
  await cancel.body.cancel();
  const big = (await it.next()).value as MultipartPart;
  await assert.rejects(readField(big, 100), /exceeds 100 bytes/);
  assert.equal(await readField((await it.next()).value, 10_000), "keep ".repeat(300));
  assert.equal(await readField((await it.next()).value, 10), "end");
  assert.deepEqual(await it.next(), { done: true, value: undefined });

  for await (const p of parseMultipart(chunked(bytes, [100], () => cancelled = true), type)) {
    await p.body.cancel();
    break;
  }
  assert.ok(cancelled, "leaving the loop cancels the request body");
});

Deno.test("multipart: a 200 MiB upload streams through in bounded memory", async () => {
  const boundary = "----BayUploadBoundary0123456789";
  const total = 200 * 1024 * 1024;
  const chunk = 64 * 1024;
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`;
  const decoy = enc.encode(`\r\n--${boundary.slice(0, -1)}`);
  // The source refills a small ring of buffers so that the RSS measured is the
  // parser's, not V8's slack in collecting a generator's 200 MiB of garbage.
  // That is safe: the parser keeps no reference to a chunk once it reads the next.
  const ring = Array.from({ length: 4 }, () => new Uint8Array(chunk));
  const sentHash = createHash("sha256");
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (sent === 0) ctrl.enqueue(enc.encode(head));
      if (sent >= total) {
        ctrl.enqueue(enc.encode(`\r\n--${boundary}--\r\n`));
        return ctrl.close();
      }
      const bytes = crypto.getRandomValues(ring[(sent / chunk) % ring.length]);
      const at = bytes[0] * 200; // a near-miss delimiter in every chunk...
      bytes.set(decoy, at);
      bytes[at + decoy.length] = 0x58; // (never the boundary's last character)
      if ((sent / chunk) % 3 === 0) bytes.set(decoy.subarray(0, 9), chunk - 9); // ...or split
      sentHash.update(bytes);
      sent += chunk;
      ctrl.enqueue(bytes);
    },
  }, { highWaterMark: 0 });
  const rss0 = Deno.memoryUsage().rss;
  let peak = rss0;
  const t0 = performance.now();
  const gotHash = createHash("sha256");
  let received = 0;
  let n = 0;
  for await (const part of parseMultipart(body, `multipart/form-data; boundary=${boundary}`)) {
    assert.equal(part.filename, "big.bin");
    for await (const b of part.body) {
      gotHash.update(b);
      received += b.length;
      if (++n % 128 === 0) peak = Math.max(peak, Deno.memoryUsage().rss);
    }
  }
  const secs = (performance.now() - t0) / 1000;
  peak = Math.max(peak, Deno.memoryUsage().rss);
  const growth = (peak - rss0) / 2 ** 20;
  console.log(
    `200 MiB in ${secs.toFixed(2)} s: ${(200 / secs).toFixed(0)} MiB/s ` +
      `(incl. generating and hashing both sides), peak RSS growth ${growth.toFixed(1)} MiB`,
  );
  assert.equal(received, total);
  assert.equal(gotHash.digest("hex"), sentHash.digest("hex"));
  assert.ok(growth < 30, `RSS grew ${growth.toFixed(1)} MiB`);
});

Deno.test("multipart: property: random fields, files and chunkings round-trip", async () => {
  const text = fc.string({ unit: "binary", maxLength: 40 });
  const name = text.filter((s) => !s.includes("%"));
  const data = fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...tricky)), {
    maxLength: 8,
  }).map(concat);
  const entry = fc.oneof(
    fc.record({ name, value: fc.string({ unit: "binary", maxLength: 200 }) }),
    fc.record({ name, filename: name, type: fc.constantFrom("", "text/plain", "image/png"), data }),
  );
  const sizes = fc.array(fc.integer({ min: 1, max: 80 }), { minLength: 1, maxLength: 10 });
  await fc.assert(
    fc.asyncProperty(fc.array(entry, { maxLength: 10 }), sizes, async (entries, sizes) => {
      const fd = new FormData();
      const expected: Parsed[] = [];
      for (const e of entries) {
        if ("value" in e) {
          fd.append(e.name, e.value);
          const data = nl(e.value.toWellFormed());
          expected.push({
            name: nl(e.name.toWellFormed()),
            filename: null,
            contentType: null,
            data,
          });
        } else {
          fd.append(e.name, new File([e.data], e.filename, { type: e.type }));
          expected.push({
            name: nl(e.name.toWellFormed()),
            filename: e.filename.toWellFormed(),
            contentType: e.type || "application/octet-stream",
            data: hex(e.data),
          });
        }
      }
      const { bytes, type } = await encode(fd);
      assert.deepEqual(await parseAll(chunked(bytes, sizes), type), expected);
    }),
    { numRuns: 300 },
  );
});
