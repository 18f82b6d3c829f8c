/**
 * Moving file bytes between a sandbox and the MCP server's own disk (stdio
 * servers) or memory, with size limits, streamed where possible.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import type { Sandbox, UploadResult } from "@shipyard/sdk";
import { ToolInputError } from "./_format.ts";

function tooLarge(what: string, limit: number): ToolInputError {
  return new ToolInputError(
    "payload_too_large",
    `${what} is larger than the limit of ${limit} bytes`,
  );
}

/** Upload local file `localPath` to `sandboxPath` (default: its file name), streamed. */
export async function uploadLocal(
  sb: Sandbox,
  localPath: string,
  sandboxPath: string | undefined,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<UploadResult> {
  const path = resolve(localPath);
  const info = await Deno.stat(path);
  if (!info.isFile) {
    throw new ToolInputError("validation_error", `${localPath} is not a regular file`);
  }
  if (info.size > maxBytes) throw tooLarge(localPath, maxBytes);
  const file = await Deno.open(path, { read: true });
  // The stream closes the file when it is read to the end or cancelled.
  return await sb.files.upload(sandboxPath || basename(path), file.readable, { signal });
}

/** Write `stream` to local file `localPath` (parents created); at most `maxBytes`. */
export async function saveLocal(
  stream: ReadableStream<Uint8Array>,
  localPath: string,
  maxBytes: number,
): Promise<number> {
  const path = resolve(localPath);
  await Deno.mkdir(dirname(path), { recursive: true });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let size = 0;
  try {
    const reader = stream.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.length;
        if (size > maxBytes) throw tooLarge("the file", maxBytes);
        let off = 0;
        while (off < value.length) off += await file.write(value.subarray(off));
      }
    } catch (e) {
      await reader.cancel().catch(() => {});
      throw e;
    }
  } catch (e) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw e;
  }
  file.close();
  return size;
}

/** All of `stream`, or a `payload_too_large` error past `maxBytes` (the stream is cancelled). */
export async function readAtMost(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new ToolInputError(
        "payload_too_large",
        `the file is larger than ${maxBytes} bytes, the limit for inline downloads` +
          " (use a stdio server with local_path, or Bay's download API)",
      );
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
