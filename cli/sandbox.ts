/**
 * `bay sandbox create|list|get|delete` and `bay gc`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { SandboxInfo, SandboxStatus } from "@shipyard/sdk";
import { client, CLIENT_OPTIONS, intFlag, printJson, printTable, UsageError } from "./_common.ts";

/** Usage of the sandbox commands. */
export const SANDBOX_USAGE = `usage:
  bay sandbox create [--profile P] [--ttl SECONDS] [--json]
  bay sandbox list [--status S] [--json]
  bay sandbox get ID [--json]
  bay sandbox delete ID`;

function row(s: SandboxInfo): string[] {
  return [s.id, s.status, s.profile, s.created_at, s.expires_at ?? "-"];
}
const HEADER = ["ID", "STATUS", "PROFILE", "CREATED", "EXPIRES"];

function describe(s: SandboxInfo): void {
  for (const [k, v] of Object.entries(s)) {
    if (k === "containers") continue;
    console.log(`${k}: ${Array.isArray(v) ? v.join(",") : v ?? "-"}`);
  }
}

/** `bay sandbox …`. */
export async function sandbox(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...CLIENT_OPTIONS,
      profile: { type: "string" },
      ttl: { type: "string" },
      status: { type: "string" },
    },
  });
  const [cmd, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const bay = client(values);
  const needId = () => {
    if (!id) throw new UsageError(`sandbox ${cmd} needs a sandbox ID`);
    return id;
  };
  switch (cmd) {
    case "create": {
      if (id) throw new UsageError(`unexpected argument '${id}'`);
      const sb = await bay.createSandbox({
        profile: values.profile,
        ttlSeconds: intFlag("ttl", values.ttl),
      });
      if (values.json) printJson(sb.info);
      else console.log(sb.id);
      return 0;
    }
    case "list": {
      if (id) throw new UsageError(`unexpected argument '${id}'`);
      const items: SandboxInfo[] = [];
      const status = values.status as SandboxStatus | undefined;
      for await (const s of bay.iterSandboxes({ status, limit: 200 })) items.push(s);
      if (values.json) printJson(items);
      else printTable(HEADER, items.map(row));
      return 0;
    }
    case "get": {
      const sb = await bay.getSandbox(needId());
      if (values.json) printJson(sb.info);
      else describe(sb.info);
      return 0;
    }
    case "delete": {
      await bay.deleteSandbox(needId());
      if (values.json) printJson({ id, deleted: true });
      else console.log(`deleted ${id}`);
      return 0;
    }
    default:
      throw new UsageError(cmd ? `unknown sandbox command '${cmd}'` : "missing sandbox command");
  }
}

/** `bay gc [--task NAME]…`: run GC now (admin key) and print what each task did. */
export async function gc(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...CLIENT_OPTIONS, task: { type: "string", multiple: true } },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const r = await client(values).admin.gcRun(values.task?.length ? values.task : null);
  if (values.json) {
    printJson(r);
  } else {
    printTable(
      ["TASK", "CLEANED", "SKIPPED", "ERRORS"],
      r.results.map((t) => [
        t.task_name,
        String(t.cleaned_count),
        String(t.skipped_count),
        String(t.errors.length),
      ]),
    );
    for (const t of r.results) for (const e of t.errors) console.error(`${t.task_name}: ${e}`);
    console.log(`total cleaned ${r.total_cleaned}, errors ${r.total_errors}, ${r.duration_ms} ms`);
  }
  return r.total_errors > 0 ? 1 : 0;
}
