/**
 * Every endpoint that takes a workspace path, as one uniform call taking a
 * {@link PathCase}: the file API (read, write, list, delete, edit, download,
 * upload with `path` before or after the file part) and the `cwd` of shell
 * exec and process start. Works over `app.request` or a real Bay's `fetch`.
 *
 * @module
 */
import type { PathCase } from "./_corpus.ts";

/** Something that answers requests (an app's `request` or a bound `fetch`). */
export type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

/** A read answer. */
export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
}

/** Names of the endpoints. */
export const ENDPOINTS = [
  "read",
  "write",
  "list",
  "delete",
  "edit",
  "download",
  "upload",
  "upload_path_last",
  "shell_cwd",
  "process_cwd",
] as const;
/** One endpoint name. */
export type Endpoint = (typeof ENDPOINTS)[number];

/** The request field an endpoint's path goes in. */
export function fieldOf(e: Endpoint): string {
  return e === "shell_cwd" || e === "process_cwd" ? "cwd" : "path";
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch { /* raw bytes (download) */ }
  return { status: res.status, body, text };
}

/** `fetch` bound to a base URL (or an app) with a bearer key. */
export function authed(
  send: (path: string, init: RequestInit) => Response | Promise<Response>,
  key: string,
): Fetch {
  return async (path, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${key}`);
    return await send(path, { ...init, headers });
  };
}

/** Call endpoint `e` of sandbox `id` with `pc` as its path. */
export async function callEndpoint(
  f: Fetch,
  id: string,
  e: Endpoint,
  pc: PathCase,
  content = "written-by-test",
): Promise<Answer> {
  const base = `/v1/sandboxes/${id}`;
  const q = pc.raw ?? encodeURIComponent(pc.value);
  const json = (method: string, path: string, body: unknown) =>
    f(path, {
      method,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(answer);
  switch (e) {
    case "read":
      return await f(`${base}/filesystem/files?path=${q}`).then(answer);
    case "list":
      return await f(`${base}/filesystem/directories?path=${q}`).then(answer);
    case "delete":
      return await f(`${base}/filesystem/files?path=${q}`, { method: "DELETE" }).then(answer);
    case "download":
      return await f(`${base}/filesystem/download?path=${q}`).then(answer);
    case "write":
      return await json("PUT", `${base}/filesystem/files`, { path: pc.value, content });
    case "edit":
      return await json("POST", `${base}/filesystem/edit`, {
        path: pc.value,
        old_string: "canary",
        new_string: "pwned",
        replace_all: true,
      });
    case "upload":
    case "upload_path_last": {
      const form = new FormData();
      if (e === "upload") form.append("path", pc.value);
      form.append("file", new Blob([content]), "../../../../etc/passwd");
      if (e === "upload_path_last") form.append("path", pc.value);
      return await f(`${base}/filesystem/upload`, { method: "POST", body: form }).then(answer);
    }
    case "shell_cwd":
      return await json("POST", `${base}/shell/exec`, { command: "pwd", cwd: pc.value });
    case "process_cwd":
      return await json("POST", `${base}/processes`, { command: "pwd", cwd: pc.value });
  }
}
