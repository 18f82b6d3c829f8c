/**
 * A `multipart/form-data` request body built as a stream: text fields, then
 * one file part whose bytes come from a stream (never buffered).
 *
 * @module
 */

/** A streamed multipart body and its Content-Type (with the boundary). */
export interface MultipartBody {
  body: ReadableStream<Uint8Array>;
  contentType: string;
  /** Bytes around the file's: total length = file size + overhead. */
  overhead: number;
}

/**
 * Build `fields` (in order) then the part `fileField` carrying `file`:
 * preamble + file stream + epilogue.
 */
export function multipartStream(
  fields: Record<string, string>,
  fileField: string,
  filename: string,
  file: ReadableStream<Uint8Array>,
): MultipartBody {
  const boundary = `----bench${crypto.randomUUID().replaceAll("-", "")}`;
  let head = "";
  for (const [name, value] of Object.entries(fields)) {
    head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  }
  head += `--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; ` +
    `filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const enc = new TextEncoder();
  const preamble = enc.encode(head);
  const epilogue = enc.encode(`\r\n--${boundary}--\r\n`);
  const reader = file.getReader();
  let stage: "head" | "file" | "done" = "head";
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      if (stage === "head") {
        stage = "file";
        ctrl.enqueue(preamble);
        return;
      }
      if (stage === "file") {
        const r = await reader.read();
        if (!r.done) {
          ctrl.enqueue(r.value);
          return;
        }
        stage = "done";
        ctrl.enqueue(epilogue);
        return;
      }
      ctrl.close();
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return {
    body,
    contentType: `multipart/form-data; boundary=${boundary}`,
    overhead: preamble.byteLength + epilogue.byteLength,
  };
}
