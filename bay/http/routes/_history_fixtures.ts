/**
 * Test fixtures for history and skills: sandboxes and history rows written
 * straight into the store (precise times and outcomes, no ship needed).
 *
 * @module
 */
import { createKey } from "../../core/auth.ts";
import { newId } from "../../core/ids.ts";
import type { Db } from "../../store/db.ts";
import { insertExecution, normalizeTags } from "../../store/executions.ts";
import type { TestBay } from "../../testing.ts";

/** A second owner's key, registered on `t`. */
export const BOB_KEY = "bob-key-0123456789abcdef";

/** Register {@link BOB_KEY} as owner `bob`. */
export async function addBob(t: TestBay): Promise<string> {
  await createKey(t.db, BOB_KEY, "bob");
  return BOB_KEY;
}

/** Create a sandbox through the API; returns its id. */
export async function newSandbox(t: TestBay, key?: string): Promise<string> {
  const res = await t.request("POST", "/v1/sandboxes", { body: {}, key });
  if (res.status !== 201) throw new Error(`create sandbox: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

/** Fields of a history row to write; unspecified ones get plain defaults. */
export interface RowSpec {
  owner?: string;
  sandboxId: string;
  execType?: string;
  success?: boolean;
  ms?: number;
  tags?: string | string[];
  description?: string | null;
  notes?: string | null;
  /** When the entry was written (default now). */
  at?: Date;
}

/** Write one history row; returns its id. */
export async function addExecution(db: Db, spec: RowSpec): Promise<string> {
  const id = newId("execution");
  await insertExecution(db, {
    id,
    owner: spec.owner ?? "default",
    sandbox_id: spec.sandboxId,
    session_id: null,
    exec_type: spec.execType ?? "shell",
    code: "echo ok",
    success: spec.success ?? true,
    execution_time_ms: spec.ms ?? 10,
    output: "ok\n",
    error: spec.success === false ? "boom" : null,
    description: spec.description ?? null,
    tags: normalizeTags(spec.tags),
  });
  if (spec.at || spec.notes !== undefined) {
    await db.query(
      `UPDATE executions SET created_at = coalesce($2, created_at), notes = $3 WHERE id = $1`,
      [id, spec.at ?? null, spec.notes ?? null],
    );
  }
  return id;
}

/** Send a request and parse the JSON body, failing loudly on an unexpected status. */
export async function call(
  t: TestBay,
  method: string,
  path: string,
  status: number,
  init: { body?: unknown; key?: string } = {},
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  const res = await t.request(method, path, init);
  const text = await res.text();
  if (res.status !== status) {
    throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${text}`);
  }
  return text ? JSON.parse(text) : null;
}
