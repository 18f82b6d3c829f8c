/**
 * Wire types of Bay's answers for sandboxes, cargos, profiles, execution,
 * processes and files. Field names are exactly the API's (snake_case);
 * `openapi_test.ts` checks them against `/openapi.json`.
 *
 * @module
 */

/**
 * Every sandbox status, computed by Bay on read.
 *
 * @example
 * ```ts
 * console.log(SANDBOX_STATUSES.includes("ready"));
 * ```
 */
export const SANDBOX_STATUSES = ["expired", "idle", "starting", "ready", "failed"] as const;

/**
 * A sandbox status.
 *
 * @example
 * ```ts
 * const s: SandboxStatus = "idle";
 * ```
 */
export type SandboxStatus = typeof SANDBOX_STATUSES[number];

/**
 * A container of a live session (only in `GET /v1/sandboxes/{id}`).
 *
 * @example
 * ```ts
 * const show = (c: ContainerInfo) => `${c.name} ${c.status} healthy=${c.healthy}`;
 * ```
 */
export interface ContainerInfo {
  name: string;
  runtime_type: string;
  status: string;
  version: string | null;
  capabilities: string[];
  healthy: boolean;
}

/**
 * A sandbox as Bay describes it. Times are ISO-8601 UTC strings.
 *
 * @example
 * ```ts
 * const ttlLeft = (s: SandboxInfo) =>
 *   s.expires_at === null ? Infinity : Date.parse(s.expires_at) - Date.now();
 * ```
 */
export interface SandboxInfo {
  id: string;
  status: SandboxStatus;
  profile: string;
  cargo_id: string;
  capabilities: string[];
  created_at: string;
  expires_at: string | null;
  idle_expires_at: string | null;
  containers: ContainerInfo[] | null;
}

/**
 * A cursor page (sandboxes, cargos): pass `next_cursor` as `cursor` for the next.
 *
 * @example
 * ```ts
 * const page: CursorPage<string> = { items: ["a"], next_cursor: null };
 * ```
 */
export interface CursorPage<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * A cargo: the persistent volume mounted at `/workspace`.
 *
 * @example
 * ```ts
 * const show = (c: Cargo) => `${c.id} ${c.managed ? "managed" : "external"} ${c.size_limit_mb} MB`;
 * ```
 */
export interface Cargo {
  id: string;
  managed: boolean;
  managed_by_sandbox_id: string | null;
  backend: string;
  size_limit_mb: number;
  created_at: string;
  last_accessed_at: string;
}

/**
 * A sandbox profile. `description` and `containers` are null unless asked
 * for in detail.
 *
 * @example
 * ```ts
 * const canRunPython = (p: Profile) => p.capabilities.includes("python");
 * ```
 */
export interface Profile {
  id: string;
  image: string;
  resources: { cpus: number; memory: string };
  capabilities: string[];
  idle_timeout: number;
  description: string | null;
  containers: Record<string, unknown>[] | null;
}

/**
 * Rich output of a Python exec: `data.output.images` holds base64 PNGs,
 * `data.outputs` every MIME bundle.
 *
 * @example
 * ```ts
 * const pngs = (d: PythonExecData) => d.output.images.map((i) => i["image/png"]);
 * ```
 */
export interface PythonExecData {
  execution_count: number | null;
  output: { text: string; images: Record<string, string>[] };
  outputs: { type: string; data: Record<string, unknown> }[];
}

/**
 * Result of `python.exec`.
 *
 * @example
 * ```ts
 * const text = (r: PythonExecResult) => (r.success ? r.output : `error: ${r.error}`);
 * ```
 */
export interface PythonExecResult {
  success: boolean;
  output: string;
  error: string | null;
  data: PythonExecData;
  execution_id: string;
  execution_time_ms: number;
  code: string | null;
}

/**
 * Result of `shell.exec`: `output` is stdout, `error` stderr; `exit_code` is
 * -1 after a timeout.
 *
 * @example
 * ```ts
 * const ok = (r: ShellExecResult) => r.exit_code === 0;
 * ```
 */
export interface ShellExecResult {
  success: boolean;
  output: string;
  error: string | null;
  exit_code: number;
  execution_id: string;
  execution_time_ms: number;
  command: string | null;
}

/**
 * `{"status": "..."}` answers (keepalive, stop, writes, kernel control).
 *
 * @example
 * ```ts
 * const r: StatusResult = { status: "ok" };
 * ```
 */
export interface StatusResult {
  status: string;
}

/**
 * `GET /health`.
 *
 * @example
 * ```ts
 * const h: Health = { status: "ok", version: "0.1.0" };
 * ```
 */
export interface Health {
  status: string;
  version: string;
}

/**
 * GC status (admin keys only).
 *
 * @example
 * ```ts
 * const running = (s: GcStatus) => s.is_running;
 * ```
 */
export interface GcStatus {
  enabled: boolean;
  is_running: boolean;
  instance_id: string;
  interval_seconds: number;
  tasks: Record<string, { enabled: boolean }>;
}

/**
 * Result of a GC run (admin keys only).
 *
 * @example
 * ```ts
 * const cleaned = (r: GcRunResult) => r.total_cleaned;
 * ```
 */
export interface GcRunResult {
  results: { task_name: string; cleaned_count: number; skipped_count: number; errors: string[] }[];
  total_cleaned: number;
  total_errors: number;
  duration_ms: number;
}
