/**
 * Row shapes of the store's tables, as the query interface returns them.
 *
 * @module
 */

/** An API key row (the secret itself is never stored). */
export interface ApiKeyRow {
  id: string;
  owner: string;
  name: string;
  key_hash: string;
  prefix: string;
  is_admin: boolean;
  created_at: Date;
  revoked_at: Date | null;
}

/** A cargo row. */
export interface CargoRow {
  id: string;
  owner: string;
  managed: boolean;
  managed_by_sandbox_id: string | null;
  backend: string;
  size_limit_mb: number;
  created_at: Date;
  last_accessed_at: Date;
  deleted_at: Date | null;
}

/** A sandbox row. */
export interface SandboxRow {
  id: string;
  owner: string;
  profile: string;
  cargo_id: string;
  created_at: Date;
  expires_at: Date | null;
  idle_expires_at: Date | null;
  current_session_id: string | null;
  deleted_at: Date | null;
}

/** Session states. */
export type SessionStatus = "starting" | "ready" | "failed" | "stopped";

/** A session row. */
export interface SessionRow {
  id: string;
  sandbox_id: string;
  status: SessionStatus;
  driver: string;
  runtime_id: string | null;
  token_hash: string;
  instance_id: string | null;
  error: string | null;
  created_at: Date;
  ready_at: Date | null;
  ended_at: Date | null;
}

/** An execution history row. */
export interface ExecutionRow {
  id: string;
  owner: string;
  sandbox_id: string;
  session_id: string | null;
  exec_type: string;
  code: string;
  success: boolean;
  execution_time_ms: number;
  output: string | null;
  error: string | null;
  payload_ref: string | null;
  description: string | null;
  tags: string[];
  notes: string | null;
  created_at: Date;
}
