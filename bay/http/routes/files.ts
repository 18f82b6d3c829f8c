/**
 * File routes (API §4). Uploads and downloads stream through Bay.
 *
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";
import { BayError } from "../../errors.ts";
import type { Services } from "../context.ts";
import { body, ERRORS, json, router } from "../openapi.ts";
import {
  DirListing,
  EditFileBody,
  IdParam,
  ListDirQuery,
  PathQuery,
  StatusOk,
  WriteFileBody,
} from "../schemas.ts";
import { receiveUpload } from "./_upload.ts";

const tags = ["filesystem"];

/** Routes under `/v1/sandboxes/{id}/filesystem`. */
export function fileRoutes(s: Services) {
  const app = router();
  const owner = (c: { get(k: "principal"): { owner: string } }) => c.get("principal").owner;

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/filesystem/files",
      tags,
      summary: "Read a UTF-8 text file",
      request: { params: IdParam, query: PathQuery },
      responses: { 200: json(z.object({ content: z.string() }), "The content"), ...ERRORS },
    }),
    async (c) =>
      c.json(await s.files.read(owner(c), c.req.valid("param").id, c.req.valid("query").path), 200),
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/{id}/filesystem/files",
      tags,
      summary: "Write a file (creates parent directories, overwrites)",
      request: { params: IdParam, body: body(WriteFileBody) },
      responses: { 200: json(StatusOk, "ok"), ...ERRORS },
    }),
    async (c) => {
      const b = c.req.valid("json");
      await s.files.write(owner(c), c.req.valid("param").id, b.path, b.content, b.encoding);
      return c.json({ status: "ok" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/filesystem/directories",
      tags,
      summary: "List a directory",
      request: { params: IdParam, query: ListDirQuery },
      responses: { 200: json(DirListing, "Entries"), ...ERRORS },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await s.files.list(owner(c), c.req.valid("param").id, q.path, q.show_hidden === "true"),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/{id}/filesystem/files",
      tags,
      summary: "Delete a file or directory (recursive)",
      request: { params: IdParam, query: PathQuery },
      responses: { 200: json(StatusOk, "ok"), ...ERRORS },
    }),
    async (c) => {
      await s.files.remove(owner(c), c.req.valid("param").id, c.req.valid("query").path);
      return c.json({ status: "ok" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/{id}/filesystem/edit",
      tags,
      summary: "Replace text in a file",
      request: { params: IdParam, body: body(EditFileBody) },
      responses: {
        200: json(z.object({ status: z.string(), replacements: z.number().int() }), "ok"),
        ...ERRORS,
      },
    }),
    async (c) => {
      const r = await s.files.edit(owner(c), c.req.valid("param").id, c.req.valid("json"));
      return c.json({ status: "ok", replacements: r.replacements }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/{id}/filesystem/download",
      tags,
      summary: "Download a file (streamed)",
      request: { params: IdParam, query: PathQuery },
      responses: {
        200: {
          content: {
            "application/octet-stream": { schema: z.string().openapi({ format: "binary" }) },
          },
          description: "The raw bytes",
        },
        ...ERRORS,
      },
    }),
    async (c) => {
      // Deno.serve's `completed` (passed as the env) settles when the client has the body.
      const completed = (c.env as { completed?: Promise<void> } | undefined)?.completed;
      const d = await s.files.download(
        owner(c),
        c.req.valid("param").id,
        c.req.valid("query").path,
        c.req.raw.signal,
        completed,
      );
      const ascii = d.name.replace(/[^\x20-\x7e]|["\\]/g, "_");
      return new Response(d.stream, {
        status: 200,
        headers: {
          "Content-Type": "application/octet-stream",
          "Content-Length": String(d.size),
          "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${
            encodeURIComponent(d.name)
          }`,
          "X-Request-Id": c.get("requestId"),
        },
      }) as never;
    },
  );

  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/{id}/filesystem/upload",
    tags,
    summary: "Upload a file (multipart form: file, path); streamed",
    request: {
      params: IdParam,
      body: {
        content: {
          "multipart/form-data": {
            schema: z.object({ file: z.string().openapi({ format: "binary" }), path: z.string() }),
          },
        },
      },
    },
    responses: {
      200: json(z.object({ status: z.string(), path: z.string(), size: z.number() }), "Stored"),
      ...ERRORS,
    },
  });
  app.post("/:id/filesystem/upload", async (c) => {
    const id = c.req.param("id");
    if (id.length > 64) throw new BayError("not_found", `sandbox not found: ${id}`);
    const r = await receiveUpload(c, s, id);
    return c.json({ status: "ok", path: r.path, size: r.size }, 200);
  });

  return app;
}
