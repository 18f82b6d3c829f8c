/**
 * Background process tools: start, list, read logs, write stdin, kill.
 *
 * @module
 */
import type { ProcessLogs } from "@shipyard/sdk";
import { z } from "zod";
import type { ToolFamily } from "./_context.ts";
import { guard, jsonResult, textResult } from "./_format.ts";
import { envVars, sandboxId } from "./_schemas.ts";

const processId = z.string().min(1).describe("Background process ID (proc-…).");

/** The text of a logs answer: status, next offset, then stdout and stderr. */
export function formatLogs(processId: string, l: ProcessLogs): string {
  const parts = [`process ${processId}: ${l.status}`, `next_offset: ${l.next_offset}`];
  if (l.stdout) parts.push(`--- stdout ---\n${l.stdout}`);
  if (l.stderr) parts.push(`--- stderr ---\n${l.stderr}`);
  if (!l.stdout && !l.stderr) parts.push("(no new output)");
  return parts.join("\n");
}

/** Register the process tools. */
export const processTools: ToolFamily = (server, ctx) => {
  server.registerTool(
    "start_process",
    {
      description: "Start a long-running command (bash -lc) in the background, e.g. a server or " +
        "a watcher. It outlives this call; read its output with get_process_logs.",
      inputSchema: {
        sandbox_id: sandboxId,
        command: z.string().min(1).describe("Shell command to run."),
        cwd: z.string().optional().describe("Working directory, relative to /workspace."),
        env: envVars,
      },
    },
    ({ sandbox_id, command, cwd, env }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) =>
            jsonResult(await sb.processes.start(command, { cwd, env, signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "list_processes",
    {
      description: "List the background processes of a sandbox's session with their status " +
        "(running, exited, killed) and exit codes.",
      inputSchema: { sandbox_id: sandboxId },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => jsonResult(await sb.processes.list({ signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "get_process_logs",
    {
      description: "Read a background process's output after a byte offset (default 0). Pass " +
        "the returned next_offset on the next call to get only new output.",
      inputSchema: {
        sandbox_id: sandboxId,
        process_id: processId,
        offset: z.number().int().min(0).optional().describe("Byte offset to read from."),
      },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id, process_id, offset }, { signal }) =>
      guard(() =>
        ctx.with(sandbox_id, signal, async (sb) => {
          const logs = await sb.processes.logs(process_id, { offset, signal });
          return textResult(formatLogs(process_id, logs), ctx.limits, "middle");
        })
      ),
  );

  server.registerTool(
    "write_process_stdin",
    {
      description: "Write text to a background process's standard input (include a trailing " +
        "newline for line-oriented programs).",
      inputSchema: {
        sandbox_id: sandboxId,
        process_id: processId,
        data: z.string().describe("Text to write (UTF-8)."),
      },
    },
    ({ sandbox_id, process_id, data }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) =>
            jsonResult(await sb.processes.stdin(process_id, data, { signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "kill_process",
    {
      description: "Send a signal (default SIGTERM) to a background process's process group.",
      inputSchema: {
        sandbox_id: sandboxId,
        process_id: processId,
        signal: z.enum(["SIGTERM", "SIGKILL", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"])
          .optional().describe("Signal to send. Defaults to SIGTERM."),
      },
      annotations: { destructiveHint: true },
    },
    ({ sandbox_id, process_id, signal: sig }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) =>
            jsonResult(
              await sb.processes.kill(process_id, sig ?? "SIGTERM", { signal }),
              ctx.limits,
            ),
        )
      ),
  );
};
