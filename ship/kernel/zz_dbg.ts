import { Kernel } from "./kernel.ts";
const dir = await Deno.makeTempDir();
const k = await Kernel.start({ cwd: dir, runtimeDir: dir });
const r = await k.execute(
  "print('before')\nfrom IPython.display import display\ndisplay({'text/plain': 'x'*40_000_000}, raw=True)\nprint('after')\n7",
  { timeoutMs: 20000 },
);
console.log(r.output.slice(0, 300));
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const r = await k.execute("1+1", { timeoutMs: 5000 });
  console.log((performance.now() - t0).toFixed(0), JSON.stringify(r.output));
  await new Promise((r) => setTimeout(r, 500));
}
await k.shutdown();
await Deno.remove(dir, { recursive: true });
