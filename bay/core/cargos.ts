/**
 * External cargos: created through the API, shareable, deletable when unused.
 *
 * @module
 */
import type { Driver } from "../drivers/driver.ts";
import { BayError, notFound } from "../errors.ts";
import {
  activeSandboxIds,
  getCargo,
  insertCargo,
  listCargos,
  markCargoDeleted,
} from "../store/cargos.ts";
import type { Db } from "../store/db.ts";
import { getSandbox } from "../store/sandboxes.ts";
import { newId } from "./ids.ts";
import { cargoView } from "./views.ts";

/** The API's cargo object. */
export type CargoView = ReturnType<typeof cargoView>;

/** Cargos of owners. */
export class CargoService {
  #db: Db;
  #driver: Driver;

  constructor(db: Db, driver: Driver) {
    this.#db = db;
    this.#driver = driver;
  }

  /** Create an external cargo. */
  async create(owner: string, sizeLimitMb: number): Promise<CargoView> {
    const id = newId("cargo");
    // Row first: storage without a row is what orphan GC removes.
    const row = await insertCargo(this.#db, {
      id,
      owner,
      managed: false,
      managed_by_sandbox_id: null,
      backend: this.#driver.cargoBackend,
      size_limit_mb: sizeLimitMb,
    });
    try {
      await this.#driver.ensureCargo({ id, owner, sizeLimitMb });
    } catch (e) {
      await markCargoDeleted(this.#db, id);
      throw e;
    }
    return cargoView(row);
  }

  /** One cargo. */
  async get(owner: string, id: string): Promise<CargoView> {
    const row = await getCargo(this.#db, owner, id);
    if (!row) throw notFound("cargo", id);
    return cargoView(row);
  }

  /** A page of cargos (external unless `managed`). */
  async list(owner: string, managed: boolean, limit: number, cursor?: string) {
    const rows = await listCargos(this.#db, owner, managed, limit + 1, cursor);
    const items = rows.slice(0, limit).map(cargoView);
    return { items, next_cursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  /** Delete a cargo unless a live sandbox uses it. */
  async delete(owner: string, id: string): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const row = await getCargo(tx, owner, id, true);
      if (!row) throw notFound("cargo", id);
      if (row.managed && row.managed_by_sandbox_id) {
        const sb = await getSandbox(tx, owner, row.managed_by_sandbox_id);
        if (sb) {
          throw new BayError("conflict", `cargo ${id} belongs to a live sandbox`, {
            managed_by_sandbox_id: row.managed_by_sandbox_id,
          });
        }
      }
      const active = await activeSandboxIds(tx, id);
      if (active.length > 0) {
        throw new BayError("conflict", `cargo ${id} is attached to live sandboxes`, {
          active_sandbox_ids: active,
        });
      }
      await markCargoDeleted(tx, id);
    });
    await this.#driver.deleteCargo(id);
  }
}
