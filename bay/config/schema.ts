/**
 * The configuration schema: every setting Bay has, with defaults and units
 * in the names. Parsed once at startup by {@link loadConfig}.
 *
 * @module
 */
import { z } from "zod";

/** Capabilities a profile can grant. */
export const CAPABILITIES = ["python", "shell", "filesystem"] as const;
/** A capability name. */
export type Capability = (typeof CAPABILITIES)[number];

/** A named sandbox shape. */
export const ProfileSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, "lowercase letters, digits, . _ -"),
  description: z.string().default(""),
  /** Container image (docker, kubernetes). */
  image: z.string().default("shipyard-neo/ship:latest"),
  cpus: z.number().positive().max(64).default(1),
  memoryMb: z.number().int().min(64).max(262144).default(1024),
  pidsLimit: z.number().int().min(16).max(65536).default(512),
  capabilities: z.array(z.enum(CAPABILITIES)).min(1).default(["python", "shell", "filesystem"]),
  idleTimeoutMs: z.number().int().min(1000).default(30 * 60_000),
  /** Environment for user code, applied before request env. */
  env: z.record(z.string(), z.string()).default({}),
  /** `none`: loopback only. `host` (local driver) / `bridge` (docker): outbound network. */
  network: z.enum(["none", "bridge", "host"]).default("none"),
  warmPoolSize: z.number().int().min(0).max(100).default(0),
});
/** A named sandbox shape. */
export type Profile = z.infer<typeof ProfileSchema>;

/** The built-in profile used when the config file names none. */
export const DEFAULT_PROFILES: z.input<typeof ProfileSchema>[] = [{
  id: "python-default",
  description: "Python 3 with IPython, a shell and the file API",
}];

const bool = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1"),
]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every Bay setting. */
export const ConfigSchema = z.object({
  host: z.string().min(1).default("127.0.0.1"),
  port: int(0, 65535).default(8114),
  dataDir: z.string().min(1).default(".bay"),
  databaseUrl: z.string().regex(/^postgres(ql)?:\/\//, "must start with postgres://").optional(),
  apiKey: z.string().min(16, "at least 16 characters").max(256).optional(),
  driver: z.enum(["local", "docker", "kubernetes", "fake"]).default("local"),
  configFile: z.string().optional(),
  logLevel: z.enum(["debug", "info", "warn", "error"]).default("info"),
  allowAnonymous: bool.default(false),
  /** Stable id of this replica (replicas sharing a data dir must set distinct ones). */
  instanceId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  /** URL other replicas use to reach this one (enables forwarding to it). */
  advertiseUrl: z.string().url().optional(),
  /** Largest JSON request body. */
  maxBodyBytes: int(1024, 1 << 30).default(10 * 1024 * 1024),
  /** Largest file upload. */
  maxUploadBytes: int(1, 64 * (1 << 30)).default(4 * (1 << 30)),
  /** Largest text file `GET …/filesystem/files` returns. */
  maxReadBytes: int(1, 1 << 30).default(10 * 1024 * 1024),
  /** Output kept per exec stream before truncation. */
  maxOutputBytes: int(1024, 1 << 28).default(1024 * 1024),
  idempotencyTtlMs: int(1000, 7 * 86_400_000).default(3_600_000),
  heartbeatIntervalMs: int(100, 60_000).default(5_000),
  heartbeatTimeoutMs: int(300, 300_000).default(15_000),
  /** Longest a session start may take before it is failed. */
  sessionStartTimeoutMs: int(1000, 600_000).default(120_000),
  /**
   * Session starts run at once on this replica; later ones queue in order (a caller that waits
   * longer than `sessionStartTimeoutMs` for a slot gets 503 `session_not_ready`). Unset: four
   * per CPU for the local, docker and fake drivers, 64 for kubernetes.
   */
  maxConcurrentStarts: int(1, 10_000).optional(),
  gcEnabled: bool.default(true),
  /** How often warm pools are checked and refilled. */
  warmPoolCheckMs: int(100, 3_600_000).default(5_000),
  /** Pool members older than this are replaced. */
  warmPoolMaxAgeMs: int(1000, 7 * 86_400_000).default(3_600_000),
  gcIntervalMs: int(1000, 86_400_000).default(60_000),
  /** Local driver: uid/gid user code runs as. */
  sandboxUid: int(1, 2 ** 31).default(1000),
  sandboxGid: int(1, 2 ** 31).default(1000),
  /**
   * How cargo `size_limit_mb` is enforced by the local and docker drivers:
   * `none` (not enforced), or `loop` (an ext4 image per cargo, loop-mounted; needs root).
   */
  cargoQuota: z.enum(["none", "loop"]).default("none"),
  /** Local driver: path of the bwrap binary. */
  bwrapPath: z.string().default("bwrap"),
  /** Python used for the kernel (local driver). */
  pythonPath: z.string().default("/usr/bin/python3"),
  dockerSocketPath: z.string().default("/var/run/docker.sock"),
  /** Docker driver: runtime image for profiles that keep the default image. */
  dockerImage: z.string().min(1).default("shipyard-neo/ship:latest"),
  /** Kubernetes driver: namespace of sandbox Pods, PVCs and Secrets. */
  kubeNamespace: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/).default(
    "shipyard-sandboxes",
  ),
  /** Kubernetes driver: storage class of cargo PVCs (cluster default when unset). */
  kubeStorageClass: z.string().min(1).optional(),
  /** Kubernetes driver: `runtimeClassName` of sandbox Pods (e.g. `gvisor`). */
  kubeRuntimeClassName: z.string().min(1).optional(),
  /** Kubernetes driver: runtime image for profiles that keep the default image. */
  kubeImage: z.string().min(1).default("shipyard-neo/ship:latest"),
  /** Kubernetes driver: Bay's Service URL the ships dial (required for that driver). */
  kubeBayUrl: z.string().url().optional(),
  /** Kubernetes driver: kubeconfig file (default: KUBECONFIG, ~/.kube/config or in-cluster). */
  kubeConfigFile: z.string().min(1).optional(),
  profiles: z.array(ProfileSchema).min(1).default(() =>
    DEFAULT_PROFILES.map((p) => ProfileSchema.parse(p))
  )
    .refine((ps) => new Set(ps.map((p) => p.id)).size === ps.length, "profile ids must be unique"),
});
/** Every Bay setting, parsed. */
export type Config = z.infer<typeof ConfigSchema>;
