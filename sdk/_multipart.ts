/**
 * A streamed `multipart/form-data` body for uploads: the `path` field, then
 * the `file` part, pulled from the caller's data only as fast as the
 * connection takes it.
 *
 * @module
 */

/**
 * What an upload can send.
 *
 * @example
 * ```ts
 * const d: UploadData = new Blob(["hello"]);
 * ```
 */
export type UploadData = ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | Blob;

/**
 * A multipart body and its content type.
 *
 * @example
 * ```ts
 * const m: MultipartBody = uploadBody("a.txt", new Uint8Array([104, 105]));
 * console.log(m.contentType);
 * ```
 */
export interface MultipartBody {
  body: ReadableStream<Uint8Array> | Blob;
  contentType: string;
}

function boundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `----shipyard-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The multipart body carrying `path` and `data` (as `file`). A stream stays a
 * stream (nothing is buffered); bytes and blobs become a Blob (with a known
 * length).
 *
 * @example
 * ```ts
 * const { body, contentType } = uploadBody("a.txt", new TextEncoder().encode("hi"));
 * console.log(contentType.startsWith("multipart/form-data"), body instanceof Blob);
 * ```
 */
export function uploadBody(path: string, data: UploadData): MultipartBody {
  const b = boundary();
  const name = (path.split("/").pop() || "file").replace(/["\r\n\\]/g, "_");
  const enc = new TextEncoder();
  const head = enc.encode(
    `--${b}\r\nContent-Disposition: form-data; name="path"\r\n\r\n${path}\r\n` +
      `--${b}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${b}--\r\n`);
  const contentType = `multipart/form-data; boundary=${b}`;
  if (!(data instanceof ReadableStream)) {
    const part = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    return { body: new Blob([head, part as BlobPart, tail]), contentType };
  }
  const reader = data.getReader();
  let stage: "head" | "data" | "done" = "head";
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      if (stage === "head") {
        stage = "data";
        ctrl.enqueue(head);
        return;
      }
      while (stage === "data") {
        const r = await reader.read();
        if (r.done) {
          stage = "done";
          ctrl.enqueue(tail);
          ctrl.close();
        } else if (r.value.byteLength > 0) {
          ctrl.enqueue(r.value);
          return;
        }
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { body, contentType };
}
