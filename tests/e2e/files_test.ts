/**
 * The file API through a real Bay (API §4): text and binary round trips,
 * upload/download, listing, delete, edit, and every way out of /workspace.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type ApiResponse, type E2EBay, withBay } from "./_bay.ts";

function assertInvalidPath(r: ApiResponse, field: string, reason: string, what: string) {
  assert.equal(r.status, 400, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.body.error.code, "invalid_path", what);
  assert.equal(r.body.error.details.field, field, what);
  assert.equal(r.body.error.details.reason, reason, what);
}

async function upload(
  bay: E2EBay,
  id: string,
  path: string,
  bytes: Uint8Array<ArrayBuffer>,
  name = "blob",
) {
  const form = new FormData();
  form.append("path", path);
  form.append("file", new Blob([bytes]), name);
  const res = await bay.fetch(`/v1/sandboxes/${id}/filesystem/upload`, {
    method: "POST",
    body: form,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text), text } as ApiResponse;
}

async function download(bay: E2EBay, id: string, path: string) {
  const res = await bay.fetch(
    `/v1/sandboxes/${id}/filesystem/download?path=${encodeURIComponent(path)}`,
  );
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

/** Every file endpoint, called with `path` in its path field. */
function everyEndpoint(bay: E2EBay, id: string) {
  const base = `/v1/sandboxes/${id}/filesystem`;
  const q = (p: string) => encodeURIComponent(p);
  return {
    read: (p: string) => bay.api("GET", `${base}/files?path=${q(p)}`),
    write: (p: string) => bay.api("PUT", `${base}/files`, { path: p, content: "x" }),
    list: (p: string) => bay.api("GET", `${base}/directories?path=${q(p)}`),
    delete: (p: string) => bay.api("DELETE", `${base}/files?path=${q(p)}`),
    edit: (p: string) =>
      bay.api("POST", `${base}/edit`, { path: p, old_string: "a", new_string: "b" }),
    download: async (p: string): Promise<ApiResponse> => {
      const res = await bay.fetch(`${base}/download?path=${q(p)}`);
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
    },
    upload: (p: string) => upload(bay, id, p, new TextEncoder().encode("x")),
  };
}

Deno.test("e2e files: round trips, listing, delete, edit, path safety", async (t) => {
  await withBay({}, async (bay) => {
    const sb = await bay.createSandbox();
    const base = `/v1/sandboxes/${sb.id}/filesystem`;
    try {
      await bay.step(t, "write and read text; parents created; overwrite", async () => {
        const w = await bay.api("PUT", `${base}/files`, {
          path: "notes/deep/hello.txt",
          content: "héllo wörld\n",
        });
        assert.equal(w.status, 200, w.text);
        assert.deepEqual(w.body, { status: "ok" });
        const r = await bay.api("GET", `${base}/files?path=notes/deep/hello.txt`);
        assert.equal(r.status, 200);
        assert.deepEqual(r.body, { content: "héllo wörld\n" });
        const seen = await bay.sh(sb.id, "cat notes/deep/hello.txt; stat -c %u notes/deep");
        assert.equal(seen.output, "héllo wörld\n1000\n", "visible to and owned by the user");
        await bay.api("PUT", `${base}/files`, { path: "notes/deep/hello.txt", content: "v2" });
        const r2 = await bay.api("GET", `${base}/files?path=notes/./deep/../deep/hello.txt`);
        assert.deepEqual(r2.body, { content: "v2" });
      });

      await bay.step(t, "1 MiB of random bytes: base64 write, download byte for byte", async () => {
        const big = new Uint8Array(1 << 20);
        for (let i = 0; i < big.length; i += 65536) {
          crypto.getRandomValues(big.subarray(i, i + 65536));
        }
        big[7] = 0; // certainly binary
        const w = await bay.api("PUT", `${base}/files`, {
          path: "bin/random.bin",
          content: big.toBase64(),
          encoding: "base64",
        });
        assert.equal(w.status, 200, w.text);
        const d = await download(bay, sb.id, "bin/random.bin");
        assert.equal(d.res.status, 200);
        assert.equal(d.res.headers.get("content-length"), String(big.length));
        assert.equal(d.res.headers.get("content-type"), "application/octet-stream");
        assert.equal(d.bytes.length, big.length);
        assert.deepEqual(d.bytes, big);

        const read = await bay.api("GET", `${base}/files?path=bin/random.bin`);
        assert.equal(read.status, 400);
        assert.equal(read.body.error.code, "validation_error");
        assert.match(read.body.error.message, /download/);
      });

      await bay.step(t, "multipart upload, then download with headers", async () => {
        const bytes = new Uint8Array(300_000);
        for (let i = 0; i < bytes.length; i += 65536) {
          crypto.getRandomValues(bytes.subarray(i, i + 65536));
        }
        const up = await upload(bay, sb.id, "up/./data.bin", bytes, "whatever.bin");
        assert.equal(up.status, 200, up.text);
        assert.deepEqual(up.body, { status: "ok", path: "up/data.bin", size: bytes.length });
        const d = await download(bay, sb.id, "up/data.bin");
        assert.equal(d.res.status, 200);
        assert.equal(d.res.headers.get("content-length"), String(bytes.length));
        assert.match(
          d.res.headers.get("content-disposition") ?? "",
          /^attachment; filename="data\.bin"/,
        );
        assert.deepEqual(d.bytes, bytes);
        const sum = await bay.sh(sb.id, "wc -c < up/data.bin");
        assert.equal(sum.output.trim(), String(bytes.length));
      });

      await bay.step(t, "list: dirs first, by name, hidden only on request", async () => {
        await bay.sh(
          sb.id,
          "mkdir -p ls/Zdir ls/adir && printf 12345 > ls/b.txt && touch ls/A.txt ls/.hidden",
        );
        const r = await bay.api("GET", `${base}/directories?path=ls`);
        assert.equal(r.status, 200, r.text);
        const names = r.body.entries.map((e: { name: string }) => e.name);
        assert.deepEqual(names, ["adir", "Zdir", "A.txt", "b.txt"]);
        const b = r.body.entries.find((e: { name: string }) => e.name === "b.txt");
        assert.equal(b.path, "/workspace/ls/b.txt");
        assert.equal(b.is_file, true);
        assert.equal(b.is_dir, false);
        assert.equal(b.size, 5);
        assert.ok(Math.abs(b.modified_time - Date.now() / 1000) < 120, `${b.modified_time}`);
        const dir = r.body.entries.find((e: { name: string }) => e.name === "adir");
        assert.equal(dir.is_dir, true);
        assert.equal(dir.path, "/workspace/ls/adir");
        const hidden = await bay.api("GET", `${base}/directories?path=ls&show_hidden=true`);
        assert.deepEqual(
          hidden.body.entries.map((e: { name: string }) => e.name),
          ["adir", "Zdir", ".hidden", "A.txt", "b.txt"],
        );
        const root = await bay.api("GET", `${base}/directories`);
        assert.equal(root.status, 200);
        assert.ok(
          root.body.entries.some((e: { path: string }) => e.path === "/workspace/ls"),
          JSON.stringify(root.body.entries),
        );
      });

      await bay.step(t, "delete a file and a directory; missing is 404", async () => {
        const f = await bay.api("DELETE", `${base}/files?path=ls/b.txt`);
        assert.equal(f.status, 200, f.text);
        assert.deepEqual(f.body, { status: "ok" });
        const d = await bay.api("DELETE", `${base}/files?path=ls`);
        assert.equal(d.status, 200, d.text);
        const gone = await bay.sh(sb.id, "test -e ls && echo there || echo gone");
        assert.equal(gone.output, "gone\n");
        for (
          const r of [
            await bay.api("DELETE", `${base}/files?path=ls`),
            await bay.api("GET", `${base}/files?path=ls/b.txt`),
            await bay.api("GET", `${base}/directories?path=nope`),
            await everyEndpoint(bay, sb.id).download("nope.bin"),
          ]
        ) {
          assert.equal(r.status, 404, r.text);
          assert.equal(r.body.error.code, "file_not_found");
        }
      });

      await bay.step(t, "edit: replace, ambiguity, replace_all", async () => {
        await bay.api("PUT", `${base}/files`, { path: "e.txt", content: "a-b-a-c" });
        const one = await bay.api("POST", `${base}/edit`, {
          path: "e.txt",
          old_string: "b",
          new_string: "B",
        });
        assert.equal(one.status, 200, one.text);
        assert.deepEqual(one.body, { status: "ok", replacements: 1 });
        const amb = await bay.api("POST", `${base}/edit`, {
          path: "e.txt",
          old_string: "a",
          new_string: "A",
        });
        assert.equal(amb.status, 400);
        assert.equal(amb.body.error.code, "validation_error");
        assert.match(amb.body.error.message, /replace_all/);
        const absent = await bay.api("POST", `${base}/edit`, {
          path: "e.txt",
          old_string: "zzz",
          new_string: "y",
        });
        assert.equal(absent.status, 400);
        const all = await bay.api("POST", `${base}/edit`, {
          path: "e.txt",
          old_string: "a",
          new_string: "A",
          replace_all: true,
        });
        assert.deepEqual(all.body, { status: "ok", replacements: 2 });
        const r = await bay.api("GET", `${base}/files?path=e.txt`);
        assert.equal(r.body.content, "A-B-A-c");
      });

      await bay.step(t, "escaping paths are refused on every endpoint", async () => {
        const ep = everyEndpoint(bay, sb.id);
        const cases: [string, string][] = [
          ["../x", "path_traversal"],
          ["a/../../x", "path_traversal"],
          ["/etc/passwd", "absolute_path"],
          ["a\u0000b", "null_byte"],
        ];
        for (const [name, call] of Object.entries(ep)) {
          for (const [p, reason] of cases) {
            assertInvalidPath(await call(p), "path", reason, `${name} ${JSON.stringify(p)}`);
          }
        }
        const nul = await bay.api("GET", `${base}/files?path=x%00y`);
        assertInvalidPath(nul, "path", "null_byte", "raw %00 in the query");
        const passwd = await bay.sh(sb.id, "head -1 /etc/passwd");
        assert.match(passwd.output, /^root:/, "/etc/passwd untouched");
      });

      await bay.step(t, "symlinks leading out are refused with path_traversal", async () => {
        const ln = await bay.sh(sb.id, "ln -s /etc/passwd link && ln -s / root && echo ok");
        assert.equal(ln.output, "ok\n", ln.error);
        const ep = everyEndpoint(bay, sb.id);
        const attempts: [string, () => Promise<ApiResponse>][] = [
          ["read link", () => ep.read("link")],
          ["download link", () => ep.download("link")],
          ["write link", () => ep.write("link")],
          ["edit link", () => ep.edit("link")],
          ["upload link", () => ep.upload("link")],
          ["read root/etc/passwd", () => ep.read("root/etc/passwd")],
          ["download root/etc/passwd", () => ep.download("root/etc/passwd")],
          ["write root/tmp/evil", () => ep.write("root/tmp/evil")],
          ["list root", () => ep.list("root")],
          ["list root/etc", () => ep.list("root/etc")],
          ["delete root/tmp", () => ep.delete("root/tmp")],
        ];
        for (const [what, attempt] of attempts) {
          assertInvalidPath(await attempt(), "path", "path_traversal", what);
        }
        const cwd = await bay.api("POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
          command: "pwd",
          cwd: "root/etc",
        });
        assertInvalidPath(cwd, "cwd", "path_traversal", "cwd through a link");

        const list = await bay.api("GET", `${base}/directories`);
        const link = list.body.entries.find((e: { name: string }) => e.name === "link");
        assert.deepEqual(
          { is_file: link.is_file, is_dir: link.is_dir, size: link.size },
          { is_file: false, is_dir: false, size: null },
          "a link leading out is listed but not described",
        );
        const del = await bay.api("DELETE", `${base}/files?path=link`);
        assert.equal(del.status, 200, "deleting the link itself is fine");
        const still = await bay.sh(sb.id, "test -L link || echo unlinked; head -1 /etc/passwd");
        assert.equal(still.output.split("\n")[0], "unlinked");
        assert.match(still.output.split("\n")[1], /^root:/, "the target is untouched");
      });
    } finally {
      await bay.deleteSandbox(sb.id);
    }
  });
});
