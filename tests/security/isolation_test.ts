/**
 * Tenant isolation: owner B probes every route of `/openapi.json` (so new
 * routes are covered automatically) with owner A's sandbox, cargo,
 * execution, candidate, release, payload and process ids, in the path and in
 * body references, plus A's terminal ticket and `/mcp`. B gets 404 (403 on
 * admin routes), list routes never show A's objects, and nothing changes:
 * every table's row count and every object of A are the same afterwards.
 *
 * @module
 */
import assert from "node:assert/strict";
import { testBay } from "../../bay/testing.ts";
import { ownerKey, type Route, routesOf, tableCounts } from "./_fixtures.ts";

/** Routes that take no id at all and reference nothing: nothing of A's to probe. */
const NOTHING_TO_PROBE = new Set([
  "GET /health",
  "GET /v1/profiles",
  "POST /v1/cargos",
  "POST /v1/skills/payloads",
]);
/** Body fields that reference another object, and which of A's ids goes there. */
const REF_FIELDS: Record<string, string> = {
  cargo_id: "cargo",
  source_execution_ids: "exec",
  payload_ref: "payload",
  upgrade_of_release_id: "release",
};

Deno.test("isolation: owner B cannot see, use or change owner A's objects on any route", async (t) => {
  const bay = await testBay({ ships: true });
  try {
    const keyA = await ownerKey(bay.db, "tenant-a");
    const keyB = await ownerKey(bay.db, "tenant-b");
    const as = async (key: string, method: string, path: string, body?: unknown) => {
      const r = await bay.request(method, path, { key, body });
      const text = await r.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch { /* not JSON */ }
      // deno-lint-ignore no-explicit-any
      return { status: r.status, body: json as any, text };
    };
    const ok = async (key: string, method: string, path: string, body?: unknown) => {
      const r = await as(key, method, path, body);
      assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
      return r.body;
    };

    // A's world.
    const sbA = await ok(keyA, "POST", "/v1/sandboxes", {});
    const execA = (await ok(keyA, "POST", `/v1/sandboxes/${sbA.id}/shell/exec`, {
      command: "echo a",
    })).execution_id;
    await ok(keyA, "PUT", `/v1/sandboxes/${sbA.id}/filesystem/files`, {
      path: "a.txt",
      content: "secret of A",
    });
    const procA = (await ok(keyA, "POST", `/v1/sandboxes/${sbA.id}/processes`, {
      command: "sleep 300",
    })).process_id;
    const cargoA = (await ok(keyA, "POST", "/v1/cargos", {})).id;
    const refA = (await ok(keyA, "POST", "/v1/skills/payloads", { payload: { a: 1 } })).payload_ref;
    const release = async () => {
      const cand = await ok(keyA, "POST", "/v1/skills/candidates", {
        skill_key: "skill-a",
        source_execution_ids: [execA],
        payload_ref: refA,
      });
      await ok(keyA, "POST", `/v1/skills/candidates/${cand.id}/evaluate`, { passed: true });
      return {
        cand: cand.id,
        rel: (await ok(keyA, "POST", `/v1/skills/candidates/${cand.id}/promote`, {})).id,
      };
    };
    await release();
    const { cand: candA, rel: relA } = await release();
    const ticketA = (await ok(keyA, "POST", `/v1/sandboxes/${sbA.id}/terminal/tickets`)).ticket;
    const idsA = [sbA.id, sbA.cargo_id, execA, procA, cargoA, refA.slice(5), candA, relA];

    // B's own sandbox, to pair with A's sub-resource ids.
    const sbB = await ok(keyB, "POST", "/v1/sandboxes", {});
    const execB = (await ok(keyB, "POST", `/v1/sandboxes/${sbB.id}/shell/exec`, {
      command: "echo b",
    })).execution_id;

    const snapshotA = async () => ({
      sandbox: await ok(keyA, "GET", `/v1/sandboxes/${sbA.id}`),
      cargo: await ok(keyA, "GET", `/v1/cargos/${cargoA}`),
      managed: await ok(keyA, "GET", `/v1/cargos/${sbA.cargo_id}`),
      file: await ok(keyA, "GET", `/v1/sandboxes/${sbA.id}/filesystem/files?path=a.txt`),
      dir: await ok(keyA, "GET", `/v1/sandboxes/${sbA.id}/filesystem/directories`),
      history: await ok(keyA, "GET", `/v1/sandboxes/${sbA.id}/history`),
      procs: await ok(keyA, "GET", `/v1/sandboxes/${sbA.id}/processes`),
      payload: await ok(keyA, "GET", `/v1/skills/payloads/${refA}`),
      candidates: await ok(keyA, "GET", "/v1/skills/candidates"),
      releases: await ok(keyA, "GET", "/v1/skills/releases"),
      health: await ok(keyA, "GET", `/v1/skills/releases/${relA}/health`),
    });
    const beforeA = await snapshotA();
    const beforeTables = await tableCounts(bay.db);

    const doc = await (await bay.request("GET", "/openapi.json", { key: null })).json();
    const routes = routesOf(doc);
    const pathIds = (r: Route, ownSandbox: boolean): Record<string, string> => {
      const top = r.path.split("/")[r.path.startsWith("/v1/skills/") ? 3 : 2];
      const byTop: Record<string, string> = {
        sandboxes: ownSandbox ? sbB.id : sbA.id,
        cargos: cargoA,
        candidates: candA,
        releases: relA,
      };
      return {
        id: byTop[top] ?? sbA.id,
        payload_ref: refA,
        process_id: procA,
        execution_id: execA,
      };
    };
    const refBody = (r: Route): unknown => {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      const schema = op.requestBody?.content?.["application/json"]?.schema;
      const resolved = schema?.$ref ? doc.components.schemas[schema.$ref.split("/").pop()] : schema;
      const body = { ...(r.body as Record<string, unknown> ?? {}) };
      for (const [field, kind] of Object.entries(REF_FIELDS)) {
        if (!resolved?.properties?.[field]) continue;
        const v = { cargo: cargoA, exec: execA, payload: refA, release: relA }[kind]!;
        body[field] = field.endsWith("_ids") ? [v] : v;
      }
      return body;
    };
    const probe = async (r: Route, path: string, body: unknown) => {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${keyB}`,
        "X-Owner": "tenant-a", // must not switch identity
        "X-Bay-Forwarded-By": "spoofed-replica", // must not skip anything that matters
      };
      let init: RequestInit = { method: r.method, headers };
      if (r.multipart) {
        const form = new FormData();
        form.append("path", "b.txt");
        form.append("file", new Blob(["from B"]));
        init = { ...init, body: form };
      } else if (r.body !== undefined) {
        headers["Content-Type"] = "application/json";
        init = { ...init, body: JSON.stringify(body) };
      }
      if (r.path.endsWith("/terminal")) Object.assign(headers, { Upgrade: "websocket" });
      const res = await bay.bay.app.request(path, init);
      const text = await res.text();
      return { status: res.status, text };
    };

    let n = 0;
    const seen = new Set<string>();
    await t.step("every route, with A's ids in the path or in body references", async () => {
      for (const r of routes) {
        const key = `${r.method} ${r.path}`;
        seen.add(key);
        const q = new URLSearchParams({ ...r.query, path: "a.txt" }).toString();
        if (r.path.startsWith("/v1/admin/")) {
          const res = await probe(r, r.path, refBody(r));
          assert.equal(res.status, 403, `${key}: ${res.text}`);
          n++;
          continue;
        }
        if (r.pathParams.length > 0) {
          const variants = [pathIds(r, false)];
          if (r.path.startsWith("/v1/sandboxes/{id}/") && r.pathParams.length > 1) {
            variants.push(pathIds(r, true)); // B's own sandbox, A's process or execution
          }
          for (const ids of variants) {
            const path = r.path.replace(/\{(\w+)\}/g, (_, k: string) => ids[k]) + `?${q}`;
            const res = await probe(r, path, refBody(r));
            assert.equal(res.status, 404, `${key} as ${path}: ${res.status} ${res.text}`);
            for (const id of idsA) {
              if (!path.includes(id)) assert.ok(!res.text.includes(id), `${key} leaked ${id}`);
            }
            n++;
          }
          continue;
        }
        if (NOTHING_TO_PROBE.has(key)) continue;
        if (r.method === "GET") {
          for (const extra of ["", "&managed=true", "&limit=200"]) {
            const res = await probe(r, `${r.path}?${q}${extra}`, undefined);
            assert.equal(res.status, 200, `${key}: ${res.text}`);
            for (const id of idsA) assert.ok(!res.text.includes(id), `${key} lists A's ${id}`);
            n++;
          }
          continue;
        }
        const body = refBody(r);
        assert.notDeepEqual(body, r.body, `${key}: a new create route? list it or give it refs`);
        const res = await probe(r, r.path, body);
        assert.ok(
          [400, 404].includes(res.status),
          `${key} with A's refs: ${res.status} ${res.text}`,
        );
        n++;
      }
      // Candidate creation mixing B's own execution with A's payload.
      const mixed = await as(keyB, "POST", "/v1/skills/candidates", {
        skill_key: "b",
        source_execution_ids: [execB],
        payload_ref: refA,
      });
      assert.ok([400, 404].includes(mixed.status), `A's payload via B's candidate: ${mixed.text}`);
      n++;
    });

    await t.step(
      "a ticket query opens no route but the terminal, and that only with its ticket",
      async () => {
        for (const r of routes.filter((x) => x.method === "GET" && x.path.startsWith("/v1/"))) {
          if (r.path === "/v1/profiles") continue;
          for (const fill of ["terminal", sbA.id]) {
            const path = r.path.replace(/\{(\w+)\}/g, fill) + `?ticket=${ticketA.slice(0, -1)}0`;
            const res = await bay.bay.app.request(path, { headers: { Upgrade: "websocket" } });
            const text = await res.text();
            assert.equal(
              res.status,
              401,
              `${path} without a key: ${res.status} ${text.slice(0, 200)}`,
            );
            n++;
          }
        }
      },
    );

    await t.step("A's terminal ticket and /mcp do not open A's sandbox to B", async () => {
      const viaB = await bay.bay.app.request(
        `/v1/sandboxes/${sbB.id}/terminal?ticket=${ticketA}`,
        { headers: { Upgrade: "websocket" } },
      );
      assert.equal(viaB.status, 401, "a ticket is bound to its sandbox");
      await viaB.body?.cancel();
      const mcp = async (id: number, name: string, args: Record<string, unknown>) => {
        const res = await bay.bay.app.request("/mcp", {
          method: "POST",
          headers: {
            Authorization: `Bearer ${keyB}`,
            Accept: "application/json, text/event-stream",
            "Content-Type": "application/json",
            "Mcp-Protocol-Version": "2025-06-18",
          },
          body: JSON.stringify({
            jsonrpc: "2.0",
            id,
            method: "tools/call",
            params: { name, arguments: args },
          }),
        });
        return await res.text();
      };
      for (
        const [name, args] of [
          ["execute_shell", { sandbox_id: sbA.id, command: "cat a.txt" }],
          ["read_file", { sandbox_id: sbA.id, path: "a.txt" }],
          ["get_sandbox", { sandbox_id: sbA.id }],
          ["delete_sandbox", { sandbox_id: sbA.id }],
        ] as const
      ) {
        const text = await mcp(++n, name, args);
        assert.doesNotMatch(text, /secret of A/, name);
        assert.match(
          text,
          /not_found|404|Unknown tool|not found/i,
          `${name}: ${text.slice(0, 300)}`,
        );
      }
    });

    assert.deepEqual(await tableCounts(bay.db), beforeTables, "B's probes changed no table");
    assert.deepEqual(await snapshotA(), beforeA, "A's objects are exactly as they were");
    assert.ok(seen.size === routes.length && n >= 60, `${n} probes over ${seen.size} routes`);
  } finally {
    await bay.close();
  }
});
