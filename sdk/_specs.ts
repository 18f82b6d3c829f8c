/**
 * Runtime mirrors of the SDK's response types, for `openapi_test.ts`. Each
 * is typed `Spec<Type>` (see `_spec_type.ts`), so it lists exactly the
 * type's fields (else a compile error), and is compared with
 * `/openapi.json` (else a test failure).
 *
 * @module
 */
import type { Spec, SpecEntry } from "./_spec_type.ts";
import type * as T from "./types.ts";
import type * as IO from "./types_io.ts";
import type * as S from "./types_skills.ts";
import { CANDIDATE_STATUSES, PROCESS_STATUSES, RELEASE_STAGES, SANDBOX_STATUSES } from "./mod.ts";

const sandbox: Spec<T.SandboxInfo> = {
  id: "string",
  status: { enum: SANDBOX_STATUSES },
  profile: "string",
  cargo_id: "string",
  capabilities: "array",
  created_at: "string",
  expires_at: "string|null",
  idle_expires_at: "string|null",
  containers: "array|null",
};
const container: Spec<T.ContainerInfo> = {
  name: "string",
  runtime_type: "string",
  status: "string",
  version: "string|null",
  capabilities: "array",
  healthy: "boolean",
};
const cargo: Spec<T.Cargo> = {
  id: "string",
  managed: "boolean",
  managed_by_sandbox_id: "string|null",
  backend: "string",
  size_limit_mb: "integer",
  created_at: "string",
  last_accessed_at: "string",
};
const profile: Spec<T.Profile> = {
  id: "string",
  image: "string",
  resources: "object",
  capabilities: "array",
  idle_timeout: "integer",
  description: "string|null",
  containers: "array|null",
};
const pythonResult: Spec<T.PythonExecResult> = {
  success: "boolean",
  output: "string",
  error: "string|null",
  data: "object",
  execution_id: "string",
  execution_time_ms: "integer",
  code: "string|null",
};
const pythonData: Spec<T.PythonExecData> = {
  execution_count: "integer|null",
  output: "object",
  outputs: "array",
};
const shellResult: Spec<T.ShellExecResult> = {
  success: "boolean",
  output: "string",
  error: "string|null",
  exit_code: "integer",
  execution_id: "string",
  execution_time_ms: "integer",
  command: "string|null",
};
const process: Spec<IO.ProcessInfo> = {
  process_id: "string",
  pid: "integer",
  command: "string",
  status: { enum: PROCESS_STATUSES },
  exit_code: "integer|null",
  started_at: "string",
  ended_at: "string|null",
};
const logs: Spec<IO.ProcessLogs> = {
  stdout: "string",
  stderr: "string",
  next_offset: "integer",
  status: "string",
};
const dirEntry: Spec<IO.DirEntry> = {
  name: "string",
  path: "string",
  is_file: "boolean",
  is_dir: "boolean",
  size: "integer|null",
  modified_time: "number",
};
const history: Spec<S.HistoryEntry> = {
  id: "string",
  session_id: "string|null",
  exec_type: "string",
  code: "string",
  success: "boolean",
  execution_time_ms: "integer",
  output: "string|null",
  error: "string|null",
  payload_ref: "string|null",
  description: "string|null",
  tags: "string|null",
  notes: "string|null",
  created_at: "string",
};
const candidate: Spec<S.Candidate> = {
  id: "string",
  skill_key: "string",
  scenario_key: "string|null",
  payload_ref: "string|null",
  skill_type: "string",
  summary: "string|null",
  usage_notes: "string|null",
  preconditions: "object|null",
  postconditions: "object|null",
  source_execution_ids: "array",
  status: { enum: CANDIDATE_STATUSES },
  latest_score: "number|null",
  latest_pass: "boolean|null",
  last_evaluated_at: "string|null",
  promotion_release_id: "string|null",
  created_by: "string",
  created_at: "string",
  updated_at: "string",
};
const evaluation: Spec<S.Evaluation> = {
  id: "string",
  candidate_id: "string",
  benchmark_id: "string|null",
  score: "number|null",
  passed: "boolean",
  report: "string|null",
  evaluated_by: "string",
  created_at: "string",
};
const release: Spec<S.Release> = {
  id: "string",
  skill_key: "string",
  candidate_id: "string",
  version: "integer",
  stage: { enum: RELEASE_STAGES },
  is_active: "boolean",
  release_mode: "string",
  promoted_by: "string",
  promoted_at: "string",
  rollback_of: "string|null",
  health_window_end_at: "string|null",
  upgrade_of_release_id: "string|null",
  upgrade_reason: "string|null",
  change_summary: "string|null",
};
const health: Spec<S.ReleaseHealth> = {
  release_id: "string",
  skill_key: "string",
  stage: { enum: RELEASE_STAGES },
  window_start_at: "string",
  window_end_at: "string",
  window_complete: "boolean",
  samples: "integer",
  success_rate: "number",
  error_rate: "number",
  p95_duration: "integer",
  baseline_success_rate: "number",
  baseline_error_rate: "number",
  baseline_samples: "integer",
  success_drop: "number",
  error_rate_multiplier: "number",
  healthy: "boolean",
  should_rollback: "boolean",
  rollback_reasons: "array",
  thresholds: "object",
};
const deleted: Spec<S.DeletedRecord> = {
  id: "string",
  deleted_at: "string",
  deleted_by: "string|null",
  delete_reason: "string|null",
};
const payloadRef: Spec<S.PayloadRef> = { payload_ref: "string", kind: "string" };
const payload: Spec<S.Payload> = { payload_ref: "string", kind: "string", payload: "any" };
const cursorPage: Spec<T.CursorPage<unknown>> = { items: "array", next_cursor: "string|null" };
const offsetPage: Spec<S.OffsetPage<unknown>> = { items: "array", total: "integer" };
const historyPage: Spec<S.HistoryPage> = { entries: "array", total: "integer" };
const upload: Spec<IO.UploadResult> = { status: "string", path: "string", size: "number" };
const ticket: Spec<IO.TerminalTicket> = { ticket: "string", expires_in: "integer" };
const statusOk: Spec<T.StatusResult> = { status: "string" };
const bayHealth: Spec<T.Health> = { status: "string", version: "string" };
const gcStatus: Spec<T.GcStatus> = {
  enabled: "boolean",
  is_running: "boolean",
  instance_id: "string",
  interval_seconds: "integer",
  tasks: "object",
};
const gcRun: Spec<T.GcRunResult> = {
  results: "array",
  total_cleaned: "integer",
  total_errors: "integer",
  duration_ms: "integer",
};

const r = (method: string, path: string) => ({ route: [method, path] as const });

/**
 * Every mirror and where the document defines it.
 *
 * @example
 * ```ts
 * console.log(SPECS.map((s) => s.name).join(", "));
 * ```
 */
export const SPECS: SpecEntry[] = [
  { name: "Sandbox", at: { component: "Sandbox" }, spec: sandbox },
  {
    name: "Sandbox.containers[]",
    at: { component: "Sandbox", path: ["containers", "items"] },
    spec: container,
  },
  { name: "SandboxList", at: { component: "SandboxList" }, spec: cursorPage },
  { name: "Cargo", at: { component: "Cargo" }, spec: cargo },
  { name: "CargoList", at: { component: "CargoList" }, spec: cursorPage },
  { name: "Profile", at: { component: "Profile" }, spec: profile },
  { name: "PythonExecResult", at: { component: "PythonExecResult" }, spec: pythonResult },
  {
    name: "PythonExecResult.data",
    at: { component: "PythonExecResult", path: ["data"] },
    spec: pythonData,
  },
  { name: "ShellExecResult", at: { component: "ShellExecResult" }, spec: shellResult },
  { name: "Status", at: { component: "Status" }, spec: statusOk },
  { name: "Process", at: { component: "Process" }, spec: process },
  {
    name: "ProcessLogs",
    at: r("GET", "/v1/sandboxes/{id}/processes/{process_id}/logs"),
    spec: logs,
  },
  { name: "DirEntry", at: { component: "DirListing", path: ["entries", "items"] }, spec: dirEntry },
  { name: "UploadResult", at: r("POST", "/v1/sandboxes/{id}/filesystem/upload"), spec: upload },
  { name: "TerminalTicket", at: r("POST", "/v1/sandboxes/{id}/terminal/tickets"), spec: ticket },
  { name: "HistoryEntry", at: { component: "HistoryEntry" }, spec: history },
  { name: "HistoryList", at: { component: "HistoryList" }, spec: historyPage },
  { name: "Candidate", at: { component: "Candidate" }, spec: candidate },
  { name: "CandidateList", at: { component: "CandidateList" }, spec: offsetPage },
  { name: "Evaluation", at: { component: "Evaluation" }, spec: evaluation },
  { name: "Release", at: { component: "Release" }, spec: release },
  { name: "ReleaseList", at: { component: "ReleaseList" }, spec: offsetPage },
  { name: "ReleaseHealth", at: { component: "ReleaseHealth" }, spec: health },
  { name: "Deleted", at: { component: "Deleted" }, spec: deleted },
  { name: "PayloadRef", at: { component: "PayloadRef" }, spec: payloadRef },
  { name: "Payload", at: { component: "Payload" }, spec: payload },
  { name: "Health", at: r("GET", "/health"), spec: bayHealth },
  { name: "GcStatus", at: r("GET", "/v1/admin/gc/status"), spec: gcStatus },
  { name: "GcRunResult", at: r("POST", "/v1/admin/gc/run"), spec: gcRun },
];
