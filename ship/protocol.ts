/**
 * The ship channel protocol: every frame exchanged between Bay and a ship.
 *
 * One WebSocket per session, dialled out by the ship. Text frames carry JSON
 * control messages (the {@link Frame} union below); binary frames carry bulk
 * bytes, each prefixed with a 4-byte big-endian stream id (see
 * {@link encodeBinaryFrame}). Transfers use credit-based flow control: a
 * sender may only send as many payload bytes on a stream as the receiver has
 * granted with `credit` frames.
 *
 * This module is imported by both Bay and the ship; it is the single source of
 * truth for the wire format.
 *
 * @module
 */
import { z } from "zod";

/** Protocol version spoken by this build. */
export const PROTOCOL_VERSION = 1;
/** Size of one binary chunk on the wire. */
export const CHUNK_BYTES = 256 * 1024;
/** Credit a receiver grants when a stream opens (bytes). */
export const INITIAL_CREDIT_BYTES = 4 * CHUNK_BYTES;
/** Largest text frame either side accepts (bytes). */
export const MAX_TEXT_FRAME_BYTES = 16 * 1024 * 1024;

const Env = z.record(z.string(), z.string());

/** Calls Bay asks a ship to perform. Discriminated on `op`. */
export const Call = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("python_exec"),
    code: z.string(),
    timeout_ms: z.number().int().positive(),
    stream: z.boolean().default(false),
  }),
  /** Wait until the kernel is up (started if needed); answers `{status: "ok"}`. */
  z.object({ op: z.literal("python_ready") }),
  z.object({ op: z.literal("python_interrupt") }),
  z.object({ op: z.literal("python_restart") }),
  z.object({
    op: z.literal("shell_exec"),
    command: z.string(),
    cwd: z.string().optional(),
    env: Env.optional(),
    timeout_ms: z.number().int().positive(),
    stream: z.boolean().default(false),
  }),
  z.object({ op: z.literal("fs_read"), path: z.string(), max_bytes: z.number().int().positive() }),
  z.object({
    op: z.literal("fs_write"),
    path: z.string(),
    content: z.string(),
    encoding: z.enum(["utf-8", "base64"]),
  }),
  z.object({ op: z.literal("fs_list"), path: z.string(), show_hidden: z.boolean() }),
  z.object({ op: z.literal("fs_delete"), path: z.string() }),
  z.object({
    op: z.literal("fs_edit"),
    path: z.string(),
    old_string: z.string(),
    new_string: z.string(),
    replace_all: z.boolean(),
  }),
  /** Bay streams the bytes on `stream_id`; the ship grants credit. */
  z.object({
    op: z.literal("fs_upload"),
    path: z.string(),
    stream_id: z.number().int().nonnegative(),
    max_bytes: z.number().int().positive(),
    /**
     * When set, the ship fetches the bytes with `GET /v1/ship/transfers/{transfer}`
     * on Bay's ship endpoint instead of receiving them on `stream_id`.
     */
    transfer: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  }),
  /** The ship sends a `file_info` event, then the bytes on `stream_id`; Bay grants credit. */
  z.object({
    op: z.literal("fs_download"),
    path: z.string(),
    stream_id: z.number().int().nonnegative(),
    /** When set, the ship POSTs the bytes to `/v1/ship/transfers/{transfer}` instead. */
    transfer: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  }),
  /** Start a background process as the sandbox user. */
  z.object({
    op: z.literal("proc_start"),
    command: z.string(),
    cwd: z.string().optional(),
    env: Env.optional(),
  }),
  z.object({ op: z.literal("proc_list") }),
  z.object({ op: z.literal("proc_get"), process_id: z.string() }),
  /**
   * Output after `offset` (a position in the process's combined output). With
   * `follow`, `proc_output` events stream until the process ends; the result
   * then carries the exit code.
   */
  z.object({
    op: z.literal("proc_logs"),
    process_id: z.string(),
    offset: z.number().int().nonnegative(),
    follow: z.boolean(),
  }),
  z.object({ op: z.literal("proc_stdin"), process_id: z.string(), data: z.string() }),
  z.object({ op: z.literal("proc_kill"), process_id: z.string(), signal: z.string() }),
  /**
   * Open a PTY running a login shell as the sandbox user. Terminal output
   * flows to Bay on `out_stream_id`, keystrokes to the ship on `in_stream_id`;
   * the call resolves with the exit code when the shell ends (cancel it to
   * close the terminal).
   */
  z.object({
    op: z.literal("pty_open"),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
    out_stream_id: z.number().int().nonnegative(),
    in_stream_id: z.number().int().nonnegative(),
  }),
  /** Resize the PTY opened by request `pty_id`. */
  z.object({
    op: z.literal("pty_resize"),
    pty_id: z.string(),
    cols: z.number().int().min(1).max(1000),
    rows: z.number().int().min(1).max(1000),
  }),
  /** Cancel an in-flight request (e.g. the HTTP client went away). */
  z.object({ op: z.literal("cancel"), target_id: z.string() }),
]);
/** A call Bay asks a ship to perform. */
export type Call = z.infer<typeof Call>;
/** Names of all calls. */
export type CallOp = Call["op"];

/** Events a ship emits while a request runs. Discriminated on `kind`. */
export const Event = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("stdout"), text: z.string() }),
  z.object({ kind: z.literal("stderr"), text: z.string() }),
  z.object({ kind: z.literal("display"), data: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.literal("file_info"), size: z.number().int().nonnegative() }),
  /** Background process output; `offset` is the position after this text. */
  z.object({
    kind: z.literal("proc_output"),
    stream: z.enum(["stdout", "stderr"]),
    text: z.string(),
    offset: z.number().int().nonnegative(),
  }),
]);
/** An event of a running request. */
export type Event = z.infer<typeof Event>;

/** Error reported by a ship for a failed call; `code` is a Bay error code. */
export const ShipFailure = z.object({
  code: z.string(),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
/** Error reported by a ship for a failed call. */
export type ShipFailure = z.infer<typeof ShipFailure>;

/** Every text frame on the channel. Discriminated on `t`. */
export const Frame = z.discriminatedUnion("t", [
  /** First frame from the ship: who it is. */
  z.object({
    t: z.literal("hello"),
    session_id: z.string(),
    token: z.string(),
    protocol: z.number().int(),
    ship_version: z.string(),
    /** The ship can move bulk bytes over `/v1/ship/transfers/{token}`. */
    http_transfers: z.boolean().optional(),
  }),
  /** Bay's answer to hello. */
  z.object({ t: z.literal("welcome"), heartbeat_ms: z.number().int().positive() }),
  z.object({ t: z.literal("ping"), ts: z.number() }),
  z.object({ t: z.literal("pong"), ts: z.number() }),
  z.object({ t: z.literal("req"), id: z.string(), call: Call }),
  z.object({ t: z.literal("event"), id: z.string(), ev: Event }),
  /** Successful end of a request. */
  z.object({ t: z.literal("res"), id: z.string(), result: z.unknown() }),
  /** Failed end of a request. */
  z.object({ t: z.literal("err"), id: z.string(), error: ShipFailure }),
  z.object({
    t: z.literal("credit"),
    stream_id: z.number().int().nonnegative(),
    bytes: z.number().int().positive(),
  }),
  z.object({ t: z.literal("end"), stream_id: z.number().int().nonnegative() }),
  z.object({
    t: z.literal("abort"),
    stream_id: z.number().int().nonnegative(),
    reason: z.string(),
  }),
]);
/** A text frame on the channel. */
export type Frame = z.infer<typeof Frame>;

/** Result of `python_exec`. */
export const PythonExecResult = z.object({
  success: z.boolean(),
  /** Stream text plus `text/plain` of results and displays, concatenated. */
  output: z.string(),
  /** Traceback text (ANSI stripped) or timeout message; null on success. */
  error: z.string().nullable(),
  execution_count: z.number().int().nullable(),
  /** base64 PNG images, in order. */
  images: z.array(z.string()),
  /** Every display/result bundle with its MIME data, in order. */
  outputs: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) })),
  timed_out: z.boolean(),
  truncated: z.boolean(),
});
/** Result of `python_exec`. */
export type PythonExecResult = z.infer<typeof PythonExecResult>;

/** Result of `shell_exec`. */
export const ShellExecResult = z.object({
  exit_code: z.number().int(),
  stdout: z.string(),
  stderr: z.string(),
  timed_out: z.boolean(),
  truncated: z.boolean(),
});
/** Result of `shell_exec`. */
export type ShellExecResult = z.infer<typeof ShellExecResult>;

/** One directory entry of `fs_list`. */
export const DirEntry = z.object({
  name: z.string(),
  path: z.string(),
  is_file: z.boolean(),
  is_dir: z.boolean(),
  size: z.number().int().nullable(),
  modified_time: z.number(),
});
/** One directory entry of `fs_list`. */
export type DirEntry = z.infer<typeof DirEntry>;

/** Results of the file calls. */
export const FsReadResult = z.object({ content: z.string() });
/** Result of `fs_list`. */
export const FsListResult = z.object({ entries: z.array(DirEntry) });
/** Result of `fs_edit`. */
export const FsEditResult = z.object({ replacements: z.number().int() });
/** Result of `fs_upload` and `fs_download`. */
export const FsTransferResult = z.object({ path: z.string(), size: z.number().int() });

/** Encode a binary frame: 4-byte big-endian stream id, then the payload. */
export function encodeBinaryFrame(streamId: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.byteLength);
  new DataView(out.buffer).setUint32(0, streamId);
  out.set(payload, 4);
  return out;
}

/** Decode a binary frame into its stream id and payload (a view, not a copy). */
export function decodeBinaryFrame(frame: Uint8Array): { streamId: number; payload: Uint8Array } {
  if (frame.byteLength < 4) throw new Error("binary frame shorter than its 4-byte header");
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return { streamId: view.getUint32(0), payload: frame.subarray(4) };
}

/** Parse a text frame; returns an error message instead of throwing. */
export function parseFrame(
  text: string,
): { ok: true; frame: Frame } | { ok: false; error: string } {
  if (text.length > MAX_TEXT_FRAME_BYTES) return { ok: false, error: "text frame too large" };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: "text frame is not JSON" };
  }
  const parsed = Frame.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
    };
  }
  return { ok: true, frame: parsed.data };
}

/** A background process as the API shows it. */
export const ProcessInfo = z.object({
  process_id: z.string(),
  pid: z.number().int(),
  command: z.string(),
  status: z.enum(["running", "exited", "killed"]),
  exit_code: z.number().int().nullable(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
});
/** A background process as the API shows it. */
export type ProcessInfo = z.infer<typeof ProcessInfo>;

/** Result of a non-follow `proc_logs`. */
export const ProcessLogs = z.object({
  stdout: z.string(),
  stderr: z.string(),
  next_offset: z.number().int().nonnegative(),
  status: z.enum(["running", "exited", "killed"]),
});
/** Result of a non-follow `proc_logs`. */
export type ProcessLogs = z.infer<typeof ProcessLogs>;
