import { Kernel } from "./kernel.ts";
const dir = await Deno.makeTempDir();
for (let i = 0; i < 25; i++) {
  const k = await Kernel.start({ cwd: dir, runtimeDir: dir });
  await k.execute("x=1", { timeoutMs: 5000 });
  if (i % 3 === 0) {
    const p = k.execute("import time; time.sleep(10)", { timeoutMs: 20000 });
    await new Promise((r) => setTimeout(r, 50 + i * 7));
    Deno.kill(k.pid, "SIGKILL");
    await p.catch(() => {});
  } else if (i % 3 === 1) {
    const p = k.execute("print('y'*100000)", { timeoutMs: 20000 });
    await k.restart();
    await p.catch(() => {});
    await k.execute("1", { timeoutMs: 5000 });
  } else {
    const p = k.execute("while True: print('y'*1000)", { timeoutMs: 300 });
    await p;
  }
  await k.shutdown();
  Deno.stdout.writeSync(new TextEncoder().encode("."));
}
console.log("ok");
await Deno.remove(dir, { recursive: true });
