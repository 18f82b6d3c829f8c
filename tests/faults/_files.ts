/**
 * Acknowledged writes and their later check: files written through every
 * route (the text API, a multipart upload, a shell command, Python), each
 * fingerprinted by downloading it once its write was acknowledged.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { E2EBay } from "../e2e/_bay.ts";
import { randomBytes } from "../_util.ts";

/** A file whose write was acknowledged, and its content hash. */
export interface Written {
  path: string;
  sha256: string;
  size: number;
}

/** Hex SHA-256 of `bytes`. */
export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Download `path` of sandbox `id` (null when Bay answers 404). */
export async function download(
  bay: E2EBay,
  id: string,
  path: string,
): Promise<Uint8Array<ArrayBuffer> | null> {
  const res = await bay.fetch(
    `/v1/sandboxes/${id}/filesystem/download?path=${encodeURIComponent(path)}`,
  );
  const body = new Uint8Array(await res.arrayBuffer());
  if (res.status === 404) return null;
  assert.equal(
    res.status,
    200,
    `download ${path}: ${res.status} ${new TextDecoder().decode(body)}`,
  );
  return body;
}

/** Upload `bytes` to `path` (multipart); returns Bay's status and body text. */
export async function upload(
  bay: E2EBay,
  id: string,
  path: string,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<{ status: number; text: string }> {
  const form = new FormData();
  form.append("path", path);
  form.append("file", new Blob([bytes]), "file.bin");
  const res = await bay.fetch(`/v1/sandboxes/${id}/filesystem/upload`, {
    method: "POST",
    body: form,
  });
  return { status: res.status, text: await res.text() };
}

/** Write four files under `dir/` through four routes; all acknowledged. */
export async function writeEvidence(bay: E2EBay, id: string, dir: string): Promise<Written[]> {
  const paths = ["api.txt", "upload.bin", "shell.bin", "python.txt"].map((f) => `${dir}/${f}`);
  const w = await bay.api("PUT", `/v1/sandboxes/${id}/filesystem/files`, {
    path: paths[0],
    content: `written through the API ${crypto.randomUUID()}\n`,
  });
  assert.equal(w.status, 200, w.text);
  const up = await upload(bay, id, paths[1], randomBytes(1024 * 1024 + 17));
  assert.equal(up.status, 200, up.text);
  const sh = await bay.sh(id, `head -c 300001 /dev/urandom > ${paths[2]} && sync`);
  assert.equal(sh.exit_code, 0, JSON.stringify(sh));
  const py = await bay.py(
    id,
    `import os\nwith open(${JSON.stringify(paths[3])}, "w") as f:\n` +
      `    f.write("python " + os.urandom(8).hex() * 1000)\n    f.flush()\n    os.fsync(f.fileno())`,
  );
  assert.equal(py.success, true, JSON.stringify(py));
  const out: Written[] = [];
  for (const path of paths) {
    const bytes = await download(bay, id, path);
    assert.ok(bytes, `${path} readable right after its write`);
    out.push({ path, sha256: await sha256(bytes), size: bytes.byteLength });
  }
  return out;
}

/** Every file in `written` is there with the same content. */
export async function assertIntact(bay: E2EBay, id: string, written: Written[]): Promise<void> {
  for (const f of written) {
    const bytes = await download(bay, id, f.path);
    assert.ok(bytes, `${f.path} is gone`);
    assert.equal(bytes.byteLength, f.size, `${f.path}: size`);
    assert.equal(await sha256(bytes), f.sha256, `${f.path}: content`);
  }
}
