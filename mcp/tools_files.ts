/**
 * File tools on a sandbox's /workspace: read, write, edit, list, delete, and
 * upload/download of any file (binary included) — from and to the MCP
 * server's own disk when local files are enabled (stdio), or inline as
 * base64 / image / text content otherwise.
 *
 * @module
 */
import type { DirEntry } from "@shipyard/sdk";
import { z } from "zod";
import type { ToolFamily } from "./_context.ts";
import { guard, jsonResult, textResult, ToolInputError } from "./_format.ts";
import { readAtMost, saveLocal, uploadLocal } from "./_local.ts";
import { sandboxId, workspacePath } from "./_schemas.ts";

const IMAGE_MIME: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

function decodeBase64(b64: string): Uint8Array {
  try {
    return Uint8Array.fromBase64(b64.replace(/\s+/g, ""));
  } catch {
    throw new ToolInputError("validation_error", "content is not valid base64");
  }
}

/** One line per entry: `d name/` or `f name (size bytes)`. */
export function formatListing(path: string, entries: DirEntry[]): string {
  if (entries.length === 0) return `${path}: (empty)`;
  const lines = entries.map((e) =>
    e.is_dir ? `d ${e.name}/` : `f ${e.name}${e.size == null ? "" : ` (${e.size} bytes)`}`
  );
  return `${path}: ${entries.length} entries\n${lines.join("\n")}`;
}

/** Register the file tools. */
export const fileTools: ToolFamily = (server, ctx) => {
  const { limits } = ctx;

  server.registerTool(
    "read_file",
    {
      description: "Read a UTF-8 text file from the sandbox workspace (long files are truncated " +
        "with a marker; use download_file for binary files).",
      inputSchema: { sandbox_id: sandboxId, path: workspacePath("File path") },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id, path }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => textResult(await sb.files.read(path, { signal }), limits),
        )
      ),
  );

  server.registerTool(
    "write_file",
    {
      description: "Write a file in the sandbox workspace, creating parent directories and " +
        "overwriting. Text by default; set encoding to base64 for binary content.",
      inputSchema: {
        sandbox_id: sandboxId,
        path: workspacePath("File path"),
        content: z.string().describe("Content to write."),
        encoding: z.enum(["utf-8", "base64"]).optional().describe(
          "How content is encoded: utf-8 (default) or base64.",
        ),
      },
    },
    ({ sandbox_id, path, content, encoding }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          const data = encoding === "base64" ? decodeBase64(content) : content;
          await sb.files.write(path, data, { signal });
          const size = typeof data === "string"
            ? new TextEncoder().encode(data).length
            : data.length;
          return jsonResult({ status: "ok", path, size }, limits);
        })
      ),
  );

  server.registerTool(
    "edit_file",
    {
      description: "Replace old_string with new_string in a text file. old_string must occur " +
        "exactly once unless replace_all is true.",
      inputSchema: {
        sandbox_id: sandboxId,
        path: workspacePath("File path"),
        old_string: z.string().min(1).describe("The exact text to replace."),
        new_string: z.string().describe("The replacement text."),
        replace_all: z.boolean().optional().describe("Replace every occurrence."),
      },
    },
    ({ sandbox_id, path, old_string, new_string, replace_all }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          const n = await sb.files.edit(path, old_string, new_string, {
            replaceAll: replace_all,
            signal,
          });
          return jsonResult({ status: "ok", path, replacements: n }, limits);
        })
      ),
  );

  server.registerTool(
    "list_files",
    {
      description: "List a directory of the sandbox workspace (directories first).",
      inputSchema: {
        sandbox_id: sandboxId,
        path: z.string().optional().describe(
          "Directory path relative to /workspace. Defaults to '.' (the workspace root).",
        ),
        show_hidden: z.boolean().optional().describe("Include dot-files."),
      },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id, path, show_hidden }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          const entries = await sb.files.list(path ?? ".", { showHidden: show_hidden, signal });
          return textResult(formatListing(path ?? ".", entries), limits);
        })
      ),
  );

  server.registerTool("delete_file", {
    description: "Delete a file, or a directory recursively, from the sandbox workspace.",
    inputSchema: { sandbox_id: sandboxId, path: workspacePath("Path to delete") },
    annotations: { destructiveHint: true },
  }, ({ sandbox_id, path }, { signal }) =>
    guard(() =>
      ctx.with(sandbox_id, signal, async (sb) => {
        await sb.files.delete(path, { signal });
        return jsonResult({ status: "ok", path }, limits);
      })
    ));

  server.registerTool(
    "upload_file",
    {
      description: "Upload a file (binary or text) to the sandbox workspace, either from a " +
        "local_path on the machine running this MCP server (stdio servers only) or from " +
        "content_base64.",
      inputSchema: {
        sandbox_id: sandboxId,
        local_path: z.string().optional().describe(
          "Local file to upload (absolute, or relative to the MCP server's working directory).",
        ),
        content_base64: z.string().optional().describe(
          "The file's bytes as base64 (instead of local_path).",
        ),
        sandbox_path: z.string().optional().describe(
          "Target path relative to /workspace. Defaults to local_path's file name.",
        ),
      },
    },
    ({ sandbox_id, local_path, content_base64, sandbox_path }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          if ((local_path === undefined) === (content_base64 === undefined)) {
            throw new ToolInputError(
              "validation_error",
              "give exactly one of local_path and content_base64",
            );
          }
          if (content_base64 !== undefined) {
            if (!sandbox_path) {
              throw new ToolInputError(
                "validation_error",
                "sandbox_path is required with content_base64",
              );
            }
            const bytes = decodeBase64(content_base64);
            if (bytes.length > limits.maxTransferBytes) {
              throw new ToolInputError(
                "payload_too_large",
                `${bytes.length} bytes > limit ${limits.maxTransferBytes}`,
              );
            }
            return jsonResult(await sb.files.upload(sandbox_path, bytes, { signal }), limits);
          }
          if (!ctx.localFiles) {
            throw new ToolInputError(
              "local_files_disabled",
              "this MCP server cannot read local files (HTTP transport): send content_base64",
            );
          }
          const r = await uploadLocal(
            sb,
            local_path!,
            sandbox_path,
            limits.maxTransferBytes,
            signal,
          );
          return jsonResult({ ...r, local_path }, limits);
        })
      ),
  );

  server.registerTool(
    "download_file",
    {
      description: "Download a file from the sandbox workspace. With local_path (stdio servers " +
        "only) it is saved on the machine running this MCP server; otherwise it is returned " +
        "inline: images as image content, UTF-8 text as text, other bytes as a base64 resource.",
      inputSchema: {
        sandbox_id: sandboxId,
        sandbox_path: workspacePath("File path in the sandbox"),
        local_path: z.string().optional().describe(
          "Where to save it locally (parent directories are created). Omit to get it inline.",
        ),
      },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id, sandbox_path, local_path }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          if (local_path !== undefined) {
            if (!ctx.localFiles) {
              throw new ToolInputError(
                "local_files_disabled",
                "this MCP server cannot write local files (HTTP transport): omit local_path",
              );
            }
            const stream = await sb.files.download(sandbox_path, { signal });
            const size = await saveLocal(stream, local_path, limits.maxTransferBytes);
            return jsonResult({ status: "ok", sandbox_path, local_path, size }, limits);
          }
          const stream = await sb.files.download(sandbox_path, { signal });
          const bytes = await readAtMost(stream, limits.maxInlineBytes);
          const ext = sandbox_path.split(".").pop()?.toLowerCase() ?? "";
          const mimeType = IMAGE_MIME[ext];
          const note = `${sandbox_path}: ${bytes.length} bytes`;
          if (mimeType) {
            return textResult(note, limits, "head", [
              { type: "image", data: bytes.toBase64(), mimeType },
            ]);
          }
          try {
            const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
            return textResult(text, limits);
          } catch {
            return textResult(note, limits, "head", [{
              type: "resource",
              resource: {
                uri: `sandbox://${sandbox_id}/${sandbox_path.replace(/^\.?\/+/, "")}`,
                mimeType: "application/octet-stream",
                blob: bytes.toBase64(),
              },
            }]);
          }
        })
      ),
  );
};
