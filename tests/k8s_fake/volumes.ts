/**
 * The fake kubelet's volumes: each Pod volume becomes a host directory (a
 * bound PVC's directory, a per-Pod dir for an emptyDir, a per-Pod dir with
 * the Secret's keys as files and their modes for a secret volume). Processes
 * are not in a mount namespace, so the container paths a Pod's env names
 * (e.g. `SHIP_WORKSPACE=/workspace`) are rewritten to those host paths.
 *
 * @module
 */
import type { Obj, Store } from "./store.ts";

/** A Pod's volumes on the host. */
export interface Mounted {
  /** Host directory of each volume. */
  hostOf: Record<string, string>;
  /** Map a container path under a mount to its host path (others unchanged). */
  rewrite(path: string): string;
}

function decode(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** Materialise the volumes of `pod`'s first container under `dir`. */
export async function mountVolumes(
  pod: Obj,
  dir: string,
  store: Store,
  pvcDir: (ns: string, claim: string) => string | null | undefined,
): Promise<Mounted> {
  const ns = pod.metadata.namespace!;
  const hostOf: Record<string, string> = {};
  await Deno.mkdir(dir, { recursive: true });
  for (const v of pod.spec.volumes ?? []) {
    const host = `${dir}/vol-${v.name}`;
    if (v.persistentVolumeClaim) {
      const d = pvcDir(ns, v.persistentVolumeClaim.claimName);
      if (!d) {
        throw new Error(
          `persistentvolumeclaim "${v.persistentVolumeClaim.claimName}" is not bound`,
        );
      }
      hostOf[v.name] = d;
    } else if (v.emptyDir) {
      await Deno.mkdir(host, { recursive: true });
      await Deno.chmod(host, 0o777);
      hostOf[v.name] = host;
    } else if (v.secret) {
      const secret = store.get("secrets", ns, v.secret.secretName);
      if (!secret) {
        throw new Error(
          `MountVolume.SetUp failed for volume "${v.name}" : secret "${v.secret.secretName}" not found`,
        );
      }
      await Deno.mkdir(host, { recursive: true, mode: 0o755 });
      const data: Record<string, string> = secret.data ?? {};
      const items: { key: string; path: string; mode?: number }[] = v.secret.items ??
        Object.keys(data).map((key) => ({ key, path: key }));
      for (const item of items) {
        if (!(item.key in data)) {
          throw new Error(`secret ${v.secret.secretName} has no key ${item.key}`);
        }
        const mode = item.mode ?? v.secret.defaultMode ?? 0o644;
        const file = `${host}/${item.path}`;
        await Deno.writeFile(file, decode(data[item.key]), { mode });
        await Deno.chmod(file, mode);
      }
      hostOf[v.name] = host;
    } else {
      throw new Error(
        `volume ${v.name}: only persistentVolumeClaim, emptyDir and secret are faked`,
      );
    }
  }
  const mounts = (pod.spec.containers[0].volumeMounts ?? [])
    .map((m: { name: string; mountPath: string }) => {
      if (!hostOf[m.name]) throw new Error(`volumeMount ${m.name} names no volume`);
      return { path: m.mountPath.replace(/\/$/, ""), host: hostOf[m.name] };
    })
    .sort((a: { path: string }, b: { path: string }) => b.path.length - a.path.length);
  return {
    hostOf,
    rewrite(path: string): string {
      for (const m of mounts) {
        if (path === m.path || path.startsWith(m.path + "/")) {
          return m.host + path.slice(m.path.length);
        }
      }
      return path;
    },
  };
}
