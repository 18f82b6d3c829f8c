/**
 * PostgreSQL restarts (`pg_ctlcluster … restart -m fast`) under a Bay on
 * `BAY_DATABASE_URL` while clients keep sending every kind of request
 * (reads, execs, file writes, creates and deletes). During the outage Bay
 * answers clear 503 `store_unavailable` envelopes: never a 500, never a hang
 * past a bound. Afterwards every kind of request works again with the same
 * Bay process (no restart), and what was written before is intact.
 *
 * The server is shared with other tests: the outage is one fast restart
 * (about a second), and only this test causes it. Needs
 * `BAY_TEST_DATABASE_URL` (skipped without it) and root (`pg_ctlcluster`).
 */
import assert from "node:assert/strict";
import { tempDatabaseUrl } from "../../bay/testing.ts";
import { type E2EBay, sleep, withBay } from "../e2e/_bay.ts";
import { Recorder } from "../_record.ts";
import { assertIntact, writeEvidence } from "./_files.ts";

const BASE_URL = Deno.env.get("BAY_TEST_DATABASE_URL");
const WORKERS = 4;
/** Longest any request may take, outage or not. */
const REQUEST_BOUND_MS = 15_000;
const KINDS = ["get", "shell", "python", "write", "create+delete"] as const;
type Kind = (typeof KINDS)[number];

interface Outcome {
  kind: Kind;
  start: number;
  end: number;
  status: number;
  code: string | null;
}

/** The Debian cluster (`version name`) serving `url`'s port. */
function clusterOf(url: string): [string, string] {
  const port = new URL(url).port || "5432";
  const out = new Deno.Command("pg_lsclusters", { args: ["-h"], stdout: "piped" }).outputSync();
  const line = new TextDecoder().decode(out.stdout).split("\n")
    .map((l) => l.trim().split(/\s+/)).find((c) => c[2] === port);
  if (!line) throw new Error(`no PostgreSQL cluster on port ${port}`);
  return [line[0], line[1]];
}

/** One request of `kind`; its status and error code. */
async function request(
  bay: E2EBay,
  kind: Kind,
  sandboxId: string,
): Promise<[number, string | null]> {
  const signal = AbortSignal.timeout(REQUEST_BOUND_MS);
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await bay.fetch(path, {
      method,
      signal,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const code = res.ok ? null : (JSON.parse(text).error?.code ?? "no envelope");
    return { status: res.status, code, body: res.ok && text ? JSON.parse(text) : null };
  };
  const base = `/v1/sandboxes/${sandboxId}`;
  let r;
  switch (kind) {
    case "get":
      r = await call("GET", base);
      break;
    case "shell":
      r = await call("POST", `${base}/shell/exec`, { command: "echo up" });
      break;
    case "python":
      r = await call("POST", `${base}/python/exec`, { code: "1 + 1" });
      break;
    case "write":
      r = await call("PUT", `${base}/filesystem/files`, { path: "flow.txt", content: "x" });
      break;
    default: {
      r = await call("POST", "/v1/sandboxes", {});
      if (r.status === 201) r = await call("DELETE", `/v1/sandboxes/${r.body.id}`);
    }
  }
  return [r.status, r.code];
}

Deno.test({
  name: "faults: PostgreSQL restart under load: 503 store_unavailable, then recovery",
  ignore: !BASE_URL,
  async fn() {
    const rec = new Recorder("faults", "postgres_restart", "PostgreSQL restart under load");
    const db = await tempDatabaseUrl();
    const [version, cluster] = clusterOf(db.url);
    await rec.run(() =>
      withBay({ env: { BAY_DATABASE_URL: db.url } }, async (bay) => {
        const sb = await bay.createSandbox();
        const written = await writeEvidence(bay, sb.id, "before-outage");
        const outcomes: Outcome[] = [];
        const t0 = performance.now();
        let stop = false;
        const workers = Array.from({ length: WORKERS }, async (_, w) => {
          for (let i = w; !stop; i++) {
            const kind = KINDS[i % KINDS.length];
            const start = performance.now() - t0;
            let status = 0;
            let code: string | null = null;
            try {
              [status, code] = await request(bay, kind, sb.id);
            } catch (e) {
              code = `client: ${e instanceof Error ? e.message : e}`;
            }
            outcomes.push({ kind, start, end: performance.now() - t0, status, code });
            if (status >= 500) await sleep(50); // do not spin on 503s
          }
        });
        await sleep(2000);
        const restartAt = performance.now() - t0;
        // Async: the clients must keep sending while the server restarts.
        const pg = await new Deno.Command("pg_ctlcluster", {
          args: [version, cluster, "restart", "-m", "fast"],
          stdout: "piped",
          stderr: "piped",
        }).output();
        const restartedAt = performance.now() - t0;
        assert.ok(pg.success, new TextDecoder().decode(pg.stderr));
        rec.tried(
          `${WORKERS} clients sending GET, shell and python execs, file writes and ` +
            `create+delete without pause; pg_ctlcluster ${version} ${cluster} restart -m fast ` +
            `after 2 s`,
        );
        // Run on until every kind has succeeded after the restart (bounded).
        const recoveredBy = (k: Kind) =>
          outcomes.find((o) => o.kind === k && o.start > restartedAt && o.status < 300);
        const deadline = performance.now() + 60_000;
        while (!KINDS.every(recoveredBy) && performance.now() < deadline) await sleep(100);
        await sleep(1000);
        stop = true;
        await Promise.all(workers);

        const failures = outcomes.filter((o) => o.status >= 300 || o.status === 0);
        const bad = failures.filter((o) => o.status !== 503 || o.code !== "store_unavailable");
        const slowest = Math.max(...outcomes.map((o) => o.end - o.start));
        const failEnds = failures.map((o) => o.end);
        rec.num("requests_count", outcomes.length);
        rec.num("store_unavailable_503_count", failures.length);
        rec.num("other_errors_count", bad.length);
        rec.num("pg_restart_command_ms", restartedAt - restartAt);
        rec.num(
          "client_visible_outage_ms",
          failures.length ? Math.max(...failEnds) - Math.min(...failures.map((o) => o.start)) : 0,
        );
        rec.num("slowest_request_ms", slowest);
        const recovered = KINDS.map((k) => recoveredBy(k)?.end ?? NaN);
        rec.num("recovery_after_restart_ms", Math.max(...recovered) - restartedAt);
        console.log(JSON.stringify(rec.summary.numbers));

        assert.deepEqual(
          bad.slice(0, 5),
          [],
          `${bad.length} answers other than 503 store_unavailable`,
        );
        assert.ok(failures.length > 0, "the outage was seen by at least one request");
        rec.held(
          `every failed request was a 503 store_unavailable envelope ` +
            `(${failures.length} of ${outcomes.length}); no 500, no transport error`,
        );
        assert.ok(slowest < REQUEST_BOUND_MS, `slowest request ${slowest} ms`);
        rec.held(
          `no request hung: slowest ${slowest.toFixed(0)} ms (bound ${REQUEST_BOUND_MS} ms)`,
        );
        for (const k of KINDS) assert.ok(recoveredBy(k), `${k} never succeeded after the restart`);
        Deno.kill(bay.pid, "SIGCONT"); // throws if the process is gone
        await assertIntact(bay, sb.id, written);
        rec.held(
          `every kind of request succeeded again after the restart, same Bay process ` +
            `(pid ${bay.pid}); ${written.length} files intact`,
        );
        assert.equal((await bay.api("DELETE", `/v1/sandboxes/${sb.id}`)).status, 204);
      }).finally(() => db.drop())
    );
  },
});
