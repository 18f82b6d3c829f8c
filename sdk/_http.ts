/**
 * The transport every SDK call goes through: URL and headers, the call's
 * deadline and abort signal, the retry policy and error mapping.
 *
 * @module
 */
import { errorFromResponse } from "./_error_map.ts";
import {
  DEFAULT_RETRY,
  retryableFailure,
  retryDelayMs,
  type RetryPolicy,
  safeToRepeat,
} from "./_retry.ts";
import { fillPath, type RouteName, ROUTES } from "./_routes.ts";
import { abortable, type Deadline, deadline, sleep } from "./_signal.ts";
import { ConnectionError } from "./errors.ts";

/**
 * A `fetch`-compatible function.
 *
 * @example
 * ```ts
 * const f: FetchLike = (input, init) => fetch(input, init);
 * ```
 */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Per-call options every SDK method accepts.
 *
 * @example
 * ```ts
 * const o: CallOptions = { signal: AbortSignal.timeout(5000), timeoutMs: 2000 };
 * ```
 */
export interface CallOptions {
  /** Abort the call. */
  signal?: AbortSignal;
  /** Give up after this long, retries included (0 = no limit). */
  timeoutMs?: number;
}

/**
 * Settings of a {@link Transport}.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY } from "./_retry.ts";
 * const c: TransportConfig = {
 *   endpoint: "http://localhost:8114",
 *   fetch: (i, init) => fetch(i, init),
 *   timeoutMs: 60_000,
 *   retry: DEFAULT_RETRY,
 * };
 * ```
 */
export interface TransportConfig {
  endpoint: string;
  apiKey?: string;
  fetch: FetchLike;
  timeoutMs: number;
  retry: RetryPolicy;
  headers?: Record<string, string>;
}

/**
 * One request, by route.
 *
 * @example
 * ```ts
 * const r: RequestSpec = { route: "getSandbox", params: { id: "sandbox-1f2e3d4c5b6a" } };
 * ```
 */
export interface RequestSpec {
  route: RouteName;
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | null | undefined>;
  /** A JSON body (re-sendable, so the request may be retried). */
  json?: unknown;
  /** A raw body (a stream cannot be re-sent: never retried). */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Sent as `Idempotency-Key`; makes a POST safe to retry. */
  idempotencyKey?: string;
}

/**
 * A successful response and the deadline still governing its body.
 *
 * @example
 * ```ts
 * async function demo(t: Transport) {
 *   const { response, deadline } = await t.send({ route: "health" });
 *   try {
 *     console.log(await response.text());
 *   } finally {
 *     deadline.dispose();
 *   }
 * }
 * ```
 */
export interface Sent {
  response: Response;
  deadline: Deadline;
}

/**
 * Sends requests to Bay.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY } from "./_retry.ts";
 * const t = new Transport({
 *   endpoint: "http://localhost:8114",
 *   fetch: () => Promise.resolve(Response.json({ status: "ok", version: "1" })),
 *   timeoutMs: 1000,
 *   retry: DEFAULT_RETRY,
 * });
 * console.log(await t.json({ route: "health" }));
 * ```
 */
export class Transport {
  readonly config: TransportConfig;

  constructor(config: TransportConfig) {
    this.config = { ...config, endpoint: config.endpoint.replace(/\/+$/, "") };
  }

  /** The absolute URL of a request. */
  url(spec: Pick<RequestSpec, "route" | "params" | "query">): string {
    let url = this.config.endpoint + fillPath(spec.route, spec.params);
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined && v !== null) q.set(k, String(v));
    }
    const qs = q.toString();
    if (qs) url += `?${qs}`;
    return url;
  }

  /** Headers of a request (auth, JSON, idempotency). */
  headers(spec: RequestSpec): Headers {
    const h = new Headers(this.config.headers);
    for (const [k, v] of Object.entries(spec.headers ?? {})) h.set(k, v);
    if (this.config.apiKey && !h.has("Authorization")) {
      h.set("Authorization", `Bearer ${this.config.apiKey}`);
    }
    if (spec.json !== undefined) h.set("Content-Type", "application/json");
    if (spec.idempotencyKey !== undefined) h.set("Idempotency-Key", spec.idempotencyKey);
    if (!h.has("Accept")) h.set("Accept", "application/json");
    return h;
  }

  /**
   * Send `spec` (retrying when safe) and return the successful response with
   * its deadline; failures throw the mapped error. The caller reads the body
   * and then calls `deadline.dispose()`.
   */
  async send(spec: RequestSpec, opts: CallOptions = {}): Promise<Sent> {
    const [method] = ROUTES[spec.route];
    const dl = deadline(opts.signal, opts.timeoutMs ?? this.config.timeoutMs);
    const url = this.url(spec);
    const headers = this.headers(spec);
    const body = spec.json !== undefined ? JSON.stringify(spec.json) : spec.body;
    const repeatable = spec.body === undefined &&
      safeToRepeat(method, spec.idempotencyKey !== undefined);
    const init: RequestInit & { duplex?: "half" } = { method, headers, body, signal: dl.signal };
    if (body instanceof ReadableStream) init.duplex = "half";
    try {
      for (let attempt = 0;; attempt++) {
        let failure: unknown;
        let retryAfter: string | null = null;
        try {
          const response = await abortable(
            this.config.fetch(url, init),
            dl.signal,
            (late) => late.body?.cancel().catch(() => {}),
          );
          if (response.ok) return { response, deadline: dl };
          retryAfter = response.headers.get("Retry-After");
          failure = await errorFromResponse(response);
        } catch (e) {
          if (dl.signal.aborted) throw dl.signal.reason;
          failure = new ConnectionError(`${method} ${url}: ${e instanceof Error ? e.message : e}`, {
            cause: e,
          });
        }
        const policy = this.config.retry;
        if (!repeatable || attempt >= policy.maxRetries || !retryableFailure(failure)) {
          throw failure;
        }
        const wait = retryDelayMs(policy, attempt, failure, retryAfter);
        if (wait >= dl.remainingMs()) throw failure;
        await sleep(wait, dl.signal);
      }
    } catch (e) {
      dl.dispose();
      throw e;
    }
  }

  /** Send `spec` and parse the JSON answer (`undefined` for 204). */
  async json<T>(spec: RequestSpec, opts: CallOptions = {}): Promise<T> {
    const { response, deadline: dl } = await this.send(spec, opts);
    try {
      if (response.status === 204) {
        await response.body?.cancel().catch(() => {});
        return undefined as T;
      }
      return await abortable(response.json() as Promise<T>, dl.signal);
    } catch (e) {
      if (dl.signal.aborted) throw dl.signal.reason;
      throw new ConnectionError(`reading the answer failed: ${e}`, { cause: e });
    } finally {
      dl.dispose();
    }
  }
}

/**
 * The retry policy with some fields overridden.
 *
 * @example
 * ```ts
 * console.log(retryPolicy({ maxRetries: 0 }).maxRetries);
 * ```
 */
export function retryPolicy(over: Partial<RetryPolicy> = {}): RetryPolicy {
  const out = { ...DEFAULT_RETRY };
  for (const k of Object.keys(out) as (keyof RetryPolicy)[]) {
    const v = over[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}
