/**
 * `bay files put SANDBOX LOCAL REMOTE` and `bay files get SANDBOX REMOTE
 * LOCAL`: streamed both ways (memory stays bounded), with a progress bar.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, dirname, resolve } from "node:path";
import { client, CLIENT_OPTIONS, printJson, UsageError } from "./_common.ts";
import { Progress } from "./_progress.ts";

/** Usage of the file commands. */
export const FILES_USAGE = `usage:
  bay files put SANDBOX LOCAL REMOTE   (REMOTE relative to /workspace)
  bay files get SANDBOX REMOTE LOCAL   (LOCAL '-' writes to stdout)`;

/** `bay files …`. */
export async function files(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, quiet: { type: "boolean", short: "q", default: false } },
  });
  const [cmd, id, ...rest] = positionals;
  let [from, to] = rest;
  const extra = rest.slice(2);
  if (cmd !== "put" && cmd !== "get") {
    throw new UsageError(cmd ? `unknown files command '${cmd}'` : "missing files command");
  }
  if (!id || !from || !to) throw new UsageError(`files ${cmd} needs SANDBOX, source and target`);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  // `deno task cli` runs in the repository root; INIT_CWD is where the user typed it.
  const local = (p: string) => resolve(Deno.env.get("INIT_CWD") ?? ".", p);
  const sb = await client(values).getSandbox(id);
  if (cmd === "put") {
    from = local(from);
    const size = (await Deno.stat(from)).size;
    const progress = new Progress(`put ${to}`, size, values.quiet ? false : undefined);
    const file = await Deno.open(from, { read: true });
    try {
      const r = await sb.files.upload(to, file.readable.pipeThrough(progress.counter()));
      if (values.quiet) progress.abort();
      else progress.done();
      if (values.json) printJson(r);
    } catch (e) {
      progress.abort();
      throw e;
    }
    return 0;
  }
  // The size, when the listing of the parent directory knows it (for the percentage).
  let size: number | null = null;
  const parent = dirname(from);
  try {
    const entry = (await sb.files.list(parent === "" ? "." : parent))
      .find((e) => e.name === basename(from) && e.is_file);
    size = entry?.size ?? null;
  } catch { /* no percentage then */ }
  const body = await sb.files.download(from);
  const progress = new Progress(`get ${from}`, size, values.quiet ? false : undefined);
  const counted = body.pipeThrough(progress.counter());
  if (to === "-") {
    await counted.pipeTo(Deno.stdout.writable, { preventClose: true });
    if (!values.quiet) progress.done();
    return 0;
  }
  to = local(to);
  const tmp = `${to}.part-${crypto.randomUUID().slice(0, 8)}`;
  try {
    const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
    await counted.pipeTo(file.writable);
    await Deno.rename(tmp, to);
  } catch (e) {
    progress.abort();
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
  if (!values.quiet) progress.done();
  return 0;
}
