/**
 * Execution tools: Python in the sandbox's stateful kernel (images come back
 * as MCP image content) and shell commands.
 *
 * @module
 */
import type { PythonExecResult, ShellExecResult } from "@shipyard/sdk";
import { z } from "zod";
import type { ToolFamily } from "./_context.ts";
import { base64Size, guard, type Limits, textResult } from "./_format.ts";
import type { ContentBlock } from "./_sdk.ts";
import {
  envVars,
  execDescription,
  execTags,
  execTimeout,
  includeCode,
  sandboxId,
} from "./_schemas.ts";

const RASTER = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/** Raster images of a Python result, bounded in count and size, plus notes on what was left out. */
export function pythonImages(
  r: PythonExecResult,
  limits: Limits,
): { images: ContentBlock[]; notes: string[] } {
  const found: { mime: string; data: string }[] = [];
  for (const o of r.data?.outputs ?? []) {
    const mime = RASTER.find((m) => typeof o.data?.[m] === "string");
    if (mime) found.push({ mime, data: String(o.data[mime]).replace(/\s+/g, "") });
  }
  if (found.length === 0) {
    for (const img of r.data?.output?.images ?? []) {
      const data = img["image/png"];
      if (typeof data === "string") found.push({ mime: "image/png", data });
    }
  }
  const images: ContentBlock[] = [];
  const notes: string[] = [];
  for (const [i, f] of found.entries()) {
    const size = base64Size(f.data);
    if (images.length >= limits.maxImages) {
      notes.push(`[image ${i + 1} omitted: more than ${limits.maxImages} images]`);
    } else if (size > limits.maxImageBytes) {
      notes.push(`[image ${i + 1} omitted: ${size} bytes > limit ${limits.maxImageBytes}]`);
    } else images.push({ type: "image", data: f.data, mimeType: f.mime });
  }
  return { images, notes };
}

function header(ok: boolean, id: string, ms: number, extra = ""): string {
  return `${ok ? "success" : "FAILED"}${extra}\nexecution_id: ${id}\nexecution_time_ms: ${ms}`;
}

/** The text of a Python result. */
export function formatPython(r: PythonExecResult, notes: string[] = []): string {
  const parts = [header(r.success, r.execution_id, r.execution_time_ms)];
  if (r.code != null) parts.push(`--- code ---\n${r.code}`);
  if (r.output) parts.push(`--- output ---\n${r.output}`);
  if (r.error) parts.push(`--- error ---\n${r.error}`);
  if (!r.output && !r.error) parts.push("(no output)");
  if (notes.length) parts.push(notes.join("\n"));
  return parts.join("\n");
}

/** The text of a shell result. */
export function formatShell(r: ShellExecResult): string {
  const parts = [
    header(r.success, r.execution_id, r.execution_time_ms, ` (exit_code ${r.exit_code})`),
  ];
  if (r.command != null) parts.push(`--- command ---\n${r.command}`);
  if (r.output) parts.push(`--- stdout ---\n${r.output}`);
  if (r.error) parts.push(`--- stderr ---\n${r.error}`);
  if (!r.output && !r.error) parts.push("(no output)");
  return parts.join("\n");
}

const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000);

/** Register the execution tools. */
export const execTools: ToolFamily = (server, ctx) => {
  server.registerTool(
    "execute_python",
    {
      description: "Execute Python code in a sandbox's IPython kernel. Variables and imports " +
        "persist across calls within the sandbox session; the cwd is /workspace. Plots and other " +
        "images (e.g. matplotlib) are returned as image content. Code that raises is not a tool " +
        "error: the result starts with FAILED and carries the traceback.",
      inputSchema: {
        sandbox_id: sandboxId,
        code: z.string().describe("Python code to execute."),
        timeout: execTimeout,
        include_code: includeCode,
        description: execDescription,
        tags: execTags,
      },
    },
    ({ sandbox_id, code, timeout, include_code, description, tags }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          const r = await sb.python.exec(code, {
            execTimeoutMs: ms(timeout),
            includeCode: include_code,
            description,
            tags,
            signal,
          });
          const { images, notes } = pythonImages(r, ctx.limits);
          return textResult(formatPython(r, notes), ctx.limits, "middle", images);
        })
      ),
  );

  server.registerTool(
    "execute_shell",
    {
      description: "Execute a shell command (bash -lc) in a sandbox as the sandbox user. " +
        "Returns stdout, stderr and the exit code.",
      inputSchema: {
        sandbox_id: sandboxId,
        command: z.string().describe("Shell command to execute."),
        cwd: z.string().optional().describe(
          "Working directory, relative to /workspace. Defaults to /workspace.",
        ),
        env: envVars,
        timeout: execTimeout,
        include_code: includeCode,
        description: execDescription,
        tags: execTags,
      },
    },
    ({ sandbox_id, command, cwd, env, timeout, include_code, description, tags }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          const r = await sb.shell.exec(command, {
            cwd,
            env,
            execTimeoutMs: ms(timeout),
            includeCode: include_code,
            description,
            tags,
            signal,
          });
          return textResult(formatShell(r), ctx.limits, "middle");
        })
      ),
  );
};
