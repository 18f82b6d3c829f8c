import { openPostgres } from "./postgres.ts";
import { StoreUnavailableError } from "./errors.ts";
const db = await openPostgres("postgres://bay:bay@127.0.0.1:5433/scratch", { max: 4, connectTimeout: 2 });
await db.exec("drop table if exists c; create table c(id int primary key, n int); insert into c values (1,0)");
const counts = new Map<string, number>();
let stop = false;
const note = (e: unknown) => {
  const k = e instanceof StoreUnavailableError ? "unavailable:" + ((e.cause as any)?.code ?? "") : "OTHER:" + String(e);
  counts.set(k, (counts.get(k) ?? 0) + 1);
};
let ok = 0;
const worker = async () => {
  while (!stop) {
    try {
      await db.transaction(async (tx) => {
        const [r] = await tx.query<{ n: number }>("select n from c where id=1 for update");
        await new Promise((r) => setTimeout(r, 2));
        await tx.query("update c set n=$1 where id=1", [r.n + 1]);
      });
      await db.query("select pg_sleep(0.001)");
      ok++;
    } catch (e) { note(e); await new Promise((r) => setTimeout(r, 50)); }
  }
};
const ws = [worker(), worker(), worker(), worker()];
await new Promise((r) => setTimeout(r, 500));
console.log("ok before", ok);
await new Deno.Command("pg_ctlcluster", { args: ["15", "scratch", "restart", "-m", "fast"] }).output();
console.log("restarted");
await new Promise((r) => setTimeout(r, 1500));
const okAfterRestart = ok;
await new Promise((r) => setTimeout(r, 1000));
console.log("ok progressing after restart:", ok > okAfterRestart, ok);
await new Deno.Command("pg_ctlcluster", { args: ["15", "scratch", "stop", "-m", "fast"] }).output();
await new Promise((r) => setTimeout(r, 1500));
await new Deno.Command("pg_ctlcluster", { args: ["15", "scratch", "start"] }).output();
const o2 = ok;
await new Promise((r) => setTimeout(r, 2000));
console.log("ok progressing after stop/start:", ok > o2, ok);
stop = true;
await Promise.all(ws);
console.log(counts);
const [c] = await db.query<{ n: number }>("select n from c");
console.log("counter", c.n, "ok", ok);
const t = performance.now();
await db.close();
console.log("close ms", Math.round(performance.now() - t));
