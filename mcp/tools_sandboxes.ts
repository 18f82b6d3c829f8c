/**
 * Sandbox lifecycle tools: create, get, list, delete, stop, extend TTL,
 * keepalive, and the profile list.
 *
 * @module
 */
import { z } from "zod";
import type { ToolFamily } from "./_context.ts";
import { guard, jsonResult } from "./_format.ts";
import { sandboxId } from "./_schemas.ts";

/** Default lifetime of a sandbox made by create_sandbox (as the original server). */
const DEFAULT_TTL_SECONDS = 3600;

/** Register the sandbox tools. */
export const sandboxTools: ToolFamily = (server, ctx) => {
  server.registerTool("create_sandbox", {
    description: "Create a new sandbox (a persistent /workspace with a stateful Python kernel " +
      "and a shell). Returns the sandbox object; use its `id` as sandbox_id in the other tools.",
    inputSchema: {
      profile: z.string().optional().describe(
        "Runtime profile (e.g. 'python-default'). Use list_profiles to see them. " +
          "Defaults to 'python-default'.",
      ),
      ttl: z.number().int().min(0).optional().describe(
        `Time-to-live in seconds. Defaults to ${DEFAULT_TTL_SECONDS}. Use 0 for no expiration.`,
      ),
      cargo_id: z.string().optional().describe(
        "Mount this existing external cargo (ws-…) at /workspace instead of a new one.",
      ),
    },
  }, ({ profile, ttl, cargo_id }, { signal }) =>
    guard(async () => {
      const sb = await ctx.bay.createSandbox({
        profile,
        cargoId: cargo_id,
        ttlSeconds: ttl ?? DEFAULT_TTL_SECONDS,
        signal,
      });
      ctx.remember(sb);
      return jsonResult(sb.info, ctx.limits);
    }));

  server.registerTool(
    "get_sandbox",
    {
      description: "Get a sandbox: status, profile, capabilities, expiry times and, while a " +
        "session is live, its containers.",
      inputSchema: { sandbox_id: sandboxId },
      annotations: { readOnlyHint: true },
    },
    ({ sandbox_id }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => jsonResult(await sb.refresh({ signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "list_sandboxes",
    {
      description:
        "List your sandboxes (ids ascending, one page). Pass next_cursor as cursor for " +
        "the next page.",
      inputSchema: {
        status: z.enum(["expired", "idle", "starting", "ready", "failed"]).optional().describe(
          "Only sandboxes with this status.",
        ),
        limit: z.number().int().min(1).max(200).optional().describe(
          "Page size (1-200, default 50).",
        ),
        cursor: z.string().optional().describe("The next_cursor of the previous page."),
      },
      annotations: { readOnlyHint: true },
    },
    ({ status, limit, cursor }, { signal }) =>
      guard(async () =>
        jsonResult(await ctx.bay.listSandboxes({ status, limit, cursor, signal }), ctx.limits)
      ),
  );

  server.registerTool("delete_sandbox", {
    description: "Delete a sandbox and clean up its resources (session and managed cargo).",
    inputSchema: { sandbox_id: sandboxId },
    annotations: { destructiveHint: true, idempotentHint: true },
  }, ({ sandbox_id }, { signal }) =>
    guard(async () => {
      await ctx.bay.deleteSandbox(sandbox_id, { signal });
      ctx.forget(sandbox_id);
      return jsonResult({ status: "deleted", sandbox_id }, ctx.limits);
    }));

  server.registerTool(
    "stop_sandbox",
    {
      description: "Stop a sandbox's session (kernel, processes) but keep its files; the next " +
        "call starts a fresh session.",
      inputSchema: { sandbox_id: sandboxId },
      annotations: { idempotentHint: true },
    },
    ({ sandbox_id }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => jsonResult(await sb.stop({ signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "extend_sandbox_ttl",
    {
      description: "Extend a sandbox's lifetime: expires_at becomes max(expires_at, now) + " +
        "extend_by. Fails for sandboxes that never expire or have already expired.",
      inputSchema: {
        sandbox_id: sandboxId,
        extend_by: z.number().int().min(1).describe("Seconds to add."),
      },
    },
    ({ sandbox_id, extend_by }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => jsonResult(await sb.extendTtl(extend_by, { signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "keepalive_sandbox",
    {
      description: "Push a sandbox's idle deadline forward so its session is not reclaimed " +
        "(never starts compute).",
      inputSchema: { sandbox_id: sandboxId },
      annotations: { idempotentHint: true },
    },
    ({ sandbox_id }, { signal }) =>
      guard(() =>
        ctx.with(
          sandbox_id,
          signal,
          async (sb) => jsonResult(await sb.keepalive({ signal }), ctx.limits),
        )
      ),
  );

  server.registerTool(
    "list_profiles",
    {
      description: "List the sandbox profiles: id, image, capabilities (python, shell, " +
        "filesystem, ...), resources and idle timeout. Call before create_sandbox.",
      inputSchema: {
        detail: z.boolean().optional().describe("Include descriptions and container topology."),
      },
      annotations: { readOnlyHint: true },
    },
    ({ detail }, { signal }) =>
      guard(async () => jsonResult(await ctx.bay.profiles({ detail, signal }), ctx.limits)),
  );
};
