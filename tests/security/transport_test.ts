/**
 * Hostile transports against a REAL Bay subprocess (local driver): chunked
 * and lying bodies over the limit, oversized headers and query strings, and
 * slow clients (slowloris headers, slow upload and JSON bodies) that must not
 * starve normal requests. `/health` must answer during and after each.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { API_KEY, type E2EBay, eventually, withBay } from "../e2e/_bay.ts";
import { quantile, sleep } from "./_fixtures.ts";
import { connect, rawRequest, writeAll } from "./_rawws.ts";

const MAX_BODY = 1 << 20;
const enc = new TextEncoder();

/** Run `count` normal requests, `concurrency` at a time; returns their latencies (ms). */
async function normalLoad(bay: E2EBay, sandboxId: string, count: number, concurrency = 5) {
  const kinds = [
    () => fetch(`${bay.url}/health`),
    () => bay.fetch("/v1/sandboxes"),
    () => bay.fetch(`/v1/sandboxes/${sandboxId}`),
    () =>
      bay.fetch(`/v1/sandboxes/${sandboxId}/filesystem/files`, {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ path: "normal.txt", content: "n" }),
      }),
    () =>
      bay.fetch(`/v1/sandboxes/${sandboxId}/shell/exec`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ command: "echo ok" }),
      }),
  ];
  const latencies: number[] = [];
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < count) {
      const k = kinds[i++ % kinds.length];
      const t0 = performance.now();
      const r = await k();
      await r.arrayBuffer();
      assert.ok(r.status < 300, `normal request answered ${r.status}`);
      latencies.push(performance.now() - t0);
      await sleep(50);
    }
  }));
  return latencies;
}

async function healthy(bay: E2EBay, what: string) {
  const t0 = performance.now();
  const r = await fetch(`${bay.url}/health`);
  assert.equal(r.status, 200, what);
  await r.body?.cancel();
  assert.ok(performance.now() - t0 < 2000, `${what}: /health took ${performance.now() - t0} ms`);
}

Deno.test("transport: oversized and slow clients neither crash nor starve Bay", async (t) => {
  await withBay({
    env: { BAY_DRIVER: "local", BAY_MAX_BODY_BYTES: String(MAX_BODY) },
  }, async (bay) => {
    const port = Number(new URL(bay.url).port);
    const target = { port };
    const sb = await bay.createSandbox();
    try {
      await bay.sh(sb.id, "true");
      const auth = `Authorization: Bearer ${API_KEY}\r\n`;
      let inputs = 0;

      await bay.step(t, "bodies over the limit: chunked, lying and absent lengths", async () => {
        const chunk = "x".repeat(64 * 1024);
        let chunked = `POST /v1/sandboxes HTTP/1.1\r\nHost: bay\r\n${auth}` +
          `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`;
        chunked += `${(9).toString(16)}\r\n{"pad":"x\r\n`;
        for (let i = 0; i < 24; i++) chunked += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
        chunked += `2\r\n"}\r\n0\r\n\r\n`;
        const cases: [string, string][] = [
          ["chunked 1.5 MiB", chunked],
          [
            "declared 10 GB, sends little",
            `POST /v1/cargos HTTP/1.1\r\nHost: bay\r\n${auth}Content-Type: application/json\r\n` +
            `Content-Length: 10000000000\r\nConnection: close\r\n\r\n{}`,
          ],
          [
            "declared over the limit",
            `PUT /v1/sandboxes/${sb.id}/filesystem/files HTTP/1.1\r\nHost: bay\r\n${auth}` +
            `Content-Type: application/json\r\nContent-Length: ${
              MAX_BODY + 1
            }\r\nConnection: close\r\n\r\n{`,
          ],
        ];
        for (const [what, req] of cases) {
          const r = await rawRequest(target, req);
          assert.equal(r.status, 413, `${what}: ${r.text.slice(0, 300)}`);
          assert.match(r.text, /"code":"payload_too_large"/, what);
          inputs++;
        }
        const list = await bay.api("GET", "/v1/cargos");
        assert.equal(list.body.items.length, 0, "no cargo was created");
        await healthy(bay, "after big bodies");
      });

      await bay.step(t, "oversized headers, many headers, a huge query string", async () => {
        const cases: [string, string][] = [
          [
            "64 KiB header",
            `GET /health HTTP/1.1\r\nHost: bay\r\nX-Big: ${"a".repeat(64 << 10)}\r\n\r\n`,
          ],
          [
            "1 MiB header",
            `GET /health HTTP/1.1\r\nHost: bay\r\nX-Big: ${"a".repeat(1 << 20)}\r\n\r\n`,
          ],
          [
            "64 KiB Authorization",
            `GET /v1/sandboxes HTTP/1.1\r\nHost: bay\r\nAuthorization: Bearer ${
              "k".repeat(64 << 10)
            }\r\n\r\n`,
          ],
          [
            "10k headers",
            `GET /health HTTP/1.1\r\nHost: bay\r\n${"X-A: b\r\n".repeat(10_000)}\r\n`,
          ],
          [
            "1 MiB query",
            `GET /v1/sandboxes?cursor=${"c".repeat(1 << 20)} HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          ],
          [
            "64 KiB path query",
            `GET /v1/sandboxes/${sb.id}/filesystem/files?path=${
              "p".repeat(64 << 10)
            } HTTP/1.1\r\nHost: bay\r\n${auth}\r\n`,
          ],
          [
            "64 KiB X-Request-Id",
            `GET /health HTTP/1.1\r\nHost: bay\r\nX-Request-Id: ${"r".repeat(64 << 10)}\r\n\r\n`,
          ],
        ];
        for (const [what, req] of cases) {
          const r = await rawRequest(target, req);
          // A 4xx (hyper answers a bare 400 past its header limit) or a refused connection.
          assert.ok(
            r.status === 0 || (r.status >= 400 && r.status < 500),
            `${what}: ${r.text.slice(0, 200)}`,
          );
          inputs++;
          await healthy(bay, what);
        }
        const odd = await rawRequest(
          target,
          `GET /health HTTP/1.1\r\nHost: bay\r\nX-Request-Id: ${
            "r".repeat(200)
          }\r\nConnection: close\r\n\r\n`,
        );
        assert.equal(odd.status, 200);
        assert.doesNotMatch(
          odd.text,
          /x-request-id: r{129}/i,
          "an overlong request id is not echoed",
        );
        inputs++;
      });

      await bay.step(
        t,
        "slowloris: 200 connections dribbling headers do not starve others",
        async () => {
          const conns: Deno.Conn[] = [];
          for (let i = 0; i < 200; i++) conns.push(await connect(target));
          const head = enc.encode(
            `GET /health HTTP/1.1\r\nHost: bay\r\nX-Slow: ${"s".repeat(100)}`,
          );
          let pos = 0;
          const dribble = setInterval(() => {
            for (const c of conns) {
              c.write(head.subarray(pos % head.length, (pos % head.length) + 1)).catch(() => {});
            }
            pos++;
          }, 1000);
          try {
            await sleep(1500);
            const lat = await normalLoad(bay, sb.id, 50);
            const p99 = quantile(lat, 0.99);
            assert.ok(p99 < 2000, `p99 ${Math.round(p99)} ms with 200 slow connections`);
            inputs += 200 + 50;
            console.log(
              `slowloris: p50 ${Math.round(quantile(lat, 0.5))} ms, p99 ${Math.round(p99)} ms`,
            );
          } finally {
            clearInterval(dribble);
            for (const c of conns) c.close();
          }
          await healthy(bay, "after slowloris");
        },
      );

      await bay.step(t, "slow uploads and slow JSON bodies do not starve others", async () => {
        const ctrl = new AbortController();
        const slowBody = (prefix: Uint8Array) => {
          let sent = false;
          return new ReadableStream<Uint8Array>({
            async pull(c) {
              if (!sent) {
                sent = true;
                c.enqueue(prefix);
                return;
              }
              await sleep(200);
              if (!ctrl.signal.aborted) c.enqueue(new Uint8Array(1024).fill(0x61));
            },
          });
        };
        const pending: Promise<unknown>[] = [];
        for (let i = 0; i < 20; i++) {
          const boundary = "slowboundary";
          const prefix = enc.encode(
            `--${boundary}\r\nContent-Disposition: form-data; name="path"\r\n\r\nslow/up-${i}.bin\r\n` +
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n`,
          );
          pending.push(
            bay.fetch(`/v1/sandboxes/${sb.id}/filesystem/upload`, {
              method: "POST",
              headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
              body: slowBody(prefix),
              signal: ctrl.signal,
              // @ts-ignore: a stream body needs duplex
              duplex: "half",
            }).then((r) => r.body?.cancel(), () => {}),
          );
        }
        const slowJson: Deno.Conn[] = [];
        for (let i = 0; i < 20; i++) {
          const c = await connect(target);
          await writeAll(
            c,
            enc.encode(
              `POST /v1/sandboxes/${sb.id}/shell/exec HTTP/1.1\r\nHost: bay\r\n${auth}` +
                `Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"command":"`,
            ),
          );
          slowJson.push(c);
        }
        const drip = setInterval(() => {
          for (const c of slowJson) c.write(enc.encode("a")).catch(() => {});
        }, 200);
        try {
          await sleep(1000);
          const lat = await normalLoad(bay, sb.id, 50);
          const p99 = quantile(lat, 0.99);
          assert.ok(p99 < 2000, `p99 ${Math.round(p99)} ms with 40 slow bodies`);
          console.log(
            `slow bodies: p50 ${Math.round(quantile(lat, 0.5))} ms, p99 ${Math.round(p99)} ms`,
          );
          inputs += 40 + 50;
        } finally {
          clearInterval(drip);
          ctrl.abort();
          for (const c of slowJson) c.close();
          await Promise.all(pending);
        }
        await healthy(bay, "after slow bodies");
        // Aborted uploads leave neither a partial file nor a temp file in the cargo.
        const cargo = join(bay.dataDir, "cargos", sb.cargo_id);
        await eventually("aborted uploads cleaned up", async () => {
          const names: string[] = [];
          try {
            for await (const e of Deno.readDir(join(cargo, "slow"))) names.push(e.name);
          } catch (e) {
            if (!(e instanceof Deno.errors.NotFound)) throw e;
          }
          return names.length === 0;
        }, 10_000);
      });

      await bay.step(t, "health answers while big JSON bodies are parsed", async () => {
        const million = JSON.stringify({ payload: new Array(100_000).fill(123456) });
        const big = Array.from({ length: 8 }, () =>
          bay.fetch("/v1/skills/payloads", {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: million,
          }).then((r) => r.arrayBuffer().then(() => r.status)));
        await healthy(bay, "during big bodies");
        for (const s of await Promise.all(big)) assert.equal(s, 201);
        inputs += 8;
      });
      assert.ok(inputs >= 300, `${inputs} hostile inputs`);
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});
