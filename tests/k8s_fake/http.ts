/**
 * HTTP shapes of the fake API server: routes of namespaced core/v1
 * resources, the RBAC verb of a request, `Status` bodies, and the Secret
 * normalisation the API server applies (`stringData` folded into `data`).
 *
 * @module
 */
import type { Obj } from "./store.ts";

/** Kinds of the resources the fake serves. */
export const KINDS: Record<string, string> = {
  pods: "Pod",
  secrets: "Secret",
  persistentvolumeclaims: "PersistentVolumeClaim",
  events: "Event",
};

/** One API request as RBAC sees it. */
export interface AuditEntry {
  verb: string;
  resource: string;
  namespace: string;
  name?: string;
}

const VERBS: Record<string, string> = {
  POST: "create",
  PUT: "update",
  DELETE: "delete",
  PATCH: "patch",
};

/** The resource, namespace, name and RBAC verb of a request; null when not served. */
export function route(req: Request, url: URL): AuditEntry | null {
  const m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/);
  if (!m || !KINDS[m[2]]) return null;
  const [, namespace, resource, name] = m;
  const watch = ["true", "1"].includes(url.searchParams.get("watch") ?? "");
  const verb = req.method === "GET"
    ? (name ? "get" : watch ? "watch" : "list")
    : VERBS[req.method] ?? req.method.toLowerCase();
  return { verb, resource, namespace, ...(name ? { name } : {}) };
}

/** A `Status` failure response. */
export function status(code: number, reason: string, message: string): Response {
  return Response.json(
    { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code },
    { status: code },
  );
}

/** A `Status` success body (what deleting a Secret returns). */
export function success(name: string, kind: string): Obj {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: { name },
    status: "Success",
    details: { name, kind },
  };
}

function b64(s: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

/** Fold `stringData` into base64 `data`, default the type, as the API server does. */
export function normaliseSecret(obj: Obj): void {
  obj.type ??= "Opaque";
  obj.data = { ...(obj.data ?? {}) };
  for (const [k, v] of Object.entries(obj.stringData ?? {})) obj.data[k] = b64(String(v));
  delete obj.stringData;
}
