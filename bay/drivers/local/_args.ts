/**
 * The bubblewrap command line of one session.
 *
 * @module
 */
import { dirname } from "node:path";

/** Inputs of {@link bwrapArgs}. */
export interface BwrapSpec {
  /** Repository root, mounted read-only at /opt/shipyard. */
  repo: string;
  /** Path inside the repo to hide (Bay's data dir when it lives there). */
  maskInRepo: string | null;
  /** The deno binary. */
  deno: string;
  cargoDir: string;
  socketPath: string;
  /** Share the host network (profile network `host`). */
  network: boolean;
  uid: number;
  gid: number;
  hostname: string;
  /** Directory with the sandbox's own passwd and group files. */
  etcDir: string;
}

/** `bwrap` arguments that run the ship as root-without-most-capabilities. */
export function bwrapArgs(s: BwrapSpec): string[] {
  const a = [
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--ro-bind",
    "/etc",
    "/etc",
    "--ro-bind",
    `${s.etcDir}/passwd`,
    "/etc/passwd",
    "--ro-bind",
    `${s.etcDir}/group`,
    "/etc/group",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    // World-writable and sticky like a real /tmp: user code (and Python's tempfile,
    // matplotlib, IPython) must be able to write there, not fall back to /workspace.
    "--perms",
    "1777",
    "--tmpfs",
    "/tmp",
    "--tmpfs",
    "/run",
    "--dir",
    "/run/ship",
    "--bind",
    dirname(s.socketPath),
    "/run/bay",
    "--bind",
    s.cargoDir,
    "/workspace",
    "--ro-bind",
    s.repo,
    "/opt/shipyard",
  ];
  if (s.maskInRepo) a.push("--tmpfs", `/opt/shipyard/${s.maskInRepo}`);
  a.push(
    "--ro-bind",
    s.deno,
    "/opt/deno/deno",
    "--chmod",
    "0700",
    "/run/ship",
    "--chmod",
    "0700",
    "/run/bay",
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(s.network ? [] : ["--unshare-net"]),
    "--hostname",
    s.hostname.slice(0, 63),
    "--new-session",
    "--cap-drop",
    "ALL",
    ...["CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_CHOWN", "CAP_FOWNER", "CAP_DAC_OVERRIDE"]
      .flatMap((c) => ["--cap-add", c]),
    "--chdir",
    "/opt/shipyard",
    "/opt/deno/deno",
    "run",
    "-A",
    "--cached-only",
    "--frozen",
    "--no-prompt",
    "--no-code-cache",
    "/opt/shipyard/ship/main.ts",
  );
  return a;
}
