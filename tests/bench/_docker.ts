/**
 * Section 7: the docker driver against plain docker. Cold: time to first
 * exec through Bay (`POST /v1/sandboxes` → python `print(1)`, and shell
 * `true`) versus `docker run --rm --network none` of the same image running a
 * jupyter kernel start plus `print(1)` (timed until `1` is printed). Exec:
 * round trips through Bay (shell `true`, python `1+1`) on one docker sandbox
 * versus `docker exec <container> true` into an idle container of the image.
 *
 * @module
 */
import { join } from "node:path";
import { startBay } from "./_bay.ts";
import { BayClient } from "./_client.ts";
import { info, ms, type Section, skipped } from "./_extra_rows.ts";
import { round, summarize } from "./_stats.ts";
import { reapDockerUnder } from "./_warm_pool.ts";

/** The runtime image of the docker driver. */
export const IMAGE = "shipyard-neo/ship:latest";
/** Cold first exec through Bay at most this many times plain `docker run`. */
export const DOCKER_COLD_RATIO_MAX = 1.2;

/**
 * The baseline's program: start an IPython kernel with jupyter_client (as the
 * ship does through its own ZMQ client), execute `print(1)`, wait for the
 * output. The container is torn down after the timed part.
 */
const KERNEL_PRINT = [
  "from jupyter_client.manager import start_new_kernel",
  "km, kc = start_new_kernel()",
  "kc.execute_interactive('print(1)', timeout=60)",
  "import sys; sys.stdout.flush()",
  "km.shutdown_kernel(now=True)",
].join("\n");

async function run(cmd: string[]): Promise<{ code: number; out: string }> {
  const o = await new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "piped", stderr: "piped" })
    .output();
  const dec = new TextDecoder();
  return { code: o.code, out: dec.decode(o.stdout) + dec.decode(o.stderr) };
}

/** Why docker cannot be benchmarked, or null when it can. */
export async function dockerUnavailable(): Promise<string | null> {
  try {
    if ((await run(["docker", "info", "--format", "{{.ServerVersion}}"])).code !== 0) {
      return "dockerd does not answer";
    }
    if ((await run(["docker", "image", "inspect", IMAGE])).code !== 0) return `no image ${IMAGE}`;
    return null;
  } catch {
    return "no docker CLI";
  }
}

/** `docker run --rm` of the kernel start: ms until its `1` line appears. */
async function dockerRunKernel(): Promise<number> {
  const t0 = performance.now();
  const child = new Deno.Command("docker", {
    args: [
      "run",
      "--rm",
      "--network",
      "none",
      "--entrypoint",
      "python3",
      IMAGE,
      "-c",
      KERNEL_PRINT,
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  let seen = -1;
  let buf = "";
  for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
    buf += text;
    if (seen < 0 && /^1$/m.test(buf)) seen = performance.now() - t0;
  }
  const st = await child.status;
  if (seen < 0) throw new Error(`docker run kernel baseline failed (code ${st.code}): ${buf}`);
  return seen;
}

/** Run the docker comparison (`coldN` cold starts each side, `execN` round trips each). */
export async function measureDocker(root: string, coldN: number, execN: number): Promise<Section> {
  const why = await dockerUnavailable();
  if (why) {
    return { rows: [skipped("docker driver comparison", why)], json: { skipped: why } };
  }
  const bay = await startBay(join(root, "docker"), 120_000, { driver: "docker" });
  let idle: string | null = null;
  try {
    const client = new BayClient(bay.url, bay.apiKey);
    // Untimed warm-up: the image is in the page cache, Bay's docker client connected.
    await dockerRunKernel();
    const first = await client.createSandbox();
    await client.python(first, "print(1)");
    await client.deleteSandbox(first);

    const bayPy: number[] = [];
    const bayShell: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < coldN; i++) {
      // Interleaved so load from elsewhere hits both sides alike.
      plain.push(await dockerRunKernel());
      for (const [out, call] of [[bayPy, "py"], [bayShell, "sh"]] as const) {
        const t0 = performance.now();
        const id = await client.createSandbox();
        const r = call === "py"
          ? await client.python(id, "print(1)")
          : await client.shell(id, "true");
        out.push(performance.now() - t0);
        if (!r.success) throw new Error(`docker first exec → ${JSON.stringify(r)}`);
        await client.deleteSandbox(id);
      }
    }

    // Exec round trips.
    const sb = await client.createSandbox();
    const started = await run([
      "docker",
      "run",
      "-d",
      "--rm",
      "--network",
      "none",
      "--entrypoint",
      "sleep",
      IMAGE,
      "3600",
    ]);
    if (started.code !== 0) throw new Error(`docker run -d: ${started.out}`);
    idle = started.out.trim().split("\n").at(-1)!;
    const sh: number[] = [];
    const py: number[] = [];
    const dexec: number[] = [];
    for (let i = 0; i < 3; i++) {
      await client.shell(sb, "true");
      await client.python(sb, "1+1");
      await run(["docker", "exec", idle, "true"]);
    }
    for (let i = 0; i < execN; i++) {
      let t0 = performance.now();
      await client.shell(sb, "true");
      sh.push(performance.now() - t0);
      t0 = performance.now();
      await client.python(sb, "1+1");
      py.push(performance.now() - t0);
      t0 = performance.now();
      const r = await run(["docker", "exec", idle, "true"]);
      dexec.push(performance.now() - t0);
      if (r.code !== 0) throw new Error(`docker exec: ${r.out}`);
    }
    await client.deleteSandbox(sb);

    const p = summarize(bayPy), s = summarize(bayShell), d = summarize(plain);
    const ratio = p.median / d.median;
    const e = { sh: summarize(sh), py: summarize(py), d: summarize(dexec) };
    return {
      rows: [
        {
          metric: `docker first exec python print(1) ms (n=${p.n}, cold)`,
          bay: ms(p.median),
          direct: `${ms(d.median)} docker run`,
          ratio: `${ratio.toFixed(2)}x`,
          target: `<= ${DOCKER_COLD_RATIO_MAX}x`,
          ok: ratio <= DOCKER_COLD_RATIO_MAX,
        },
        info(`docker first exec shell true ms (n=${s.n}, cold)`, ms(s.median)),
        info(
          `docker exec shell true p50 ms (n=${e.sh.n})`,
          ms(e.sh.median),
          `${ms(e.d.median)} docker exec`,
          `${(e.sh.median / e.d.median).toFixed(2)}x`,
        ),
        info(
          `docker exec python 1+1 p50 ms (n=${e.py.n})`,
          ms(e.py.median),
          `${ms(e.d.median)} docker exec`,
          `${(e.py.median / e.d.median).toFixed(2)}x`,
        ),
      ],
      json: {
        image: IMAGE,
        cold: {
          bay_python_ms: bayPy.map((v) => round(v, 1)),
          bay_shell_ms: bayShell.map((v) => round(v, 1)),
          docker_run_kernel_ms: plain.map((v) => round(v, 1)),
          ratio: round(ratio, 3),
          target_ratio_max: DOCKER_COLD_RATIO_MAX,
        },
        exec: {
          bay_shell_true_ms: round(e.sh.median, 2),
          bay_python_1_plus_1_ms: round(e.py.median, 2),
          docker_exec_true_ms: round(e.d.median, 2),
          samples: {
            bay_shell_true_ms: sh.map((v) => round(v, 2)),
            bay_python_1_plus_1_ms: py.map((v) => round(v, 2)),
            docker_exec_true_ms: dexec.map((v) => round(v, 2)),
          },
        },
      },
    };
  } catch (e) {
    console.error(`[bench] docker Bay log tail:\n${bay.logTail().slice(-3000)}`);
    throw e;
  } finally {
    if (idle) await run(["docker", "rm", "-f", idle]).catch(() => {});
    await bay.stop();
    const leaked = await reapDockerUnder(join(root, "docker")).catch(() => []);
    if (leaked.length) {
      console.error(`[bench] docker: removed ${leaked.length} leftover container(s)`);
    }
  }
}
