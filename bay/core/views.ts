/**
 * Store rows turned into the API's JSON objects.
 *
 * @module
 */
import type { Profile } from "../config/schema.ts";
import type { CargoRow, SandboxRow, SessionRow } from "../store/rows.ts";

/** ISO-8601 UTC with `Z`, or null. */
export function iso(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}

/** The API status of a sandbox, computed on read. */
export function sandboxStatus(
  row: SandboxRow,
  session: SessionRow | undefined,
  now = Date.now(),
): "expired" | "idle" | "starting" | "ready" | "failed" {
  if (row.expires_at && row.expires_at.getTime() <= now) return "expired";
  if (!session || session.status === "stopped") return "idle";
  return session.status;
}

/** The container entry of a live session. */
export interface ContainerView {
  name: string;
  runtime_type: string;
  status: string;
  version: string | null;
  capabilities: string[];
  healthy: boolean;
}

/** The sandbox object of the API. */
export function sandboxView(
  row: SandboxRow,
  profile: Profile | undefined,
  session: SessionRow | undefined,
  containers: ContainerView[] | null = null,
) {
  return {
    id: row.id,
    status: sandboxStatus(row, session),
    profile: row.profile,
    cargo_id: row.cargo_id,
    capabilities: profile ? [...profile.capabilities] : [],
    created_at: iso(row.created_at)!,
    expires_at: iso(row.expires_at),
    idle_expires_at: iso(row.idle_expires_at),
    containers,
  };
}

/** The cargo object of the API. */
export function cargoView(row: CargoRow) {
  return {
    id: row.id,
    managed: row.managed,
    managed_by_sandbox_id: row.managed_by_sandbox_id,
    backend: row.backend,
    size_limit_mb: row.size_limit_mb,
    created_at: iso(row.created_at)!,
    last_accessed_at: iso(row.last_accessed_at)!,
  };
}

/** The profile object of the API. */
export function profileView(p: Profile, detail: boolean) {
  return {
    id: p.id,
    image: p.image,
    resources: { cpus: p.cpus, memory: `${p.memoryMb}m` },
    capabilities: [...p.capabilities],
    idle_timeout: Math.round(p.idleTimeoutMs / 1000),
    description: detail ? p.description : null,
    containers: detail
      ? [{ name: "ship", image: p.image, capabilities: [...p.capabilities], network: p.network }]
      : null,
  };
}
