import { Kernel } from "./kernel.ts";
const dir = await Deno.makeTempDir();
const t0 = performance.now();
const k = await Kernel.start({ cwd: dir, runtimeDir: dir });
console.log("start ms", (performance.now() - t0).toFixed(0));
for (let i = 0; i < 20; i++) await k.execute("1+1", { timeoutMs: 5000 });
const ts: number[] = [];
for (let i = 0; i < 100; i++) {
  const s = performance.now();
  const r = await k.execute("1+1", { timeoutMs: 5000 });
  ts.push(performance.now() - s);
  if (r.output !== "2") throw new Error(r.output);
}
ts.sort((a, b) => a - b);
console.log("p50", ts[50].toFixed(2), "p90", ts[90].toFixed(2), "max", ts[99].toFixed(2));
const rss0 = Deno.memoryUsage().rss;
let peak = rss0;
const iv = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 50);
const s = performance.now();
let evs = 0;
const r = await k.execute("while True:\n    print('y' * 1000)", {
  timeoutMs: 3000,
  onEvent: () => evs++,
});
console.log(
  "flood took",
  (performance.now() - s).toFixed(0),
  "out len",
  r.output.length,
  r.output.slice(-60),
  "events",
  evs,
  "timed_out",
  r.timed_out,
  r.error,
);
clearInterval(iv);
console.log("rss MB before", (rss0 / 1e6).toFixed(0), "peak", (peak / 1e6).toFixed(0));
const s2 = performance.now();
const r2 = await k.execute(
  "import time\nt=time.time()\nwhile time.time()-t<5:\n    print('y'*1000)",
  { timeoutMs: 30000 },
);
console.log(
  "5s flood no timeout took",
  (performance.now() - s2).toFixed(0),
  r2.output.length,
  r2.truncated,
  "peak",
  (Math.max(peak, Deno.memoryUsage().rss) / 1e6).toFixed(0),
);
await k.shutdown();
await Deno.remove(dir, { recursive: true });
