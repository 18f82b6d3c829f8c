/**
 * The one way the dashboard talks to Bay: same origin, `Authorization:
 * Bearer <key>` on every call, Bay's error envelope turned into `ApiError`.
 */
import { clearApiKey, getApiKey } from "../auth.ts";

/** A failed call: HTTP status plus Bay's `error.code` and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Called when Bay answers 401 (the key is wrong or was revoked). */
let onUnauthorized: () => void = () => {};
export function setUnauthorizedHandler(fn: () => void): void {
  onUnauthorized = fn;
}

export interface CallOptions {
  body?: unknown;
  /** A form (multipart) body instead of JSON. */
  form?: FormData;
  /** Use this key instead of the stored one (login check). */
  key?: string;
  signal?: AbortSignal;
}

function headersFor(opts: CallOptions): Headers {
  const h = new Headers();
  const key = opts.key ?? getApiKey();
  if (key) h.set("Authorization", `Bearer ${key}`);
  if (opts.body !== undefined) h.set("Content-Type", "application/json");
  return h;
}

async function toError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => "");
  try {
    const e =
      (JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } })
        .error;
    if (e?.code) return new ApiError(res.status, e.code, e.message ?? e.code, e.details);
  } catch { /* not an envelope */ }
  return new ApiError(res.status, `http_${res.status}`, text.slice(0, 200) || res.statusText);
}

/** A raw call; throws `ApiError` unless the status is 2xx. */
export async function request(
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Response> {
  const res = await fetch(path, {
    method,
    headers: headersFor(opts),
    body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    signal: opts.signal ?? null,
  });
  if (res.ok) return res;
  const err = await toError(res);
  if (res.status === 401 && opts.key === undefined) {
    clearApiKey();
    onUnauthorized();
  }
  throw err;
}

/** A JSON call; `undefined` for 204. */
export async function api<T>(method: string, path: string, opts: CallOptions = {}): Promise<T> {
  const res = await request(method, path, opts);
  if (res.status === 204) return undefined as T;
  return await res.json() as T;
}

/** `?a=1&b=2` from the defined, non-empty entries of `q`. */
export function query(q: Record<string, string | number | boolean | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** A readable message for anything thrown. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return `${e.message} (${e.code}, HTTP ${e.status})`;
  if (e instanceof Error) return e.message;
  return String(e);
}
