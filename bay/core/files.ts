/**
 * The file API (API §4) through a sandbox's ship. Paths are checked here
 * lexically, and again by the ship against real paths.
 *
 * @module
 */
import { checkRelativePath, describePathReason } from "@shipyard/ship/paths";
import {
  FsEditResult,
  FsListResult,
  FsReadResult,
  FsTransferResult,
} from "@shipyard/ship/protocol";
import type { Config } from "../config/schema.ts";
import { BayError } from "../errors.ts";
import type { ShipConnection } from "../ship_hub/connection.ts";
import type { SandboxService } from "./sandboxes.ts";
import { shipResult } from "./_ship_result.ts";

/** Check a relative path lexically; throws `invalid_path` naming `field`. */
export function checkPath(path: string, field = "path"): string {
  const r = checkRelativePath(path);
  if (!r.ok) {
    throw new BayError("invalid_path", `${field}: ${describePathReason(r.reason)}`, {
      field,
      reason: r.reason,
    });
  }
  return r.normalized;
}

/** File operations on sandboxes. */
export class FileService {
  #s: SandboxService;
  #config: Config;

  constructor(sandboxes: SandboxService, config: Config) {
    this.#s = sandboxes;
    this.#config = config;
  }

  /** Run `fn` with the sandbox's ship, counted as a call in flight. */
  async #with<T>(owner: string, id: string, fn: (ship: ShipConnection) => Promise<T>): Promise<T> {
    const { ship, release } = await this.#s.acquire(owner, id, "filesystem");
    try {
      return await fn(ship);
    } finally {
      release();
    }
  }

  /** Read a UTF-8 text file. */
  async read(owner: string, id: string, path: string) {
    const p = checkPath(path);
    return await this.#with(owner, id, async (ship) =>
      shipResult(
        FsReadResult,
        await ship.call({ op: "fs_read", path: p, max_bytes: this.#config.maxReadBytes }),
      ));
  }

  /** Write a file (text or base64). */
  async write(
    owner: string,
    id: string,
    path: string,
    content: string,
    encoding: "utf-8" | "base64",
  ) {
    const p = checkPath(path);
    await this.#with(
      owner,
      id,
      (ship) => ship.call({ op: "fs_write", path: p, content, encoding }),
    );
  }

  /** List a directory. */
  async list(owner: string, id: string, path: string, showHidden: boolean) {
    const p = checkPath(path);
    return await this.#with(owner, id, async (ship) =>
      shipResult(
        FsListResult,
        await ship.call({ op: "fs_list", path: p, show_hidden: showHidden }),
      ));
  }

  /** Delete a file or directory (recursive). */
  async remove(owner: string, id: string, path: string) {
    const p = checkPath(path);
    await this.#with(owner, id, (ship) => ship.call({ op: "fs_delete", path: p }));
  }

  /** Replace text in a file. */
  async edit(
    owner: string,
    id: string,
    input: { path: string; old_string: string; new_string: string; replace_all: boolean },
  ) {
    const p = checkPath(input.path);
    if (input.old_string === input.new_string) {
      throw new BayError("validation_error", "old_string and new_string are equal");
    }
    return await this.#with(
      owner,
      id,
      async (ship) =>
        shipResult(FsEditResult, await ship.call({ op: "fs_edit", ...input, path: p })),
    );
  }

  /** Stream an upload into the cargo. */
  async upload(
    owner: string,
    id: string,
    path: string,
    body: ReadableStream<Uint8Array>,
    signal?: AbortSignal,
  ) {
    const p = checkPath(path);
    return await this.#with(
      owner,
      id,
      async (ship) =>
        shipResult(
          FsTransferResult,
          await ship.upload(p, body, this.#config.maxUploadBytes, signal),
        ),
    );
  }

  /** Open a download stream. */
  async download(
    owner: string,
    id: string,
    path: string,
    signal?: AbortSignal,
    clientDone?: Promise<void>,
  ) {
    const p = checkPath(path);
    const { ship, release } = await this.#s.acquire(owner, id, "filesystem");
    try {
      const d = await ship.download(p, signal, clientDone);
      d.done.finally(release).catch(() => {});
      return { ...d, name: p.split("/").pop() || "download" };
    } catch (e) {
      release();
      throw e;
    }
  }
}
