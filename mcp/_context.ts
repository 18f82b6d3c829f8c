/**
 * What every tool family gets: the Bay client, a cache of sandbox handles,
 * the output limits and whether local files may be touched.
 *
 * @module
 */
import { type BayClient, NotFoundError, type Sandbox } from "@shipyard/sdk";
import type { Limits } from "./_format.ts";
import type { McpServer } from "./_sdk.ts";

/** Most sandbox handles kept; the oldest is dropped past it. */
const MAX_HANDLES = 256;

/** Shared state of one MCP server's tools. */
export class ToolContext {
  /** The Bay client the tools act through (its key is the tools' owner). */
  readonly bay: BayClient;
  /** Output and transfer limits. */
  readonly limits: Limits;
  /** Whether upload_file / download_file may read and write the server's own files. */
  readonly localFiles: boolean;
  readonly #handles = new Map<string, Sandbox>();

  constructor(bay: BayClient, limits: Limits, localFiles: boolean) {
    this.bay = bay;
    this.limits = limits;
    this.localFiles = localFiles;
  }

  /**
   * A handle on sandbox `id` (fetched once, then cached; a 404 from Bay
   * through the handle still surfaces as the tool's error).
   */
  async sandbox(id: string, signal?: AbortSignal): Promise<Sandbox> {
    const cached = this.#handles.get(id);
    if (cached) return cached;
    const sb = await this.bay.getSandbox(id, { signal });
    this.remember(sb);
    return sb;
  }

  /** Cache a handle (e.g. one just created). */
  remember(sb: Sandbox): void {
    this.#handles.delete(sb.id);
    this.#handles.set(sb.id, sb);
    if (this.#handles.size > MAX_HANDLES) {
      this.#handles.delete(this.#handles.keys().next().value!);
    }
  }

  /** Drop a cached handle (deleted sandbox). */
  forget(id: string): void {
    this.#handles.delete(id);
  }

  /**
   * Run `fn` on sandbox `id`'s handle; a `NotFoundError` (the sandbox was
   * deleted meanwhile) also drops the cached handle.
   */
  async with<T>(id: string, signal: AbortSignal, fn: (sb: Sandbox) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.sandbox(id, signal));
    } catch (e) {
      if (e instanceof NotFoundError) this.forget(id);
      throw e;
    }
  }
}

/** Registers one family of tools on `server`. */
export type ToolFamily = (server: McpServer, ctx: ToolContext) => void;
