/**
 * Receives a multipart upload and streams its file part to the ship without
 * holding it in memory. When the `file` part precedes `path`, the bytes are
 * spooled to a temporary file on Bay's disk until the path is known.
 *
 * @module
 */
import type { Context } from "hono";
import { join } from "node:path";
import { BayError, notFound } from "../../errors.ts";
import { getSandbox } from "../../store/sandboxes.ts";
import type { BayEnv, Services } from "../context.ts";
import { MultipartError, parseMultipart, readField } from "../multipart.ts";

function missing(field: string): BayError {
  return new BayError("validation_error", `form field '${field}' is required`, {
    issues: [{ path: `form.${field}`, message: "Required" }],
  }, 422);
}

/** Passes at most `max` bytes, then fails with `payload_too_large` (the spool's bound). */
function atMost(max: number): TransformStream<Uint8Array, Uint8Array> {
  let n = 0;
  return new TransformStream({
    transform(chunk, ctrl) {
      n += chunk.byteLength;
      if (n > max) {
        throw new BayError("payload_too_large", `upload exceeds ${max} bytes`, { max_bytes: max });
      }
      ctrl.enqueue(chunk);
    },
  });
}

/** Handle `POST …/filesystem/upload`. */
export async function receiveUpload(
  c: Context<BayEnv>,
  s: Services,
  sandboxId: string,
): Promise<{ path: string; size: number }> {
  const owner = c.get("principal").owner;
  const type = c.req.header("Content-Type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data")) {
    throw new BayError(
      "validation_error",
      "expected a multipart/form-data body with file and path",
      {
        issues: [{ path: "body", message: "expected multipart/form-data" }],
      },
      422,
    );
  }
  // A missing or foreign sandbox is refused before a byte of the body is read (or spooled).
  if (!await getSandbox(s.db, owner, sandboxId)) throw notFound("sandbox", sandboxId);
  const body = c.req.raw.body;
  if (!body) throw missing("file");
  let path: string | null = null;
  let spool: string | null = null;
  let result: { path: string; size: number } | null = null;
  try {
    for await (const part of parseMultipart(body, type)) {
      if (part.name === "path") {
        path = await readField(part, 8192);
      } else if (part.name === "file" && result === null && spool === null) {
        if (path !== null) {
          result = await s.files.upload(owner, sandboxId, path, part.body, c.req.raw.signal);
        } else {
          const dir = join(s.config.dataDir, "tmp");
          await Deno.mkdir(dir, { recursive: true });
          spool = await Deno.makeTempFile({ dir, prefix: "upload-" });
          const f = await Deno.open(spool, { write: true, truncate: true });
          await part.body.pipeThrough(atMost(s.config.maxUploadBytes)).pipeTo(f.writable);
        }
      } else {
        await part.body.cancel();
      }
    }
    if (path === null) throw missing("path");
    if (result) return result;
    if (spool === null) throw missing("file");
    const f = await Deno.open(spool, { read: true });
    return await s.files.upload(owner, sandboxId, path, f.readable, c.req.raw.signal);
  } catch (e) {
    if (e instanceof MultipartError) {
      throw new BayError("validation_error", `malformed multipart body: ${e.message}`, {
        issues: [{ path: "body", message: e.message }],
      }, 422);
    }
    throw e;
  } finally {
    if (spool) await Deno.remove(spool).catch(() => {});
  }
}
