/**
 * Tool results: bounded text with a clear truncation marker, JSON answers,
 * images, and Bay errors turned into tool errors (`isError: true`).
 *
 * @module
 */
import { BayError } from "@shipyard/sdk";
import type { CallToolResult, ContentBlock } from "./_sdk.ts";

/** Output limits of one tool result. */
export interface Limits {
  /** Most UTF-8 bytes of text in one result (default 64 KiB). */
  maxOutputBytes: number;
  /** Largest image (decoded bytes) returned as image content (default 4 MiB). */
  maxImageBytes: number;
  /** Most images in one result (default 8). */
  maxImages: number;
  /** Largest file moved by upload_file / download_file (default 50 MiB). */
  maxTransferBytes: number;
  /** Largest binary file returned inline by download_file (default 4 MiB). */
  maxInlineBytes: number;
}

/** The default {@link Limits}. */
export const DEFAULT_LIMITS: Limits = {
  maxOutputBytes: 64 * 1024,
  maxImageBytes: 4 * 1024 * 1024,
  maxImages: 8,
  maxTransferBytes: 50 * 1024 * 1024,
  maxInlineBytes: 4 * 1024 * 1024,
};

const enc = new TextEncoder();
const dec = new TextDecoder();

/** The longest prefix of `bytes` of at most `n` bytes that does not split a character. */
function cutPrefix(bytes: Uint8Array, n: number): string {
  let end = Math.max(0, Math.min(n, bytes.length));
  while (end > 0 && end < bytes.length && (bytes[end] & 0xc0) === 0x80) end--;
  return dec.decode(bytes.subarray(0, end));
}

/** The longest suffix of `bytes` of at most `n` bytes that does not split a character. */
function cutSuffix(bytes: Uint8Array, n: number): string {
  let start = Math.max(0, bytes.length - Math.max(0, n));
  while (start < bytes.length && (bytes[start] & 0xc0) === 0x80) start++;
  return dec.decode(bytes.subarray(start));
}

/**
 * Bound `text` to `maxBytes` UTF-8 bytes. Over the bound, the kept part is
 * the head (`"head"`) or the head and the tail (`"middle"`, for command
 * output whose end matters), and a marker says how much was cut.
 *
 * @example
 * ```ts
 * console.log(truncate("x".repeat(100), 40, "head"));
 * ```
 */
export function truncate(text: string, maxBytes: number, mode: "head" | "middle" = "head"): string {
  const bytes = enc.encode(text);
  if (bytes.length <= maxBytes) return text;
  const marker = (cut: number) =>
    `[... output truncated: ${cut} of ${bytes.length} bytes omitted (limit ${maxBytes} bytes) ...]`;
  const room = Math.max(0, maxBytes - enc.encode(marker(bytes.length)).length - 2);
  if (mode === "head") {
    const head = cutPrefix(bytes, room);
    return `${head}\n${marker(bytes.length - enc.encode(head).length)}`;
  }
  const head = cutPrefix(bytes, Math.ceil(room / 2));
  const tail = cutSuffix(bytes, Math.floor(room / 2));
  const cut = bytes.length - enc.encode(head).length - enc.encode(tail).length;
  return `${head}\n${marker(cut)}\n${tail}`;
}

/** A text result bounded by `limits`. */
export function textResult(
  text: string,
  limits: Limits,
  mode: "head" | "middle" = "head",
  extra: ContentBlock[] = [],
): CallToolResult {
  return {
    content: [{ type: "text", text: truncate(text, limits.maxOutputBytes, mode) }, ...extra],
  };
}

/** `value` as indented JSON text, bounded by `limits`. */
export function jsonResult(value: unknown, limits: Limits): CallToolResult {
  return textResult(JSON.stringify(value ?? null, null, 2), limits);
}

/** Decoded size of a base64 string. */
export function base64Size(b64: string): number {
  const pad = b64.endsWith("==") ? 2 : b64.endsWith("=") ? 1 : 0;
  return Math.floor(b64.length * 3 / 4) - pad;
}

/** A tool error result: the error's code, status, message, request id and details. */
export function errorResult(e: unknown): CallToolResult {
  let text: string;
  if (e instanceof BayError) {
    const status = e.status ? ` (HTTP ${e.status})` : "";
    text = `error [${e.code}]${status}: ${e.message}`;
    if (e.requestId) text += `\nrequest_id: ${e.requestId}`;
    if (Object.keys(e.details).length) text += `\ndetails: ${JSON.stringify(e.details)}`;
  } else if (e instanceof ToolInputError) {
    text = `error [${e.code}]: ${e.message}`;
  } else if (e instanceof Deno.errors.NotFound) {
    text = `error [local_file_not_found]: ${e.message}`;
  } else if (e instanceof DOMException && (e.name === "AbortError" || e.name === "TimeoutError")) {
    text = `error [cancelled]: ${e.message}`;
  } else {
    text = `error [mcp_error]: ${e instanceof Error ? e.message : String(e)}`;
  }
  return { isError: true, content: [{ type: "text", text: truncate(text, 16 * 1024) }] };
}

/** An error found by the MCP server itself (bad combination of inputs, size limits). */
export class ToolInputError extends Error {
  /** Machine-readable code shown in the tool error. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "ToolInputError";
    this.code = code;
  }
}

/** Run a tool body; any thrown error becomes a tool error result. */
export async function guard(fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await fn();
  } catch (e) {
    return errorResult(e);
  }
}
