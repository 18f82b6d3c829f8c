/**
 * The few facts `tests/results.ts` needs from Deno's JUnit report
 * (`deno test --junit-path`): every test case and step, its file, time and
 * outcome.
 *
 * @module
 */

/** One test or test step (steps are named `test > step`). */
export interface Case {
  file: string;
  name: string;
  seconds: number;
  status: "passed" | "failed" | "skipped";
  /** First line of the failure message. */
  message: string | null;
}

function unescape(s: string): string {
  return s.replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'").replaceAll("&amp;", "&");
}

function attr(tag: string, name: string): string {
  return unescape(new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1] ?? "");
}

/** Parse a JUnit XML document written by `deno test`. */
export function parseJunit(xml: string): Case[] {
  const out: Case[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const body = m[3] ?? "";
    const failure = /<(failure|error)\b([^>]*)>/.exec(body);
    out.push({
      file: attr(m[1], "classname").replace(/^\.\//, ""),
      name: attr(m[1], "name"),
      seconds: Number(attr(m[1], "time")) || 0,
      status: failure ? "failed" : /<skipped\b/.test(body) ? "skipped" : "passed",
      message: failure ? attr(failure[2], "message").split("\n")[0].slice(0, 200) : null,
    });
  }
  // A step's classname is the file that called `t.step` (maybe a helper): use its test's file.
  const files = new Map(out.filter((c) => !c.name.includes(" > ")).map((c) => [c.name, c.file]));
  for (const c of out) {
    const parent = c.name.split(" > ")[0];
    if (c.name.includes(" > ") && files.has(parent)) c.file = files.get(parent)!;
  }
  return out;
}
