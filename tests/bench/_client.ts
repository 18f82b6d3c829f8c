/**
 * The few Bay API calls the benchmark makes (API.md §2–4), over `fetch`.
 *
 * @module
 */
import { multipartStream } from "./_multipart.ts";
import { rawPost } from "./_raw_post.ts";

/** Result fields of an exec the benchmark checks. */
export interface ExecResult {
  success: boolean;
  output: string;
  error: string | null;
}

/** A Bearer-authenticated Bay client. */
export class BayClient {
  constructor(readonly base: string, readonly apiKey: string) {}

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.apiKey}`, ...extra };
  }

  async #json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: this.#headers(body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  /** `POST /v1/sandboxes` (default profile). */
  async createSandbox(): Promise<string> {
    const sb = await this.#json<{ id: string }>("POST", "/v1/sandboxes", {});
    return sb.id;
  }

  /** `DELETE /v1/sandboxes/{id}`. */
  async deleteSandbox(id: string): Promise<void> {
    await this.#json("DELETE", `/v1/sandboxes/${id}`);
  }

  /** `POST …/python/exec`. */
  python(id: string, code: string): Promise<ExecResult> {
    return this.#json("POST", `/v1/sandboxes/${id}/python/exec`, { code });
  }

  /** `POST …/shell/exec`. */
  shell(id: string, command: string): Promise<ExecResult> {
    return this.#json("POST", `/v1/sandboxes/${id}/shell/exec`, { command });
  }

  /**
   * `POST …/filesystem/upload`: `file` (exactly `size` bytes) streamed as a
   * multipart body, the path field first (see `_raw_post.ts` for why not fetch).
   */
  async upload(
    id: string,
    path: string,
    file: ReadableStream<Uint8Array>,
    size: number,
  ): Promise<{ path: string; size: number }> {
    const mp = multipartStream({ path }, "file", path.split("/").pop() ?? "file", file);
    const res = await rawPost(
      `${this.base}/v1/sandboxes/${id}/filesystem/upload`,
      this.#headers({ "Content-Type": mp.contentType }),
      mp.body,
      size + mp.overhead,
    );
    if (res.status !== 200) throw new Error(`upload → ${res.status}: ${res.body.slice(0, 500)}`);
    return JSON.parse(res.body);
  }

  /** `GET …/filesystem/download`: the response, body unread. */
  async download(id: string, path: string): Promise<Response> {
    const res = await fetch(
      `${this.base}/v1/sandboxes/${id}/filesystem/download?path=${encodeURIComponent(path)}`,
      { headers: this.#headers() },
    );
    if (!res.ok) throw new Error(`download → ${res.status}: ${(await res.text()).slice(0, 500)}`);
    return res;
  }
}
