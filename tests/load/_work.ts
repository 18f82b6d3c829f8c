/**
 * The load test's unit of work: one self-checking operation on a sandbox
 * (python exec, shell exec, binary upload + download, text write + read),
 * timed per HTTP call.
 *
 * @module
 */
import { API_KEY, type ApiResponse, type E2EBay } from "../e2e/_bay.ts";
import { randomBytes } from "../_util.ts";

/** Kinds of timed calls. */
export const KINDS = ["python", "shell", "upload", "download", "write", "read"] as const;
/** One kind of timed call. */
export type Kind = (typeof KINDS)[number];

/** Latencies per kind and the errors seen. */
export class Tally {
  readonly ms: Record<Kind, number[]> = {
    python: [],
    shell: [],
    upload: [],
    download: [],
    write: [],
    read: [],
  };
  readonly errors: string[] = [];
  calls = 0;

  /** Time `fn` as one call of `kind`; a thrown error is counted, not rethrown. */
  async time(kind: Kind, fn: () => Promise<void>): Promise<boolean> {
    const t0 = performance.now();
    this.calls++;
    try {
      await fn();
      this.ms[kind].push(performance.now() - t0);
      return true;
    } catch (e) {
      this.errors.push(`${kind}: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300));
      return false;
    }
  }

  /** Every latency, all kinds together. */
  all(): number[] {
    return KINDS.flatMap((k) => this.ms[k]);
  }
}

/**
 * Requests to Bay over a dedicated HTTP client, so the test can close its
 * pooled keep-alive connections: they are Bay's descriptors too, and must not
 * be mistaken for a leak.
 */
export class Client {
  #url: string;
  #http = Deno.createHttpClient({});

  constructor(bay: E2EBay) {
    this.#url = bay.url;
  }

  /** A raw authenticated request; the caller consumes the body. */
  fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${API_KEY}`);
    return fetch(`${this.#url}${path}`, {
      ...init,
      headers,
      client: this.#http,
      signal: AbortSignal.timeout(120_000),
    } as RequestInit);
  }

  /** A JSON request; the body is read and parsed (null when empty or not JSON). */
  async api(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const res = await this.fetch(path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  /** Close the pooled connections. */
  close(): void {
    this.#http.close();
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(what);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Operation number `i` on sandbox `id`; its kind cycles python, shell,
 * transfer (upload then download), text (write then read). Every answer is
 * checked; a wrong one counts as an error.
 */
export async function operation(
  bay: Client,
  id: string,
  i: number,
  tally: Tally,
  transferBytes: number,
): Promise<void> {
  const base = `/v1/sandboxes/${id}`;
  switch (i % 4) {
    case 0:
      await tally.time("python", async () => {
        const r = await bay.api("POST", `${base}/python/exec`, { code: `v${i} = ${i}\nv${i} * 2` });
        check(r.status === 200 && r.body.success === true, `python ${r.status} ${r.text}`);
        check(r.body.output === String(i * 2), `python output ${r.body.output}`);
      });
      return;
    case 1:
      await tally.time("shell", async () => {
        const r = await bay.api("POST", `${base}/shell/exec`, {
          command: `echo $(( ${i} * 3 )) && echo lane-${i} >> shell.log`,
        });
        check(r.status === 200 && r.body.exit_code === 0, `shell ${r.status} ${r.text}`);
        check(r.body.output === `${i * 3}\n`, `shell output ${JSON.stringify(r.body.output)}`);
      });
      return;
    case 2: {
      const bytes = randomBytes(transferBytes);
      const path = `load/blob-${i}.bin`;
      const up = await tally.time("upload", async () => {
        const form = new FormData();
        form.append("path", path);
        form.append("file", new Blob([bytes]), "blob.bin");
        const res = await bay.fetch(`${base}/filesystem/upload`, { method: "POST", body: form });
        const text = await res.text();
        check(res.status === 200, `upload ${res.status} ${text}`);
      });
      if (!up) return;
      await tally.time("download", async () => {
        const res = await bay.fetch(`${base}/filesystem/download?path=${path}`);
        const got = new Uint8Array(await res.arrayBuffer());
        check(res.status === 200, `download ${res.status}`);
        check(sameBytes(got, bytes), `download of ${path}: ${got.byteLength} bytes differ`);
      });
      return;
    }
    default: {
      const content = `text ${i} ${crypto.randomUUID()}\n`;
      const path = `load/text-${i}.txt`;
      const ok = await tally.time("write", async () => {
        const r = await bay.api("PUT", `${base}/filesystem/files`, { path, content });
        check(r.status === 200, `write ${r.status} ${r.text}`);
      });
      if (!ok) return;
      await tally.time("read", async () => {
        const r = await bay.api("GET", `${base}/filesystem/files?path=${path}`);
        check(r.status === 200 && r.body.content === content, `read ${r.status} ${r.text}`);
      });
    }
  }
}
