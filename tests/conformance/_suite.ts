/**
 * The driver conformance suite: the same scenarios against every driver,
 * through a real in-process Bay (so the ship, the channel and the session
 * manager are exercised too). A driver that cannot support a case declares
 * the skip with its reason; a declared skip that the driver's capabilities
 * contradict fails (stale skip), and so does an undeclared one.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { DriverCapabilities } from "../../bay/drivers/driver.ts";
import { type TestBay, testBay } from "../../bay/testing.ts";

/** Cases that depend on a capability. */
export const CAPABILITY_CASES = {
  memory_limit: (c: DriverCapabilities) => c.memoryLimit,
  pids_limit: (c: DriverCapabilities) => c.pidsLimit,
  disk_quota: (c: DriverCapabilities) => c.diskQuota,
  network_none: (c: DriverCapabilities) => c.networkModes.includes("none"),
  network_outbound: (c: DriverCapabilities) =>
    c.networkModes.includes("bridge") || c.networkModes.includes("host"),
} as const;
/** A capability-bound case. */
export type CapabilityCase = keyof typeof CAPABILITY_CASES;

/** How to run the suite against one driver. */
export interface DriverUnderTest {
  kind: "fake" | "local" | "docker" | "kubernetes";
  /** Network mode that gives outbound network on this driver. */
  outboundMode: "bridge" | "host";
  /** Extra `BAY_*` settings for this driver. */
  env?: Record<string, string>;
  /** Declared skips, with the reason. */
  skips: Partial<Record<CapabilityCase, string>>;
  /** Kill a runtime abruptly (SIGKILL of its processes / container). */
  crash(t: TestBay, runtimeId: string, sessionId: string): Promise<void>;
}

const profiles = (outbound: string) => `
profiles:
  - id: python-default
  - id: net
    network: ${outbound}
  - id: small
    memoryMb: 128
    pidsLimit: 64
`;

type Json = Record<string, unknown>;

async function call(t: TestBay, m: string, p: string, body?: unknown): Promise<[number, Json]> {
  const r = await t.request(m, p, { body });
  const text = await r.text();
  return [r.status, text ? JSON.parse(text) : {}];
}

async function sh(t: TestBay, id: string, command: string, timeout = 30): Promise<Json> {
  const [status, body] = await call(t, "POST", `/v1/sandboxes/${id}/shell/exec`, {
    command,
    timeout,
  });
  assert.equal(status, 200, `shell ${command}: ${JSON.stringify(body)}`);
  return body;
}

async function sandbox(t: TestBay, profile = "python-default"): Promise<Json> {
  const [status, body] = await call(t, "POST", "/v1/sandboxes", { profile });
  assert.equal(status, 201, JSON.stringify(body));
  return body;
}

async function runtimeOf(t: TestBay, sandboxId: string) {
  const rts = await t.anyDriver.listRuntimes();
  return rts.filter((r) => r.sandboxId === sandboxId && r.state === "running");
}

/** Register the suite for one driver. */
export function conformance(d: DriverUnderTest): void {
  const name = (c: string) => `conformance[${d.kind}]: ${c}`;
  const withBay = (fn: (t: TestBay) => Promise<void>) => async () => {
    const t = await testBay({
      driver: d.kind,
      ships: d.kind === "fake",
      configYaml: profiles(d.outboundMode),
      env: d.env,
    });
    try {
      await fn(t);
    } finally {
      await t.close();
    }
  };

  Deno.test(
    name("start on first call, stop, start again"),
    withBay(async (t) => {
      const sb = await sandbox(t);
      assert.equal((await runtimeOf(t, sb.id as string)).length, 0, "no compute before a call");
      const r = await sh(t, sb.id as string, "echo hello");
      assert.equal(r.output, "hello\n");
      const [, got] = await call(t, "GET", `/v1/sandboxes/${sb.id}`);
      assert.equal(got.status, "ready");
      assert.equal((got.containers as Json[])[0].healthy, true);
      assert.equal((await runtimeOf(t, sb.id as string)).length, 1);
      assert.deepEqual(await call(t, "POST", `/v1/sandboxes/${sb.id}/stop`), [200, {
        status: "stopped",
      }]);
      assert.equal((await runtimeOf(t, sb.id as string)).length, 0, "runtime gone after stop");
      assert.equal((await sh(t, sb.id as string, "echo again")).output, "again\n");
    }),
  );

  Deno.test(
    name("cargo persists across sessions"),
    withBay(async (t) => {
      const sb = await sandbox(t);
      await sh(t, sb.id as string, "mkdir -p d && echo kept > d/f.txt");
      await call(t, "POST", `/v1/sandboxes/${sb.id}/stop`);
      assert.equal((await sh(t, sb.id as string, "cat d/f.txt")).output, "kept\n");
      assert.ok((await t.anyDriver.listCargos()).includes(sb.cargo_id as string));
    }),
  );

  Deno.test(
    name("a crashed runtime is detected and replaced, files intact"),
    withBay(async (t) => {
      const sb = await sandbox(t);
      await sh(t, sb.id as string, "echo before > f.txt");
      const [rt] = await runtimeOf(t, sb.id as string);
      const started = Date.now();
      const pending = call(t, "POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
        command: "sleep 20",
        timeout: 30,
      });
      await new Promise((r) => setTimeout(r, 300));
      await d.crash(t, rt.runtimeId, rt.sessionId!);
      const [status, body] = await pending;
      assert.equal(status, 502, JSON.stringify(body));
      assert.equal((body.error as Json).code, "ship_error");
      assert.ok(Date.now() - started < 15_000, "pending call failed promptly");
      const t1 = Date.now();
      const after = await sh(t, sb.id as string, "cat f.txt");
      assert.ok(Date.now() - t1 < 10_000, `recovery took ${Date.now() - t1} ms`);
      assert.equal(after.output, "before\n");
      const [again] = await runtimeOf(t, sb.id as string);
      assert.notEqual(again.runtimeId, rt.runtimeId, "a new runtime serves the sandbox");
    }),
  );

  Deno.test(
    name("runtimes and cargos are listed with their labels; delete cleans up"),
    withBay(async (t) => {
      const sb = await sandbox(t);
      await sh(t, sb.id as string, "true");
      const [rt] = await runtimeOf(t, sb.id as string);
      assert.equal(rt.cargoId, sb.cargo_id);
      assert.match(rt.sessionId ?? "", /^sess-/);
      assert.equal(await call(t, "DELETE", `/v1/sandboxes/${sb.id}`).then((x) => x[0]), 204);
      assert.equal((await runtimeOf(t, sb.id as string)).length, 0);
      assert.ok(!(await t.anyDriver.listCargos()).includes(sb.cargo_id as string), "cargo removed");
      const info = await t.anyDriver.inspect(rt.runtimeId);
      assert.notEqual(info.state, "running");
    }),
  );

  for (
    const [c, supported] of Object.entries(CAPABILITY_CASES) as [
      CapabilityCase,
      (x: DriverCapabilities) => boolean,
    ][]
  ) {
    const reason = d.skips[c];
    if (reason !== undefined) {
      Deno.test(
        name(`${c}: declared skip (${reason}) matches the driver's capabilities`),
        withBay((t) => {
          assert.equal(
            supported(t.anyDriver.capabilities),
            false,
            `stale skip: ${d.kind} supports ${c}`,
          );
          return Promise.resolve();
        }),
      );
      continue;
    }
    Deno.test(
      name(c),
      withBay(async (t) => {
        assert.ok(supported(t.anyDriver.capabilities), `${d.kind} lacks ${c} but declares no skip`);
        await CASE_BODIES[c](t);
      }),
    );
  }
}

const CASE_BODIES: Record<CapabilityCase, (t: TestBay) => Promise<void>> = {
  async memory_limit(t) {
    const sb = await sandbox(t, "small");
    const [status, body] = await call(t, "POST", `/v1/sandboxes/${sb.id}/python/exec`, {
      code: "x = bytearray(600 * 1024 * 1024)\nprint('allocated')",
      timeout: 60,
    });
    const failed = status === 502 || (status === 200 && body.success === false);
    assert.ok(
      failed,
      `a 600 MiB allocation under a 128 MiB limit must fail: ${status} ${JSON.stringify(body)}`,
    );
    assert.ok(!String(body.output ?? "").includes("allocated"));
    const ok = await sh(t, sb.id as string, "echo alive");
    assert.equal(ok.output, "alive\n", "the sandbox survives");
  },
  async pids_limit(t) {
    const sb = await sandbox(t, "small");
    await sh(t, sb.id as string, "echo kept > f.txt");
    // A real fork bomb. Either the exec reports the failure, or the bomb also
    // starved the ship (it shares the pids budget) and the call fails with
    // ship_error; in both cases the limit holds and the sandbox keeps working.
    const [status, body] = await call(t, "POST", `/v1/sandboxes/${sb.id}/shell/exec`, {
      // Builtins only after the bomb: read the cgroup's process count without forking.
      command: "bomb() { bomb | bomb & }; bomb; sleep 2; " +
        "for f in /sys/fs/cgroup/pids/pids.current /sys/fs/cgroup/pids.current; do " +
        '[ -r "$f" ] && { read -r n < "$f"; echo "$n"; }; done',
      timeout: 10,
    });
    if (status === 200) {
      const n = Number(String(body.output).trim().split("\n")[0]);
      assert.ok(n > 0 && n <= 64, `process count ${body.output} within the limit of 64`);
    } else {
      assert.equal(status, 502, JSON.stringify(body));
      assert.equal((body.error as Json).code, "ship_error");
    }
    const ok = await sh(t, sb.id as string, "cat f.txt");
    assert.equal(ok.output, "kept\n", "the sandbox survives a fork bomb with its files");
  },
  async disk_quota(t) {
    const [, small] = await call(t, "POST", "/v1/cargos", { size_limit_mb: 16 });
    const [, sbA] = await call(t, "POST", "/v1/sandboxes", { cargo_id: small.id });
    const other = await sandbox(t);
    const ok = await sh(t, sbA.id as string, "head -c 8M /dev/zero > keep.bin && echo ok");
    assert.equal(ok.output, "ok\n");
    const full = await sh(t, sbA.id as string, "head -c 32M /dev/zero > big.bin");
    assert.equal(full.success, false, "writing past the cargo limit fails");
    assert.match(String(full.error), /No space left/i);
    const kept = await sh(t, sbA.id as string, "stat -c %s keep.bin");
    assert.equal(kept.output, `${8 * 1024 * 1024}\n`, "existing files are intact");
    const upload = await t.request("PUT", `/v1/sandboxes/${sbA.id}/filesystem/files`, {
      body: { path: "more.txt", content: "x".repeat(12 * 1024 * 1024) },
    });
    assert.ok(upload.status >= 400, `file API write past the limit fails: ${upload.status}`);
    await upload.body?.cancel();
    const elsewhere = await sh(t, other.id as string, "head -c 20M /dev/zero > f.bin && echo ok");
    assert.equal(elsewhere.output, "ok\n", "another cargo is not affected");
  },
  async network_none(t) {
    const sb = await sandbox(t);
    const r = await sh(t, sb.id as string, "tail -n +3 /proc/net/dev | cut -d: -f1");
    assert.equal(String(r.output).trim(), "lo", "only loopback without network");
  },
  async network_outbound(t) {
    const sb = await sandbox(t, "net");
    const r = await sh(t, sb.id as string, "tail -n +3 /proc/net/dev | cut -d: -f1");
    const ifaces = String(r.output).trim().split(/\s+/);
    assert.ok(ifaces.some((i) => i !== "lo"), `an interface besides lo: ${ifaces}`);
  },
};
