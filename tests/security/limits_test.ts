/**
 * Oversized and malformed request bodies on every JSON route of
 * `/openapi.json` (in-process Bay with real, harmless ships): a body over the
 * limit is a 413 envelope with or without Content-Length; deep nesting, huge
 * arrays and invalid UTF-8 are 4xx (never 5xx); a rejection changes no table;
 * uploads are bounded while spooled and refused for a foreign sandbox before
 * the body is read.
 *
 * @module
 */
import assert from "node:assert/strict";
import { TEST_KEY, testBay } from "../../bay/testing.ts";
import { routesOf, tableCounts } from "./_fixtures.ts";

const MAX_BODY = 4 << 20;
const MAX_UPLOAD = 1 << 20;

function fill(template: string, ids: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => ids[k] ?? "x");
}

Deno.test("limits: hostile JSON bodies on every route are 4xx and change nothing", async (t) => {
  const bay = await testBay({
    ships: true,
    env: { BAY_MAX_BODY_BYTES: String(MAX_BODY), BAY_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) },
  });
  try {
    const send = (method: string, path: string, body: BodyInit, headers: HeadersInit = {}) =>
      Promise.resolve(bay.bay.app.request(path, {
        method,
        body,
        headers: {
          Authorization: `Bearer ${TEST_KEY}`,
          "Content-Type": "application/json",
          ...headers,
        },
        // @ts-ignore: a stream body needs duplex
        duplex: "half",
      }));
    const sb = await (await bay.request("POST", "/v1/sandboxes", { body: {} })).json();
    const doc = await (await bay.request("GET", "/openapi.json", { key: null })).json();
    const routes = routesOf(doc).filter((r) => r.body !== undefined && r.path.startsWith("/v1/"));
    assert.ok(routes.length >= 15, `${routes.length} JSON routes`);
    const ids = {
      id: sb.id,
      process_id: "proc-000000000000",
      execution_id: "exec-000000000000",
      payload_ref: "blob:blob-000000000000",
    };
    const deepArray = (d: number) => "[".repeat(d) + "]".repeat(d);
    const deepObject = (d: number) => '{"a":'.repeat(d) + "1" + "}".repeat(d);
    let n = 0;
    const expectNo5xx = async (method: string, path: string, body: BodyInit, what: string) => {
      const before = await tableCounts(bay.db);
      const r = await send(method, path, body);
      const text = await r.text();
      assert.ok(r.status < 500, `${method} ${path} ${what}: ${r.status} ${text.slice(0, 300)}`);
      if (r.status >= 400) {
        assert.equal(typeof JSON.parse(text).error.code, "string", `${what}: envelope`);
        assert.deepEqual(
          await tableCounts(bay.db),
          before,
          `${method} ${path} ${what} changed state`,
        );
      }
      n++;
      return r.status;
    };

    await t.step("over the limit: 413 envelope, with and without Content-Length", async () => {
      const big = `{"pad":"${"x".repeat(MAX_BODY + 10)}"}`;
      for (const r of routes) {
        const path = fill(r.path, ids);
        const before = await tableCounts(bay.db);
        const withLength = await send(r.method, path, big);
        const stream = new Blob([big]).stream(); // no Content-Length: counted while read
        const chunked = await send(r.method, path, stream);
        for (const res of [withLength, chunked]) {
          const body = await res.json();
          assert.equal(
            res.status,
            413,
            `${r.method} ${r.path}: ${JSON.stringify(body).slice(0, 200)}`,
          );
          assert.equal(body.error.code, "payload_too_large");
          assert.equal(body.error.details.max_bytes, MAX_BODY);
          assert.equal(typeof body.error.request_id, "string");
        }
        assert.deepEqual(await tableCounts(bay.db), before);
        n += 2;
      }
    });

    await t.step("deep nesting, a million elements, invalid UTF-8, wrong JSON", async () => {
      const bad = new Uint8Array([
        0x7b,
        0x22,
        0x78,
        0x22,
        0x3a,
        0x22,
        0xff,
        0xfe,
        0xc0,
        0xae,
        0x22,
        0x7d,
      ]);
      for (const r of routes) {
        const path = fill(r.path, ids);
        const bodies: [string, BodyInit][] = [
          ["deep array", deepArray(500_000)],
          ["deep object", deepObject(200_000)],
          ["invalid utf-8", bad],
          ["lone surrogate escape", '{"x":"\\ud800"}'],
          ["truncated", "{"],
          ["huge number", `{"x":1e999999}`],
          ["million zeros", `[${"0,".repeat(999_999)}0]`],
        ];
        // Every top-level field of a valid-looking body, replaced by deep nesting.
        const sample = (r.body ?? {}) as Record<string, unknown>;
        for (const k of Object.keys(sample).concat(["payload"])) {
          const body = JSON.stringify({ ...sample, [k]: "__DEEP__" });
          bodies.push([`deep ${k}`, body.replace('"__DEEP__"', deepArray(100_000))]);
        }
        for (const [what, body] of bodies) await expectNo5xx(r.method, path, body, what);
      }
      const million = JSON.stringify({ payload: new Array(1_000_000).fill(0) });
      assert.ok(
        (await expectNo5xx("POST", "/v1/skills/payloads", million, "million-element payload")) <
          300,
        "a million-element array within the limit is accepted",
      );
      const deepOk = JSON.stringify({ payload: JSON.parse(deepArray(100)) });
      assert.equal(await expectNo5xx("POST", "/v1/skills/payloads", deepOk, "100 deep"), 201);
      const health = await bay.request("GET", "/health", { key: null });
      assert.equal(health.status, 200);
    });

    await t.step(
      "uploads: spooling is bounded; a foreign sandbox is refused before the body",
      async () => {
        const spoolDir = `${bay.dataDir}/tmp`;
        const upload = (id: string, parts: [string, BodyInit, string?][]) => {
          const form = new FormData();
          for (const [name, v, file] of parts) {
            if (file) form.append(name, new Blob([v as BlobPart]), file);
            else form.append(name, v as string);
          }
          const req = new Request("http://x/", { method: "POST", body: form });
          return Promise.resolve(bay.bay.app.request(`/v1/sandboxes/${id}/filesystem/upload`, {
            method: "POST",
            body: req.body,
            headers: {
              Authorization: `Bearer ${TEST_KEY}`,
              "Content-Type": req.headers.get("content-type")!,
            },
            // @ts-ignore: a stream body needs duplex
            duplex: "half",
          }));
        };
        const big = new Uint8Array(MAX_UPLOAD + 4096);
        for (const order of ["file first", "path first"]) {
          const parts: [string, BodyInit, string?][] = order === "file first"
            ? [["file", big, "big.bin"], ["path", "big.bin"]]
            : [["path", "big.bin"], ["file", big, "big.bin"]];
          const r = await upload(sb.id, parts);
          const body = await r.json();
          assert.equal(r.status, 413, `${order}: ${JSON.stringify(body)}`);
          assert.equal(body.error.code, "payload_too_large");
          n++;
        }
        assert.deepEqual(await spooled(spoolDir), [], "no spool file is left behind");
        // Bodies that never end: only an answer that does not wait for the end can come back.
        const cases: [string, string, number][] = [
          ["a missing sandbox", "sandbox-000000000000", 404],
          ["the file part first, spooled", sb.id, 413],
        ];
        for (const [what, id, status] of cases) {
          const endless = endlessMultipart(
            '--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n',
          );
          const t0 = performance.now();
          let timer: ReturnType<typeof setTimeout> | undefined;
          const late = new Promise<never>((_, rej) => {
            timer = setTimeout(() => rej(new Error(`${what}: Bay keeps reading the body`)), 8000);
          });
          try {
            const r = await Promise.race([
              late,
              Promise.resolve(bay.bay.app.request(`/v1/sandboxes/${id}/filesystem/upload`, {
                method: "POST",
                body: endless.stream,
                headers: {
                  Authorization: `Bearer ${TEST_KEY}`,
                  "Content-Type": "multipart/form-data; boundary=b",
                },
                // @ts-ignore: a stream body needs duplex
                duplex: "half",
              })),
            ]);
            assert.equal(r.status, status, `${what}: ${await r.text()}`);
            n++;
          } finally {
            clearTimeout(timer);
            endless.stop();
          }
          console.log(`${what}: answered after ${Math.round(performance.now() - t0)} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(await spooled(spoolDir), [], "no spool file is left behind");
      },
    );
    assert.ok(n >= 190, `${n} requests`);
  } finally {
    await bay.close();
  }
});

/** Names in Bay's upload spool directory. */
async function spooled(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) names.push(e.name);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names;
}

/** A multipart body that starts with `prefix` and then never ends (64 KiB every 2 ms). */
function endlessMultipart(prefix: string) {
  let stopped = false;
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    pull: (c) =>
      new Promise<void>((r) =>
        setTimeout(() => {
          if (!stopped) c.enqueue(first ? new TextEncoder().encode(prefix) : new Uint8Array(65536));
          first = false;
          r();
        }, 2)
      ),
    cancel: () => {
      stopped = true;
    },
  });
  return { stream, stop: () => (stopped = true) };
}
