/**
 * Benchmark settings from the environment (all optional).
 *
 * @module
 */

/** What to run and where to write the results. */
export interface Options {
  /** JSON results file (`BENCH_OUT`). */
  out: string;
  /** Fresh sandboxes per first-exec variant (`BENCH_FIRST_N`). */
  firstN: number;
  /** Timed exec round trips per operation (`BENCH_EXEC_N`). */
  execN: number;
  /** Untimed exec rounds first (`BENCH_EXEC_WARMUP`). */
  execWarmup: number;
  /** Large transfer size in MiB (`BENCH_TRANSFER_MIB`). */
  transferMiB: number;
  /** Small transfer size in MiB, for the memory comparison (`BENCH_SMALL_MIB`). */
  smallMiB: number;
  /** Repetitions of each transfer (`BENCH_TRANSFER_REPS`). */
  transferReps: number;
  /** Sequential warm-pool claims per driver (`BENCH_WARM_N`). */
  warmN: number;
  /** Sandboxes fired at once in the burst (`BENCH_BURST`; 0 skips it). */
  burst: number;
  /** Cold starts per side of the docker comparison (`BENCH_DOCKER_COLD_N`). */
  dockerColdN: number;
  /** Exec round trips per operation in the docker comparison (`BENCH_DOCKER_EXEC_N`). */
  dockerExecN: number;
  /** Skip the docker sections (`BENCH_DOCKER=0`). */
  docker: boolean;
}

function int(name: string, fallback: number, min: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return v;
}

/** Read the options. */
export function readOptions(): Options {
  return {
    out: Deno.env.get("BENCH_OUT") || "tests/bench/results/latest.json",
    firstN: int("BENCH_FIRST_N", 5, 1),
    execN: int("BENCH_EXEC_N", 200, 1),
    execWarmup: int("BENCH_EXEC_WARMUP", 20, 0),
    transferMiB: int("BENCH_TRANSFER_MIB", 256, 1),
    smallMiB: int("BENCH_SMALL_MIB", 32, 1),
    transferReps: int("BENCH_TRANSFER_REPS", 5, 1),
    warmN: int("BENCH_WARM_N", 10, 1),
    burst: int("BENCH_BURST", 100, 0),
    dockerColdN: int("BENCH_DOCKER_COLD_N", 5, 1),
    dockerExecN: int("BENCH_DOCKER_EXEC_N", 30, 1),
    docker: Deno.env.get("BENCH_DOCKER") !== "0",
  };
}
