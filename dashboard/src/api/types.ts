/** Bay's wire objects, as /work/shared/API.md and Bay's schemas define them. */

export const SANDBOX_STATUSES = ["idle", "starting", "ready", "failed", "expired"] as const;
export type SandboxStatus = (typeof SANDBOX_STATUSES)[number];

export interface Container {
  name: string;
  runtime_type: string;
  status: string;
  version: string | null;
  capabilities: string[];
  healthy: boolean;
}

export interface Sandbox {
  id: string;
  status: SandboxStatus;
  profile: string;
  cargo_id: string;
  capabilities: string[];
  created_at: string;
  expires_at: string | null;
  idle_expires_at: string | null;
  containers: Container[] | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Profile {
  id: string;
  image: string;
  resources: { cpus: number; memory: string };
  capabilities: string[];
  idle_timeout: number;
}

export interface DirEntry {
  name: string;
  path: string;
  is_file: boolean;
  is_dir: boolean;
  size: number | null;
  modified_time: number;
}

export interface ExecResult {
  success: boolean;
  output: string;
  error: string | null;
  exit_code?: number;
  execution_id: string;
  execution_time_ms: number;
}

export const EXEC_TYPES = ["python", "shell", "browser", "browser_batch"] as const;

export interface HistoryEntry {
  id: string;
  session_id: string | null;
  exec_type: string;
  code: string;
  success: boolean;
  execution_time_ms: number;
  output: string | null;
  error: string | null;
  payload_ref: string | null;
  description: string | null;
  tags: string | null;
  notes: string | null;
  created_at: string;
}

export interface Annotation {
  description?: string | null;
  tags?: string | null;
  notes?: string | null;
}

export const CANDIDATE_STATUSES = [
  "draft",
  "evaluating",
  "rejected",
  "promoted",
  "rolled_back",
] as const;

export interface Candidate {
  id: string;
  skill_key: string;
  scenario_key: string | null;
  summary: string | null;
  usage_notes: string | null;
  source_execution_ids: string[];
  status: (typeof CANDIDATE_STATUSES)[number];
  latest_score: number | null;
  latest_pass: boolean | null;
  last_evaluated_at: string | null;
  promotion_release_id: string | null;
  created_at: string;
}

export interface NewCandidate {
  skill_key: string;
  source_execution_ids: string[];
  scenario_key?: string | null;
  summary?: string | null;
  usage_notes?: string | null;
}

export interface Evaluation {
  id: string;
  candidate_id: string;
  score: number | null;
  passed: boolean;
  created_at: string;
}

export const STAGES = ["canary", "stable"] as const;
export type Stage = (typeof STAGES)[number];

export interface Release {
  id: string;
  skill_key: string;
  candidate_id: string;
  version: number;
  stage: Stage;
  is_active: boolean;
  promoted_at: string;
  rollback_of: string | null;
  health_window_end_at: string | null;
}

export interface ReleaseHealth {
  release_id: string;
  window_start_at: string;
  window_end_at: string;
  window_complete: boolean;
  samples: number;
  success_rate: number;
  error_rate: number;
  p95_duration: number;
  baseline_success_rate: number;
  baseline_error_rate: number;
  baseline_samples: number;
  success_drop: number;
  error_rate_multiplier: number;
  healthy: boolean;
  should_rollback: boolean;
  rollback_reasons: string[];
}

export interface Counted<T> {
  items: T[];
  total: number;
}

export interface GcStatus {
  enabled: boolean;
  is_running: boolean;
  instance_id: string;
  interval_seconds: number;
  tasks: Record<string, { enabled: boolean }>;
}

export interface GcRun {
  results: { task_name: string; cleaned_count: number; skipped_count: number; errors: string[] }[];
  total_cleaned: number;
  total_errors: number;
  duration_ms: number;
}
