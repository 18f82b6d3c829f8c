/**
 * `bay exec python|shell SANDBOX CODE…`: output streamed to the terminal as
 * it is produced; the exit code is the command's (python: 1 on an exception).
 *
 * @module
 */
import { client, intFlag, printJson, UsageError, writeAll } from "./_common.ts";

/** Usage of exec. */
export const EXEC_USAGE = `usage:
  bay exec python SANDBOX CODE... [--timeout SECONDS] [--json]
  bay exec shell SANDBOX COMMAND... [--timeout SECONDS] [--json]
  (CODE omitted or '-': read from stdin; options go before CODE; '--' ends options)`;

const VALUED = new Set(["--endpoint", "--key", "--timeout"]);

/** Options until the code starts; the first word after KIND and SANDBOX starts the code. */
function split(args: string[]) {
  const opts: Record<string, string | boolean> = {};
  const pos: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("--")) {
      if (pos.length >= 2) break;
      pos.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (VALUED.has(name)) {
      const v = eq > 0 ? a.slice(eq + 1) : args[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      opts[name.slice(2)] = v;
    } else if (name === "--json" && eq < 0) opts.json = true;
    else if (pos.length >= 2) break; // a code word such as --version
    else throw new UsageError(`unknown option '${a}'`);
  }
  return { opts, pos, code: args.slice(i) };
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const t of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) text += t;
  return text;
}

/** `bay exec …`. */
export async function exec(args: string[]): Promise<number> {
  const { opts, pos, code: words } = split(args);
  const [kind, id] = pos;
  if (kind !== "python" && kind !== "shell") {
    throw new UsageError(kind ? `unknown exec kind '${kind}'` : "missing exec kind");
  }
  if (!id) throw new UsageError("missing SANDBOX");
  const code = words.length === 0 || (words.length === 1 && words[0] === "-")
    ? await readStdin()
    : words.join(" ");
  const endpoint = opts.endpoint as string | undefined;
  const key = opts.key as string | undefined;
  const timeout = intFlag("timeout", opts.timeout as string | undefined, 1);
  const sb = await client({ endpoint, key }).getSandbox(id);
  const stream = {
    onStdout: (t: string) => writeAll(Deno.stdout, t),
    onStderr: (t: string) => writeAll(Deno.stderr, t),
    execTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
  };
  if (kind === "shell") {
    const r = await sb.shell.exec(
      code,
      opts.json ? { execTimeoutMs: stream.execTimeoutMs } : stream,
    );
    if (opts.json) printJson(r);
    if (r.exit_code < 0) {
      console.error("bay: the command timed out");
      return 124;
    }
    return r.exit_code & 0xff;
  }
  const r = await sb.python.exec(
    code,
    opts.json ? { execTimeoutMs: stream.execTimeoutMs } : stream,
  );
  if (opts.json) printJson(r);
  else if (!r.success && r.error) {
    writeAll(Deno.stderr, r.error.endsWith("\n") ? r.error : `${r.error}\n`);
  }
  return r.success ? 0 : 1;
}
