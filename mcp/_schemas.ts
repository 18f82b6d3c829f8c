/**
 * Input fields shared by several tools (zod 4, with descriptions the client
 * shows to the model).
 *
 * @module
 */
import { z } from "zod";

/** `sandbox_id`. */
export const sandboxId = z.string().min(1).describe(
  "The sandbox ID (sandbox-…), as returned by create_sandbox.",
);

/** An exec `timeout` in seconds. */
export const execTimeout = z.number().int().min(1).max(300).optional().describe(
  "Execution timeout in seconds (1-300). Defaults to 30.",
);

/** History `description` of an exec. */
export const execDescription = z.string().optional().describe(
  "Optional description recorded with the execution history entry.",
);

/** History `tags` of an exec. */
export const execTags = z.string().optional().describe(
  "Optional comma-separated tags recorded with the execution history entry.",
);

/** `include_code`. */
export const includeCode = z.boolean().optional().describe(
  "Echo the executed code/command back in the response.",
);

/** A path relative to /workspace. */
export const workspacePath = (what: string) =>
  z.string().min(1).describe(`${what}, relative to /workspace.`);

/** Environment variables. */
export const envVars = z.record(z.string(), z.string()).optional().describe(
  "Extra environment variables for the command.",
);

/** An exec type filter. */
export const execType = z.enum(["python", "shell", "browser", "browser_batch"]).optional()
  .describe("Optional execution type filter: python, shell, browser or browser_batch.");

/** Offset-paging `limit`. */
export const pageLimit = z.number().int().min(1).max(500).optional().describe(
  "Max number of items (1-500). Defaults to 50.",
);

/** Offset-paging `offset`. */
export const pageOffset = z.number().int().min(0).optional().describe(
  "Number of items to skip. Defaults to 0.",
);

/** An optional audit reason for soft deletes. */
export const deleteReason = z.string().optional().describe(
  "Optional delete reason for the audit trail.",
);
