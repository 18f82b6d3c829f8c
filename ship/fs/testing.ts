/**
 * Test fixtures of the fs module: a temp workspace next to an "outside"
 * directory holding a sentinel file that no operation may touch.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ShipError } from "../errors.ts";

/** A temp workspace for one test. */
export interface Fixture {
  /** Real path of the workspace root. */
  root: string;
  /** Real path of a directory outside the root. */
  outside: string;
}

/** Run `fn` with a fresh workspace and outside directory, removed afterwards. */
export async function withWorkspace(fn: (fx: Fixture) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "ship-fs-" }));
  try {
    const root = `${base}/ws`;
    const outside = `${base}/outside`;
    await Deno.mkdir(root);
    await Deno.mkdir(`${outside}/sub`, { recursive: true });
    await Deno.writeTextFile(`${outside}/secret.txt`, "secret");
    await Deno.writeTextFile(`${outside}/sub/deep.txt`, "deep");
    await fn({ root, outside });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

/** Assert that `p` rejects with a ShipError of `code` (and `reason`, if given). */
export async function rejectsWith(
  p: Promise<unknown>,
  code: string,
  reason?: string,
): Promise<ShipError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ShipError, `expected ShipError ${code}, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (reason !== undefined) assert.equal(e.details?.reason, reason, e.message);
    return e;
  }
  assert.fail(`expected ShipError ${code}, but it resolved`);
}

/** Assert the outside directory is exactly as the fixture made it. */
export async function assertOutsideIntact(outside: string): Promise<void> {
  assert.equal(await Deno.readTextFile(`${outside}/secret.txt`), "secret");
  assert.equal(await Deno.readTextFile(`${outside}/sub/deep.txt`), "deep");
  const names = [];
  for await (const e of Deno.readDir(outside)) names.push(e.name);
  assert.deepEqual(names.sort(), ["secret.txt", "sub"]);
}

/** A stream of `chunks` chunks of `chunkBytes` bytes each, reusing one buffer. */
export function patternStream(chunks: number, chunkBytes: number): ReadableStream<Uint8Array> {
  const buf = new Uint8Array(chunkBytes).map((_, i) => i % 251);
  let n = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (n++ < chunks) ctrl.enqueue(buf);
      else ctrl.close();
    },
  }, { highWaterMark: 0 });
}

/** A stream of the given byte arrays. */
export function streamOf(...parts: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(ctrl) {
      for (const p of parts) ctrl.enqueue(p);
      ctrl.close();
    },
  });
}

/** Names in `dir` (sorted), including dot-files. */
export async function namesIn(dir: string): Promise<string[]> {
  const names = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  return names.sort();
}

/** Standard base64 of `bytes`. */
export function encodeBase64(bytes: Uint8Array): string {
  return bytes.toBase64();
}
