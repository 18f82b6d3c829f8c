/**
 * Wire types of Bay's answers for background processes, files and the
 * terminal. Field names are exactly the API's (snake_case);
 * `openapi_test.ts` checks them against `/openapi.json`.
 *
 * @module
 */

/**
 * Every background process status.
 *
 * @example
 * ```ts
 * console.log(PROCESS_STATUSES.join("|"));
 * ```
 */
export const PROCESS_STATUSES = ["running", "exited", "killed"] as const;

/**
 * A background process.
 *
 * @example
 * ```ts
 * const done = (p: ProcessInfo) => p.status !== "running";
 * ```
 */
export interface ProcessInfo {
  process_id: string;
  pid: number;
  command: string;
  status: typeof PROCESS_STATUSES[number];
  exit_code: number | null;
  started_at: string;
  ended_at: string | null;
}

/**
 * Output of a process after an offset; ask again from `next_offset`.
 *
 * @example
 * ```ts
 * const l: ProcessLogs = { stdout: "hi\n", stderr: "", next_offset: 3, status: "running" };
 * ```
 */
export interface ProcessLogs {
  stdout: string;
  stderr: string;
  next_offset: number;
  status: string;
}

/**
 * One event of a followed process log: output (with the byte offset just
 * after it, on the axis shared by both streams), or the process's exit.
 *
 * @example
 * ```ts
 * const show = (e: ProcessLogEvent) => (e.type === "exit" ? `exit ${e.exit_code}` : e.text);
 * ```
 */
export type ProcessLogEvent =
  | { type: "stdout" | "stderr"; text: string; offset: number }
  | { type: "exit"; exit_code: number | null };

/**
 * A directory entry; `path` is absolute inside the sandbox and
 * `modified_time` is in epoch seconds.
 *
 * @example
 * ```ts
 * const names = (es: DirEntry[]) => es.filter((e) => e.is_file).map((e) => e.name);
 * ```
 */
export interface DirEntry {
  name: string;
  path: string;
  is_file: boolean;
  is_dir: boolean;
  size: number | null;
  modified_time: number;
}

/**
 * Result of `files.upload`: the normalised path and the size stored.
 *
 * @example
 * ```ts
 * const r: UploadResult = { status: "ok", path: "data/a.bin", size: 3 };
 * ```
 */
export interface UploadResult {
  status: string;
  path: string;
  size: number;
}

/**
 * A terminal ticket for opening the terminal WebSocket without a header.
 *
 * @example
 * ```ts
 * const t: TerminalTicket = { ticket: "tt-abc", expires_in: 60 };
 * ```
 */
export interface TerminalTicket {
  ticket: string;
  expires_in: number;
}
