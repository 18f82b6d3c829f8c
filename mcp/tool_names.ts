/**
 * The names of every tool the server registers, by family (the names of
 * the original Shipyard Neo MCP server are kept where it had the tool).
 *
 * @module
 */

/**
 * Every tool name, by family.
 *
 * @example
 * ```ts
 * console.log(TOOL_NAMES.exec.includes("execute_python"));
 * ```
 */
export const TOOL_NAMES = {
  sandboxes: [
    "create_sandbox",
    "get_sandbox",
    "list_sandboxes",
    "delete_sandbox",
    "stop_sandbox",
    "extend_sandbox_ttl",
    "keepalive_sandbox",
    "list_profiles",
  ],
  exec: ["execute_python", "execute_shell"],
  files: [
    "read_file",
    "write_file",
    "edit_file",
    "list_files",
    "delete_file",
    "upload_file",
    "download_file",
  ],
  processes: [
    "start_process",
    "list_processes",
    "get_process_logs",
    "write_process_stdin",
    "kill_process",
  ],
  history: ["get_execution_history", "get_execution", "get_last_execution", "annotate_execution"],
  skills: [
    "create_skill_payload",
    "get_skill_payload",
    "create_skill_candidate",
    "get_skill_candidate",
    "list_skill_candidates",
    "evaluate_skill_candidate",
    "promote_skill_candidate",
    "delete_skill_candidate",
    "list_skill_releases",
    "rollback_skill_release",
    "delete_skill_release",
    "get_skill_release_health",
  ],
} as const;
