/**
 * Admin routes (API §1): GC status and on-demand runs. Admin keys only.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { GC_TASKS } from "../../core/gc.ts";
import type { Services } from "../context.ts";
import { requireAdmin } from "../middleware.ts";
import { body, ERRORS, json, router } from "../openapi.ts";

const tags = ["admin"];
const TaskName = z.enum(GC_TASKS);

/** Routes under `/v1/admin`. */
export function adminRoutes(s: Services) {
  const app = router();
  app.use("*", requireAdmin());

  app.openapi(
    createRoute({
      method: "get",
      path: "/gc/status",
      tags,
      summary: "GC status",
      responses: {
        200: json(
          z.object({
            enabled: z.boolean(),
            is_running: z.boolean(),
            instance_id: z.string(),
            interval_seconds: z.number().int(),
            tasks: z.record(z.string(), z.object({ enabled: z.boolean() })),
          }),
          "Status",
        ),
        ...ERRORS,
      },
    }),
    (c) => c.json(s.gc.status(), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/gc/run",
      tags,
      summary: "Run GC now (only the named tasks when given); 423 while a run is in progress",
      request: {
        body: {
          ...body(z.object({ tasks: z.array(TaskName).max(10).nullish() }).strict()),
          required: false,
        },
      },
      responses: {
        200: json(
          z.object({
            results: z.array(z.object({
              task_name: TaskName,
              cleaned_count: z.number().int(),
              skipped_count: z.number().int(),
              errors: z.array(z.string()),
            })),
            total_cleaned: z.number().int(),
            total_errors: z.number().int(),
            duration_ms: z.number().int(),
          }),
          "Results",
        ),
        ...ERRORS,
      },
    }),
    async (c) => {
      const input = c.req.valid("json") as { tasks?: (typeof GC_TASKS[number])[] | null };
      return c.json(await s.gc.run(input.tasks ? [...new Set(input.tasks)] : null), 200);
    },
  );

  return app;
}
