/**
 * Loads Bay's configuration once: an optional YAML/JSON file, then `BAY_*`
 * environment variables on top, validated in one pass so every error is
 * reported at once with its field name.
 *
 * @module
 */
import { parse as parseYaml } from "yaml";
import { type Config, ConfigSchema } from "./schema.ts";

/** `BAY_*` variables and the config fields they set. */
export const ENV_FIELDS: Record<string, keyof Config> = {
  BAY_HOST: "host",
  BAY_PORT: "port",
  BAY_DATA_DIR: "dataDir",
  BAY_DATABASE_URL: "databaseUrl",
  BAY_API_KEY: "apiKey",
  BAY_DRIVER: "driver",
  BAY_CONFIG_FILE: "configFile",
  BAY_LOG_LEVEL: "logLevel",
  BAY_ALLOW_ANONYMOUS: "allowAnonymous",
  BAY_INSTANCE_ID: "instanceId",
  BAY_ADVERTISE_URL: "advertiseUrl",
  BAY_MAX_BODY_BYTES: "maxBodyBytes",
  BAY_MAX_UPLOAD_BYTES: "maxUploadBytes",
  BAY_HEARTBEAT_INTERVAL_MS: "heartbeatIntervalMs",
  BAY_HEARTBEAT_TIMEOUT_MS: "heartbeatTimeoutMs",
  BAY_SESSION_START_TIMEOUT_MS: "sessionStartTimeoutMs",
  BAY_MAX_CONCURRENT_STARTS: "maxConcurrentStarts",
  BAY_GC_ENABLED: "gcEnabled",
  BAY_GC_INTERVAL_MS: "gcIntervalMs",
  BAY_SANDBOX_UID: "sandboxUid",
  BAY_SANDBOX_GID: "sandboxGid",
  BAY_BWRAP_PATH: "bwrapPath",
  BAY_CARGO_QUOTA: "cargoQuota",
  BAY_PYTHON_PATH: "pythonPath",
  BAY_DOCKER_SOCKET: "dockerSocketPath",
  BAY_DOCKER_IMAGE: "dockerImage",
  BAY_KUBE_NAMESPACE: "kubeNamespace",
  BAY_KUBE_STORAGE_CLASS: "kubeStorageClass",
  BAY_KUBE_RUNTIME_CLASS_NAME: "kubeRuntimeClassName",
  BAY_KUBE_IMAGE: "kubeImage",
  BAY_KUBE_BAY_URL: "kubeBayUrl",
  BAY_KUBE_CONFIG_FILE: "kubeConfigFile",
};

/** The outcome of loading: a config, or every problem found. */
export type LoadResult = { ok: true; config: Config } | { ok: false; errors: string[] };

/**
 * Build the config from an environment map and a file reader.
 * `BAY_*` variables override the file; the file is named by `BAY_CONFIG_FILE`.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  readTextFile: (path: string) => string = Deno.readTextFileSync,
): LoadResult {
  const errors: string[] = [];
  let fromFile: Record<string, unknown> = {};
  const file = env.BAY_CONFIG_FILE;
  if (file) {
    try {
      const text = readTextFile(file);
      const parsed = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
      if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        fromFile = parsed as Record<string, unknown>;
      } else if (parsed != null) errors.push(`${file}: top level must be a mapping`);
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(ENV_FIELDS)) {
    const value = env[name];
    if (value !== undefined && value !== "") fromEnv[field] = value;
  }
  const envNameOf = Object.fromEntries(Object.entries(ENV_FIELDS).map(([k, v]) => [v, k]));
  const result = ConfigSchema.safeParse({ ...fromFile, ...fromEnv });
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.join(".");
      const top = String(issue.path[0] ?? "");
      const source = top in fromEnv ? ` (from ${envNameOf[top]})` : "";
      errors.push(`${path || "(root)"}${source}: ${issue.message}`);
    }
  }
  if (errors.length > 0 || !result.success) return { ok: false, errors };
  return { ok: true, config: result.data };
}
