import assert from "node:assert/strict";
import fc from "fast-check";
import { chunked } from "./_chunked_test_util.ts";
import { Delimiter, READ_BYTES, Scanner } from "./_multipart_scan.ts";
import { parseMultipart } from "./multipart.ts";

const enc = new TextEncoder();

/** The obvious search `Delimiter.find` must agree with. */
function naive(buf: Uint8Array, d: Uint8Array): [number, boolean] {
  for (let i = 0; i < buf.length; i++) {
    let j = 0;
    while (j < d.length && i + j < buf.length && buf[i + j] === d[j]) j++;
    if (j === d.length) return [i, true];
    if (i + j === buf.length) return [i, false];
  }
  return [buf.length, false];
}

function concat(parts: (Uint8Array | string)[]): Uint8Array<ArrayBuffer> {
  const bs = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const out = new Uint8Array(bs.reduce((n, b) => n + b.length, 0));
  bs.reduce((at, b) => (out.set(b, at), at + b.length), 0);
  return out;
}

// Boundaries, including degenerate ones whose shift table is mostly 1.
const boundary = fc.oneof(
  fc.constantFrom("-", "a", "--", "-a-", "aaaaaaaa", "x".repeat(70), "-".repeat(69) + "x"),
  fc.stringMatching(/^[-a-c0-9]{1,70}$/),
);

/** Bytes built from pieces of the delimiter (prefixes, near misses) and noise. */
function content(b: string) {
  const d = `\r\n--${b}`;
  const piece = fc.oneof(
    fc.uint8Array({ maxLength: 40 }),
    fc.integer({ min: 0, max: d.length - 1 }).map((k) => d.slice(0, k)),
    fc.integer({ min: 1, max: d.length - 1 }).map((k) => d.slice(k)),
    fc.constantFrom("\r", "\n", "-", "\r\r\n", d.slice(0, -1) + "\r"),
  );
  return fc.array(piece, { maxLength: 30 }).map(concat);
}

Deno.test("Delimiter.find agrees with a naive search", () => {
  fc.assert(
    fc.property(
      boundary.chain((b) => fc.tuple(fc.constant(b), content(b), fc.boolean())),
      ([b, bytes, withDelim]) => {
        const d = new Delimiter(b);
        const buf = withDelim ? concat([bytes, d.bytes, bytes]) : bytes;
        assert.deepEqual(d.find(buf), naive(buf, d.bytes));
        // Every suffix too, so that matches and prefixes land at every offset.
        for (let i = 1; i < buf.length; i++) {
          const sub = buf.subarray(i);
          assert.deepEqual(d.find(sub), naive(sub, d.bytes), `offset ${i}`);
        }
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("Delimiter.find: matches, prefixes and misses at the edges", () => {
  const d = new Delimiter("AB");
  const f = (s: string) => d.find(enc.encode(s));
  assert.deepEqual(f(""), [0, false]);
  assert.deepEqual(f("\r\n--AB"), [0, true]);
  assert.deepEqual(f("x\r\n--AB\r\n--AB"), [1, true]);
  assert.deepEqual(f("\r\n--A\r\n--AB"), [5, true]);
  assert.deepEqual(f("xyz\r\n--A"), [3, false]);
  assert.deepEqual(f("xyz\r"), [3, false]);
  assert.deepEqual(f("\r\r\r"), [2, false]);
  assert.deepEqual(f("\r\n--AC\r\n-x"), [10, false]);
  assert.deepEqual(f("\n--AB\r\n-"), [5, false]);
  assert.throws(() => new Delimiter("x".repeat(300)), RangeError);
});

/** A reader over `bytes` cut into chunks whose sizes cycle through `sizes`. */
const reader = (bytes: Uint8Array, sizes: number[]) => chunked(bytes, sizes).getReader();

/** The body bytes before the first delimiter, and how many pieces they came in. */
async function scanBody(s: Scanner): Promise<{ bytes: Uint8Array; pieces: number }> {
  const pieces: Uint8Array[] = [];
  for (let p = await s.body(); p !== null; p = await s.body()) {
    assert.ok(p.length > 0, "no empty pieces");
    pieces.push(p);
  }
  return { bytes: concat(pieces), pieces: pieces.length };
}

Deno.test("Scanner.body: split at every size, the content round-trips", async () => {
  await fc.assert(
    fc.asyncProperty(
      boundary.chain((b) => fc.tuple(fc.constant(b), content(b), content(b))),
      fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }),
      async ([b, first, second], sizes) => {
        // Keep the content free of the real delimiter, as an encoder would.
        const d = `\r\n--${b}`;
        const clean = (u: Uint8Array) => naive(u, enc.encode(d))[1] ? new Uint8Array(0) : u;
        const [one, two] = [clean(first), clean(second)];
        const body = concat([`--${b}\r\n`, one, d, "\r\n", two, d, "--"]);
        const s = new Scanner(reader(body, sizes), b);
        assert.equal((await scanBody(s)).bytes.length, 0, "empty preamble");
        assert.equal(await s.afterDelimiter(16), true);
        assert.deepEqual((await scanBody(s)).bytes, one);
        assert.equal(await s.afterDelimiter(16), true);
        assert.deepEqual((await scanBody(s)).bytes, two);
        assert.equal(await s.afterDelimiter(16), false);
      },
    ),
    { numRuns: 400 },
  );
});

Deno.test("Scanner.body: delimiter-like content costs a few pieces per chunk, not per byte", async () => {
  const chunk = 64 * 1024;
  for (const b of ["-", "BayB0und", "a".repeat(70)]) {
    const d = `\r\n--${b}`;
    for (const unit of ["\r", "-", d.slice(0, -1), d.slice(0, -1) + "\r", "\r\n--"]) {
      const content = enc.encode(unit.repeat(Math.ceil(8 * chunk / unit.length)));
      const body = concat([`--${b}\r\n`, content, d, "--"]);
      const s = new Scanner(reader(body, [chunk]), b);
      await scanBody(s);
      await s.afterDelimiter(16);
      const got = await scanBody(s);
      assert.deepEqual(got.bytes, content, `${JSON.stringify(unit)} / ${b}`);
      assert.ok(got.pieces <= 3 * 9, `${got.pieces} pieces for ${JSON.stringify(unit)} / ${b}`);
    }
  }
});

/** A byte stream (as HTTP bodies are) of `bytes`, enqueued in chunks cycling through `sizes`. */
function byteStream(bytes: Uint8Array, sizes: number[]): ReadableStream<Uint8Array> {
  let at = 0;
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(ctrl) {
      if (at >= bytes.length) {
        ctrl.close();
        ctrl.byobRequest?.respond(0);
        return;
      }
      const n = sizes[i++ % sizes.length];
      ctrl.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

Deno.test("Scanner.body: a BYOB reader is read in READ_BYTES buffers, byte-exact", async () => {
  const b = "BayB0und";
  const d = `\r\n--${b}`;
  const noise = new Uint8Array(3 * READ_BYTES + 777).map((_, i) => (i * 131 + (i >> 9)) % 256);
  // Near misses around every buffer edge, where a held tail must be decided.
  for (let k = 1; k <= 3; k++) noise.set(enc.encode(d.slice(0, -1)), k * READ_BYTES - 5);
  assert.equal(naive(noise, enc.encode(d))[1], false);
  const body = concat([`--${b}\r\n`, noise, d, "\r\n", "tail", d, "--"]);
  for (const sizes of [[65536], [1, 4096, 100_000], [body.length]]) {
    const s = new Scanner(byteStream(body, sizes).getReader({ mode: "byob" }), b);
    await scanBody(s);
    assert.equal(await s.afterDelimiter(16), true);
    const pieces: Uint8Array[] = [];
    for (let p = await s.body(); p !== null; p = await s.body()) pieces.push(p);
    assert.deepEqual(concat(pieces), noise, `sizes ${sizes}`);
    assert.ok(pieces.length <= 3 * 4, `${pieces.length} pieces`);
    assert.ok(pieces.some((p) => p.length >= READ_BYTES - d.length), "large pieces");
    assert.equal(await s.afterDelimiter(16), true);
    assert.deepEqual((await scanBody(s)).bytes, enc.encode("tail"));
    assert.equal(await s.afterDelimiter(16), false);
  }
});

Deno.test("parseMultipart: an HTTP (byte-stream) body goes through the BYOB path intact", async () => {
  const file = new Uint8Array(2 * READ_BYTES + 99).map((_, i) => (i * 7 + (i >> 11)) % 256);
  file.set(enc.encode("\r\n--\r\n------"), READ_BYTES - 3);
  const fd = new FormData();
  fd.append("path", "dir/a.bin");
  fd.append("file", new File([file], "a.bin"));
  fd.append("after", "x");
  const req = new Request("http://bay.test/", { method: "POST", body: fd });
  const type = req.headers.get("content-type")!;
  const bytes = await req.bytes();
  const sources = [
    new Request("http://bay.test/", { method: "POST", body: bytes }).body!,
    byteStream(bytes, [1, 3, 65536]),
    byteStream(bytes, [1000]),
  ];
  for (const body of sources) {
    const got: [string, string | null, Uint8Array][] = [];
    for await (const part of parseMultipart(body, type)) {
      got.push([part.name, part.filename, await new Response(part.body).bytes()]);
    }
    assert.deepEqual(got, [
      ["path", null, enc.encode("dir/a.bin")],
      ["file", "a.bin", file],
      ["after", null, enc.encode("x")],
    ]);
  }
});
