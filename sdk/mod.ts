/**
 * TypeScript SDK for Shipyard Neo's Bay: sandboxes with a stateful Python
 * kernel, a shell, background processes, a terminal, files, execution
 * history, cargos and skills. Runs on Deno and Node 20+ (Web APIs only).
 *
 * `BayClient` reads `BAY_ENDPOINT` and `BAY_API_KEY` from the environment
 * when they are not given (where an environment exists).
 *
 * @example Quick start
 * ```ts
 * import { BayClient } from "@shipyard/sdk";
 * async function main() {
 *   const bay = new BayClient({ endpoint: "http://localhost:8114", apiKey: "…" });
 *   const sb = await bay.createSandbox();
 *   await sb.python.exec("print(1)");
 *   await sb.shell.exec("ls", { onStdout: (t) => console.log(t) });
 *   await sb.files.write("a.txt", "hi");
 *   await sb.delete();
 * }
 * ```
 *
 * @module
 */
export { BayClient } from "./client.ts";
export type { BayClientOptions, CreateSandboxOptions, ListSandboxesOptions } from "./client.ts";
export { Sandbox } from "./sandbox.ts";
export type { TerminalOptions } from "./sandbox.ts";
export { Python } from "./python.ts";
export type { PythonExecOptions } from "./python.ts";
export { Shell } from "./shell.ts";
export type { ShellExecOptions } from "./shell.ts";
export type { StreamCallbacks } from "./_exec.ts";
export { Processes } from "./processes.ts";
export type { ProcessSignal, StartProcessOptions } from "./processes.ts";
export type { FollowOptions } from "./_follow.ts";
export { Terminal } from "./terminal.ts";
export type { WebSocketConstructor, WebSocketLike } from "./terminal.ts";
export { Files } from "./files.ts";
export type { EditOptions, ListOptions } from "./files.ts";
export type { UploadData } from "./_multipart.ts";
export { History } from "./history.ts";
export type { Annotation, HistoryListOptions } from "./history.ts";
export { Cargos } from "./cargos.ts";
export type { CreateCargoOptions, ListCargosOptions } from "./cargos.ts";
export { Skills } from "./skills.ts";
export type { CandidateInput, EvaluationInput, Paging, PromoteInput } from "./skills.ts";
export { Admin } from "./admin.ts";
export type { CallOptions, FetchLike } from "./_http.ts";
export * from "./errors.ts";
export * from "./types.ts";
export * from "./types_io.ts";
export * from "./types_skills.ts";
