import { Kernel } from "./kernel.ts";
const dir = await Deno.makeTempDir();
await Deno.chmod(dir, 0o777);
const run = await Deno.makeTempDir();
await Deno.chmod(run, 0o755);
const k = await Kernel.start({
  cwd: dir,
  runtimeDir: run,
  wrap: ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
  env: { FOO: "bar" },
});
const r = await k.execute(
  "import os, matplotlib.pyplot as plt\nprint(os.getuid(), os.getcwd(), os.environ.get('FOO'), os.environ.get('HOME'), sorted(os.environ))\nplt.plot([1]); plt.show()",
  { timeoutMs: 10000 },
);
console.log(r.output, r.images.length, r.error);
const t = await k.execute("import time; time.sleep(30)", { timeoutMs: 1000 });
console.log(t.error, t.timed_out);
console.log(
  (await k.execute(
    "'_LIMIT' in globals(), '_write' in globals(), 'kernelapp' in globals(), 'sys' in globals()",
    { timeoutMs: 5000 },
  )).output,
);
await k.shutdown();
console.log([...Deno.readDirSync(run)]);
await Deno.remove(dir, { recursive: true });
await Deno.remove(run, { recursive: true });
