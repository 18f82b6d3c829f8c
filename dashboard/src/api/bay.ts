/** Typed wrappers of the Bay endpoints the dashboard uses. */
import { api, query, request } from "./client.ts";
import type {
  Annotation,
  Candidate,
  Counted,
  DirEntry,
  Evaluation,
  ExecResult,
  GcRun,
  GcStatus,
  HistoryEntry,
  NewCandidate,
  Page,
  Profile,
  Release,
  ReleaseHealth,
  Sandbox,
  Stage,
} from "./types.ts";

const sb = (id: string) => `/v1/sandboxes/${encodeURIComponent(id)}`;

export const sandboxes = {
  list: (q: { status?: string; cursor?: string | null; limit?: number }) =>
    api<Page<Sandbox>>("GET", `/v1/sandboxes${query(q)}`),
  get: (id: string) => api<Sandbox>("GET", sb(id)),
  create: (body: { profile: string; ttl?: number | null }) =>
    api<Sandbox>("POST", "/v1/sandboxes", { body }),
  remove: (id: string) => api<void>("DELETE", sb(id)),
  stop: (id: string) => api<{ status: string }>("POST", `${sb(id)}/stop`),
  keepalive: (id: string) => api<{ status: string }>("POST", `${sb(id)}/keepalive`),
  profiles: () => api<{ items: Profile[] }>("GET", "/v1/profiles"),
};

export interface ExecRequest {
  kind: "shell" | "python";
  source: string;
  description?: string;
  tags?: string;
}

export function exec(id: string, r: ExecRequest): Promise<ExecResult> {
  const extra = { description: r.description || undefined, tags: r.tags || undefined };
  return r.kind === "shell"
    ? api<ExecResult>("POST", `${sb(id)}/shell/exec`, { body: { command: r.source, ...extra } })
    : api<ExecResult>("POST", `${sb(id)}/python/exec`, { body: { code: r.source, ...extra } });
}

export const files = {
  list: (id: string, path: string, showHidden = false) =>
    api<{ entries: DirEntry[] }>(
      "GET",
      `${sb(id)}/filesystem/directories${query({ path, show_hidden: showHidden || undefined })}`,
    ),
  upload: (id: string, path: string, file: Blob, name: string) => {
    const form = new FormData();
    form.set("path", path);
    form.set("file", file, name);
    return api<{ status: string; path: string; size: number }>(
      "POST",
      `${sb(id)}/filesystem/upload`,
      { form },
    );
  },
  download: async (id: string, path: string): Promise<Blob> =>
    await (await request("GET", `${sb(id)}/filesystem/download${query({ path })}`)).blob(),
  remove: (id: string, path: string) =>
    api<{ status: string }>("DELETE", `${sb(id)}/filesystem/files${query({ path })}`),
};

export interface HistoryFilter {
  exec_type?: string;
  success_only?: boolean;
  tags?: string;
  limit: number;
  offset: number;
}

export const history = {
  list: (id: string, f: HistoryFilter) =>
    api<{ entries: HistoryEntry[]; total: number }>(
      "GET",
      `${sb(id)}/history${query({ ...f, success_only: f.success_only ? "true" : undefined })}`,
    ),
  annotate: (id: string, execId: string, body: Annotation) =>
    api<HistoryEntry>("PATCH", `${sb(id)}/history/${encodeURIComponent(execId)}`, { body }),
};

export const terminal = {
  ticket: (id: string) =>
    api<{ ticket: string; expires_in: number }>("POST", `${sb(id)}/terminal/tickets`),
};

const cand = (id: string) => `/v1/skills/candidates/${encodeURIComponent(id)}`;
const rel = (id: string) => `/v1/skills/releases/${encodeURIComponent(id)}`;

export const skills = {
  candidates: (q: { status?: string; skill_key?: string; limit: number; offset: number }) =>
    api<Counted<Candidate>>("GET", `/v1/skills/candidates${query(q)}`),
  createCandidate: (body: NewCandidate) =>
    api<Candidate>("POST", "/v1/skills/candidates", { body }),
  evaluate: (
    id: string,
    body: { passed: boolean; score?: number | null; report?: string | null },
  ) => api<Evaluation>("POST", `${cand(id)}/evaluate`, { body }),
  promote: (id: string, stage: Stage) =>
    api<Release>("POST", `${cand(id)}/promote`, { body: { stage } }),
  deleteCandidate: (id: string) => api<unknown>("DELETE", cand(id), { body: {} }),
  releases: (
    q: { skill_key?: string; active_only?: string; stage?: string; limit: number; offset: number },
  ) => api<Counted<Release>>("GET", `/v1/skills/releases${query(q)}`),
  rollback: (id: string) => api<Release>("POST", `${rel(id)}/rollback`),
  deleteRelease: (id: string) => api<unknown>("DELETE", rel(id), { body: {} }),
  health: (id: string) => api<ReleaseHealth>("GET", `${rel(id)}/health`),
};

export const admin = {
  gcStatus: () => api<GcStatus>("GET", "/v1/admin/gc/status"),
  gcRun: () => api<GcRun>("POST", "/v1/admin/gc/run", { body: {} }),
};

/** Bay's Prometheus text (no key needed, but sent like every call). */
export async function metricsText(signal?: AbortSignal): Promise<string> {
  return await (await request("GET", "/metrics", signal ? { signal } : {})).text();
}
