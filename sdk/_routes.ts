/**
 * Every HTTP route the SDK calls, in the OpenAPI document's own notation.
 * All requests are built from this table (the transport accepts nothing
 * else), and `openapi_test.ts` checks each entry against `/openapi.json`.
 *
 * @module
 */

/**
 * Method and path template of each route the SDK uses.
 *
 * @example
 * ```ts
 * const [method, path] = ROUTES.pythonExec;
 * console.log(method, path);
 * ```
 */
export const ROUTES = {
  health: ["GET", "/health"],
  profiles: ["GET", "/v1/profiles"],
  createSandbox: ["POST", "/v1/sandboxes"],
  listSandboxes: ["GET", "/v1/sandboxes"],
  getSandbox: ["GET", "/v1/sandboxes/{id}"],
  deleteSandbox: ["DELETE", "/v1/sandboxes/{id}"],
  extendTtl: ["POST", "/v1/sandboxes/{id}/extend_ttl"],
  keepalive: ["POST", "/v1/sandboxes/{id}/keepalive"],
  stopSandbox: ["POST", "/v1/sandboxes/{id}/stop"],
  pythonExec: ["POST", "/v1/sandboxes/{id}/python/exec"],
  pythonInterrupt: ["POST", "/v1/sandboxes/{id}/python/interrupt"],
  pythonRestart: ["POST", "/v1/sandboxes/{id}/python/restart"],
  shellExec: ["POST", "/v1/sandboxes/{id}/shell/exec"],
  readFile: ["GET", "/v1/sandboxes/{id}/filesystem/files"],
  writeFile: ["PUT", "/v1/sandboxes/{id}/filesystem/files"],
  deleteFile: ["DELETE", "/v1/sandboxes/{id}/filesystem/files"],
  listDir: ["GET", "/v1/sandboxes/{id}/filesystem/directories"],
  editFile: ["POST", "/v1/sandboxes/{id}/filesystem/edit"],
  upload: ["POST", "/v1/sandboxes/{id}/filesystem/upload"],
  download: ["GET", "/v1/sandboxes/{id}/filesystem/download"],
  startProcess: ["POST", "/v1/sandboxes/{id}/processes"],
  listProcesses: ["GET", "/v1/sandboxes/{id}/processes"],
  getProcess: ["GET", "/v1/sandboxes/{id}/processes/{process_id}"],
  processLogs: ["GET", "/v1/sandboxes/{id}/processes/{process_id}/logs"],
  processStdin: ["POST", "/v1/sandboxes/{id}/processes/{process_id}/stdin"],
  killProcess: ["POST", "/v1/sandboxes/{id}/processes/{process_id}/kill"],
  terminalTicket: ["POST", "/v1/sandboxes/{id}/terminal/tickets"],
  terminal: ["GET", "/v1/sandboxes/{id}/terminal"],
  listHistory: ["GET", "/v1/sandboxes/{id}/history"],
  lastHistory: ["GET", "/v1/sandboxes/{id}/history/last"],
  getHistory: ["GET", "/v1/sandboxes/{id}/history/{execution_id}"],
  annotateHistory: ["PATCH", "/v1/sandboxes/{id}/history/{execution_id}"],
  createCargo: ["POST", "/v1/cargos"],
  listCargos: ["GET", "/v1/cargos"],
  getCargo: ["GET", "/v1/cargos/{id}"],
  deleteCargo: ["DELETE", "/v1/cargos/{id}"],
  createPayload: ["POST", "/v1/skills/payloads"],
  getPayload: ["GET", "/v1/skills/payloads/{payload_ref}"],
  createCandidate: ["POST", "/v1/skills/candidates"],
  listCandidates: ["GET", "/v1/skills/candidates"],
  getCandidate: ["GET", "/v1/skills/candidates/{id}"],
  deleteCandidate: ["DELETE", "/v1/skills/candidates/{id}"],
  evaluateCandidate: ["POST", "/v1/skills/candidates/{id}/evaluate"],
  promoteCandidate: ["POST", "/v1/skills/candidates/{id}/promote"],
  listReleases: ["GET", "/v1/skills/releases"],
  rollbackRelease: ["POST", "/v1/skills/releases/{id}/rollback"],
  deleteRelease: ["DELETE", "/v1/skills/releases/{id}"],
  releaseHealth: ["GET", "/v1/skills/releases/{id}/health"],
  gcStatus: ["GET", "/v1/admin/gc/status"],
  gcRun: ["POST", "/v1/admin/gc/run"],
} as const satisfies Record<string, readonly [string, string]>;

/**
 * A route's name in {@link ROUTES}.
 *
 * @example
 * ```ts
 * const r: RouteName = "getSandbox";
 * console.log(ROUTES[r][1]);
 * ```
 */
export type RouteName = keyof typeof ROUTES;

/**
 * The concrete path of `route` with its `{params}` filled in (URI-encoded).
 *
 * @example
 * ```ts
 * console.log(fillPath("getProcess", { id: "sandbox-1", process_id: "proc-2" }));
 * ```
 */
export function fillPath(route: RouteName, params: Record<string, string> = {}): string {
  return ROUTES[route][1].replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined || v === "") throw new TypeError(`missing path parameter '${name}'`);
    return encodeURIComponent(v);
  });
}
