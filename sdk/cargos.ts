/**
 * Cargos: persistent volumes mounted at `/workspace`, created on their own
 * (external) or with a sandbox (managed).
 *
 * @module
 */
import type { CallOptions, Transport } from "./_http.ts";
import type { Cargo, CursorPage } from "./types.ts";

/**
 * Options of {@link Cargos.create}.
 *
 * @example
 * ```ts
 * const o: CreateCargoOptions = { sizeLimitMb: 2048 };
 * ```
 */
export interface CreateCargoOptions extends CallOptions {
  /** Size limit in MB (1–65536, default 1024). */
  sizeLimitMb?: number;
  /** Sent as `Idempotency-Key` (default: a fresh one, so retries create one cargo). */
  idempotencyKey?: string;
}

/**
 * Filters and paging of {@link Cargos.list}.
 *
 * @example
 * ```ts
 * const o: ListCargosOptions = { managed: true, limit: 20 };
 * ```
 */
export interface ListCargosOptions extends CallOptions {
  /** true: managed cargos only; otherwise external ones only. */
  managed?: boolean;
  /** Page size 1–200 (default 50). */
  limit?: number;
  /** The last id of the previous page. */
  cursor?: string;
}

/**
 * `bay.cargos`.
 *
 * @example
 * ```ts
 * import type { BayClient } from "@shipyard/sdk";
 * async function demo(bay: BayClient) {
 *   const cargo = await bay.cargos.create({ sizeLimitMb: 512 });
 *   const sb = await bay.createSandbox({ cargoId: cargo.id });
 *   await sb.delete(); // the external cargo stays
 *   for await (const c of bay.cargos.iterate()) console.log(c.id);
 *   await bay.cargos.delete(cargo.id);
 * }
 * ```
 */
export class Cargos {
  readonly #t: Transport;

  constructor(transport: Transport) {
    this.#t = transport;
  }

  /** Create an external cargo. Retried safely (idempotency key). */
  create(opts: CreateCargoOptions = {}): Promise<Cargo> {
    return this.#t.json({
      route: "createCargo",
      json: { size_limit_mb: opts.sizeLimitMb },
      idempotencyKey: opts.idempotencyKey ?? crypto.randomUUID(),
    }, opts);
  }

  /** One cargo. */
  get(id: string, opts: CallOptions = {}): Promise<Cargo> {
    return this.#t.json({ route: "getCargo", params: { id } }, opts);
  }

  /** One page of cargos (ids ascending). */
  list(opts: ListCargosOptions = {}): Promise<CursorPage<Cargo>> {
    return this.#t.json({
      route: "listCargos",
      query: {
        managed: opts.managed === undefined ? undefined : String(opts.managed),
        limit: opts.limit,
        cursor: opts.cursor,
      },
    }, opts);
  }

  /** Every cargo matching, page by page. */
  async *iterate(opts: Omit<ListCargosOptions, "cursor"> = {}): AsyncGenerator<Cargo> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...opts, cursor });
      yield* page.items;
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
  }

  /** Delete a cargo; `ConflictError` while a live sandbox uses it. */
  async delete(id: string, opts: CallOptions = {}): Promise<void> {
    await this.#t.json({ route: "deleteCargo", params: { id } }, opts);
  }
}
