/**
 * Request and response schemas of the public API. They validate requests,
 * type the handlers and generate `/openapi.json`: one source for all three.
 *
 * @module
 */
import { z } from "@hono/zod-openapi";

/** The error envelope every error of every endpoint uses. */
export const ErrorEnvelope = z.object({
  error: z.object({
    code: z.string().openapi({ example: "not_found" }),
    message: z.string(),
    request_id: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
}).openapi("Error");

const Iso = z.string().openapi({ format: "date-time", example: "2026-11-29T12:00:00.000Z" });

/** A sandbox. */
export const Sandbox = z.object({
  id: z.string().openapi({ example: "sandbox-1f2e3d4c5b6a" }),
  status: z.enum(["expired", "idle", "starting", "ready", "failed"]),
  profile: z.string(),
  cargo_id: z.string(),
  capabilities: z.array(z.string()),
  created_at: Iso,
  expires_at: Iso.nullable(),
  idle_expires_at: Iso.nullable(),
  containers: z.array(z.object({
    name: z.string(),
    runtime_type: z.string(),
    status: z.string(),
    version: z.string().nullable(),
    capabilities: z.array(z.string()),
    healthy: z.boolean(),
  })).nullable(),
}).openapi("Sandbox");

/** Body of `POST /v1/sandboxes`. */
export const CreateSandboxBody = z.object({
  profile: z.string().min(1).max(64).default("python-default"),
  cargo_id: z.string().max(64).nullish(),
  ttl: z.number().int().min(-1).max(10 * 365 * 86400).nullish()
    .openapi({ description: "seconds; null or <= 0 never expires" }),
}).strict().openapi("CreateSandbox");

/** Cursor pagination query. */
export const CursorQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "an id").optional(),
});

/** Query of `GET /v1/sandboxes`. */
export const ListSandboxesQuery = CursorQuery.extend({
  status: z.enum(["expired", "idle", "starting", "ready", "failed"]).optional(),
});

/** A page of sandboxes. */
export const SandboxList = z.object({ items: z.array(Sandbox), next_cursor: z.string().nullable() })
  .openapi("SandboxList");

/** Body of `POST …/extend_ttl`. */
export const ExtendTtlBody = z.object({
  extend_by: z.number().int().min(-(2 ** 31)).max(10 * 365 * 86400),
}).strict().openapi("ExtendTtl");

/** `{"status": "..."}`. */
export const StatusOk = z.object({ status: z.string() }).openapi("Status");

/** A cargo. */
export const Cargo = z.object({
  id: z.string().openapi({ example: "ws-1f2e3d4c5b6a" }),
  managed: z.boolean(),
  managed_by_sandbox_id: z.string().nullable(),
  backend: z.string(),
  size_limit_mb: z.number().int(),
  created_at: Iso,
  last_accessed_at: Iso,
}).openapi("Cargo");

/** Body of `POST /v1/cargos`. */
export const CreateCargoBody = z.object({
  size_limit_mb: z.number().int().min(1).max(65536).nullish(),
}).strict().openapi("CreateCargo");

/** Query of `GET /v1/cargos`. */
export const ListCargosQuery = CursorQuery.extend({
  managed: z.enum(["true", "false"]).optional(),
});

/** A page of cargos. */
export const CargoList = z.object({ items: z.array(Cargo), next_cursor: z.string().nullable() })
  .openapi("CargoList");

/** A profile. */
export const ProfileOut = z.object({
  id: z.string(),
  image: z.string(),
  resources: z.object({ cpus: z.number(), memory: z.string() }),
  capabilities: z.array(z.string()),
  idle_timeout: z.number().int(),
  description: z.string().nullable(),
  containers: z.array(z.record(z.string(), z.unknown())).nullable(),
}).openapi("Profile");

/** Path parameter `{id}`. */
export const IdParam = z.object({ id: z.string().max(64) });

const Tags = z.union([z.string().max(1000), z.array(z.string().max(200)).max(50)]).nullish();

/** Body of `POST …/python/exec`. */
export const PythonExecBody = z.object({
  code: z.string().max(1024 * 1024),
  timeout: z.number().int().min(1).max(300).default(30),
  include_code: z.boolean().default(false),
  description: z.string().max(4000).nullish(),
  tags: Tags,
}).strict().openapi("PythonExec");

/** Result of a python exec. */
export const PythonExecOut = z.object({
  success: z.boolean(),
  output: z.string(),
  error: z.string().nullable(),
  data: z.object({
    execution_count: z.number().int().nullable(),
    output: z.object({ text: z.string(), images: z.array(z.record(z.string(), z.string())) }),
    outputs: z.array(z.object({ type: z.string(), data: z.record(z.string(), z.unknown()) })),
  }),
  execution_id: z.string(),
  execution_time_ms: z.number().int(),
  code: z.string().nullable(),
}).openapi("PythonExecResult");

/** Body of `POST …/shell/exec`. */
export const ShellExecBody = z.object({
  command: z.string().min(1).max(1024 * 1024),
  timeout: z.number().int().min(1).max(300).default(30),
  cwd: z.string().max(4096).nullish(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/), z.string().max(65536))
    .nullish(),
  include_code: z.boolean().default(false),
  description: z.string().max(4000).nullish(),
  tags: Tags,
}).strict().openapi("ShellExec");

/** Result of a shell exec. */
export const ShellExecOut = z.object({
  success: z.boolean(),
  output: z.string(),
  error: z.string().nullable(),
  exit_code: z.number().int(),
  execution_id: z.string(),
  execution_time_ms: z.number().int(),
  command: z.string().nullable(),
}).openapi("ShellExecResult");

/** Query naming a file. */
export const PathQuery = z.object({ path: z.string().max(8192) });

/** Query of a directory listing. */
export const ListDirQuery = z.object({
  path: z.string().max(8192).default("."),
  show_hidden: z.enum(["true", "false"]).default("false"),
});

/** Body of `PUT …/filesystem/files`. */
export const WriteFileBody = z.object({
  path: z.string().max(8192),
  content: z.string(),
  encoding: z.enum(["utf-8", "base64"]).default("utf-8"),
}).strict().openapi("WriteFile");

/** Body of `POST …/filesystem/edit`. */
export const EditFileBody = z.object({
  path: z.string().max(8192),
  old_string: z.string().min(1),
  new_string: z.string(),
  replace_all: z.boolean().default(false),
}).strict().openapi("EditFile");

/** A directory listing. */
export const DirListing = z.object({
  entries: z.array(z.object({
    name: z.string(),
    path: z.string(),
    is_file: z.boolean(),
    is_dir: z.boolean(),
    size: z.number().int().nullable(),
    modified_time: z.number(),
  })),
}).openapi("DirListing");
