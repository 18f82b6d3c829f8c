/**
 * Cargo size limits without a quota-capable filesystem: each cargo is an
 * ext4 image file of `size_limit_mb`, loop-mounted at the cargo directory.
 * A write beyond the limit fails with ENOSPC inside that cargo only; other
 * cargos and the host disk are untouched. Needs root (mount) and loop devices.
 * Used by the local and docker drivers when `cargoQuota` is `loop`.
 *
 * @module
 */

async function run(cmd: string, args: string[]): Promise<void> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim();
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err || `exit ${out.code}`}`);
  }
}

/** True when `dir` is a mount point (per /proc/self/mountinfo). */
export async function isMounted(dir: string): Promise<boolean> {
  const info = await Deno.readTextFile("/proc/self/mountinfo");
  return info.split("\n").some((l) => l.split(" ")[4] === dir);
}

/** Create (if needed) and mount a `sizeMb` ext4 image at `dir`, owned by uid/gid. */
export async function mountCargo(
  dir: string,
  image: string,
  sizeMb: number,
  owner: { uid: number; gid: number },
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o755 });
  if (await isMounted(dir)) return;
  let exists = true;
  try {
    await Deno.stat(image);
  } catch {
    exists = false;
  }
  if (!exists) {
    const f = await Deno.open(image, { create: true, write: true, mode: 0o600 });
    await f.truncate(sizeMb * 1024 * 1024);
    f.close();
    await run("mkfs.ext4", [
      "-q",
      "-F",
      "-m",
      "0",
      "-O",
      "^has_journal",
      "-E",
      `root_owner=${owner.uid}:${owner.gid},lazy_itable_init=1`,
      image,
    ]);
  }
  await run("mount", ["-o", "loop,nosuid,nodev", image, dir]);
  // lost+found belongs to root: remove it so the cargo starts empty for the user.
  await Deno.remove(`${dir}/lost+found`, { recursive: true }).catch(() => {});
  await Deno.chown(dir, owner.uid, owner.gid);
}

/** Unmount and delete a cargo image (idempotent). */
export async function removeCargo(dir: string, image: string): Promise<void> {
  if (await isMounted(dir)) await run("umount", ["-l", dir]);
  await Deno.remove(image).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
}
