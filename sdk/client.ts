/**
 * The entry point: `new BayClient({ endpoint, apiKey })`.
 *
 * @module
 */
import { readEnv } from "./_env.ts";
import { type CallOptions, type FetchLike, retryPolicy, Transport } from "./_http.ts";
import { Admin } from "./admin.ts";
import { Cargos } from "./cargos.ts";
import { Sandbox } from "./sandbox.ts";
import { Skills } from "./skills.ts";
import type { WebSocketConstructor } from "./terminal.ts";
import type { CursorPage, Health, Profile, SandboxInfo, SandboxStatus } from "./types.ts";

/**
 * Options of {@link BayClient}.
 *
 * @example
 * ```ts
 * const o: BayClientOptions = { endpoint: "http://localhost:8114", apiKey: "key", maxRetries: 5 };
 * ```
 */
export interface BayClientOptions {
  /** Bay's base URL (default `BAY_ENDPOINT`, else `http://localhost:8114`). */
  endpoint?: string;
  /** API key (default `BAY_API_KEY`). */
  apiKey?: string;
  /** A `fetch` to use instead of the global one (tests, proxies, in-process apps). */
  fetch?: FetchLike;
  /** Default timeout of each call (ms, retries included; 0 = none; default 60 000). */
  timeoutMs?: number;
  /** Retries of failed safe requests (default 3; 0 disables). */
  maxRetries?: number;
  /** First backoff step (ms, default 250; doubled each retry, jittered). */
  retryBaseDelayMs?: number;
  /** Longest wait between retries (ms, default 8 000). */
  retryMaxDelayMs?: number;
  /** Extra headers sent with every request. */
  headers?: Record<string, string>;
  /** WebSocket constructor for terminals where there is no global one (Node 20: `ws`). */
  WebSocket?: WebSocketConstructor;
}

/**
 * Options of {@link BayClient.createSandbox}.
 *
 * @example
 * ```ts
 * const o: CreateSandboxOptions = { profile: "python-default", ttlSeconds: 3600 };
 * ```
 */
export interface CreateSandboxOptions extends CallOptions {
  /** Profile id (default `python-default`). */
  profile?: string;
  /** Mount this external cargo instead of creating a managed one. */
  cargoId?: string;
  /** Lifetime in seconds; omitted, null or ≤ 0: never expires. */
  ttlSeconds?: number | null;
  /** Sent as `Idempotency-Key` (default: a fresh one, so retries create one sandbox). */
  idempotencyKey?: string;
}

/**
 * Filters and paging of {@link BayClient.listSandboxes}.
 *
 * @example
 * ```ts
 * const o: ListSandboxesOptions = { status: "ready", limit: 100 };
 * ```
 */
export interface ListSandboxesOptions extends CallOptions {
  status?: SandboxStatus;
  /** Page size 1–200 (default 50). */
  limit?: number;
  /** The last id of the previous page. */
  cursor?: string;
}

/**
 * A client of Bay's API.
 *
 * @example
 * ```ts
 * import { BayClient } from "@shipyard/sdk";
 * async function demo() {
 *   const bay = new BayClient({ endpoint: "http://localhost:8114", apiKey: "…" });
 *   const sb = await bay.createSandbox();
 *   const r = await sb.python.exec("print(1)");
 *   console.log(r.output);
 *   for await (const info of bay.iterSandboxes({ status: "ready" })) console.log(info.id);
 *   await sb.delete();
 * }
 * ```
 */
export class BayClient {
  /** External cargos. */
  readonly cargos: Cargos;
  /** Skill candidates, evaluations and releases. */
  readonly skills: Skills;
  /** GC (admin keys only). */
  readonly admin: Admin;
  readonly #t: Transport;
  readonly #ws: WebSocketConstructor | undefined;

  constructor(opts: BayClientOptions = {}) {
    const f = opts.fetch ?? ((input: string, init: RequestInit) => fetch(input, init));
    this.#t = new Transport({
      endpoint: opts.endpoint ?? readEnv("BAY_ENDPOINT") ?? "http://localhost:8114",
      apiKey: opts.apiKey ?? readEnv("BAY_API_KEY"),
      fetch: f,
      timeoutMs: opts.timeoutMs ?? 60_000,
      retry: retryPolicy({
        maxRetries: opts.maxRetries,
        baseDelayMs: opts.retryBaseDelayMs,
        maxDelayMs: opts.retryMaxDelayMs,
      }),
      headers: opts.headers,
    });
    this.#ws = opts.WebSocket;
    this.cargos = new Cargos(this.#t);
    this.skills = new Skills(this.#t);
    this.admin = new Admin(this.#t);
  }

  /** The base URL in use. */
  get endpoint(): string {
    return this.#t.config.endpoint;
  }

  /** `GET /health` (no key needed). */
  health(opts: CallOptions = {}): Promise<Health> {
    return this.#t.json({ route: "health" }, opts);
  }

  /** The sandbox profiles (`detail` adds descriptions and containers). */
  async profiles(opts: CallOptions & { detail?: boolean } = {}): Promise<Profile[]> {
    const r = await this.#t.json<{ items: Profile[] }>({
      route: "profiles",
      query: { detail: opts.detail ? "true" : undefined },
    }, opts);
    return r.items;
  }

  /** Create a sandbox. Retried safely (idempotency key). */
  async createSandbox(opts: CreateSandboxOptions = {}): Promise<Sandbox> {
    const info = await this.#t.json<SandboxInfo>({
      route: "createSandbox",
      json: { profile: opts.profile, cargo_id: opts.cargoId, ttl: opts.ttlSeconds },
      idempotencyKey: opts.idempotencyKey ?? crypto.randomUUID(),
    }, opts);
    return new Sandbox(this.#t, info, this.#ws);
  }

  /** An existing sandbox; `NotFoundError` if deleted or another owner's. */
  async getSandbox(id: string, opts: CallOptions = {}): Promise<Sandbox> {
    const info = await this.#t.json<SandboxInfo>({ route: "getSandbox", params: { id } }, opts);
    return new Sandbox(this.#t, info, this.#ws);
  }

  /** One page of sandboxes (ids ascending). */
  listSandboxes(opts: ListSandboxesOptions = {}): Promise<CursorPage<SandboxInfo>> {
    return this.#t.json({
      route: "listSandboxes",
      query: { status: opts.status, limit: opts.limit, cursor: opts.cursor },
    }, opts);
  }

  /** Every sandbox matching, fetched page by page as the loop goes. */
  async *iterSandboxes(
    opts: Omit<ListSandboxesOptions, "cursor"> = {},
  ): AsyncGenerator<SandboxInfo> {
    let cursor: string | undefined;
    do {
      const page = await this.listSandboxes({ ...opts, cursor });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Delete a sandbox by id (idempotent). */
  async deleteSandbox(id: string, opts: CallOptions = {}): Promise<void> {
    await this.#t.json({ route: "deleteSandbox", params: { id } }, opts);
  }
}
