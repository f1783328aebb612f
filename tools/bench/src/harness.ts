/**
 * Timing: warm up and calibrate each side, then take rounds of one sample per side, alternating
 * which side goes first, and report the median. The machines are shared and noisy, so the median
 * of interleaved samples is worth more than the mean of a long run.
 *
 * Each sample is timed on two clocks: wall time, and the process's CPU time (user + system, all
 * threads). On a machine where other jobs take the CPU away from us, CPU time still counts only
 * the work done, so it is the default; both are reported.
 */
import { performance } from "node:perf_hooks";

/** One side of a comparison. `run(n)` does the work `n` times and returns a checksum. */
export interface Contender {
  readonly name: string;
  run(iterations: number): number | Promise<number>;
}

export interface TimingOptions {
  /** Measured rounds; each has one sample of each side. */
  readonly rounds: number;
  /** Time a sample should take, by the chosen clock. */
  readonly sampleSeconds: number;
  /** Time spent warming up each side before the rounds (JIT, caches). */
  readonly warmupSeconds: number;
  /** Which clock the rates and the calibration use. */
  readonly clock: Clock;
}

export type Clock = "cpu" | "wall";

export interface SideResult {
  readonly name: string;
  /** Iterations per second of each round by the chosen clock, in round order. */
  readonly rates: readonly number[];
  /** Median of `rates`. */
  readonly median: number;
  /** Iterations per second of each round by the other clock. */
  readonly otherRates: readonly number[];
  readonly iterationsPerSample: number;
}

interface Elapsed {
  readonly cpu: number;
  readonly wall: number;
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

// Every checksum lands here, so no run can be optimised away as dead code.
let sink = 0;

/** The accumulated checksums; reading it keeps them alive. */
export function checksum(): number {
  return sink;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  // biome-ignore lint/style/noNonNullAssertion: the index is in range
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Seconds taken by `iterations` runs. No forced GC before a sample: a full GC shrinks the young
 * generation, so the next sample of an allocating side pays for many more (parallel) scavenges,
 * and the sweeper threads it leaves behind run into the sample. Measured, that made smtp-server's
 * DATA side up to a third slower than without; one GC before each comparison is enough.
 */
async function sample(side: Contender, iterations: number): Promise<Elapsed> {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const result = side.run(iterations);
  sink = (sink + (typeof result === "number" ? result : await result)) | 0;
  const used = process.cpuUsage(cpu);
  return { cpu: (used.user + used.system) / 1e6, wall: (performance.now() - wall) / 1000 };
}

/** Warm up for about `warmupSeconds` and return the iterations that take about `sampleSeconds`. */
async function calibrate(side: Contender, options: TimingOptions): Promise<number> {
  let iterations = 1;
  let elapsed = (await sample(side, iterations))[options.clock];
  while (elapsed < 0.05) {
    iterations *= 2;
    elapsed = (await sample(side, iterations))[options.clock];
  }
  let rate = iterations / elapsed;
  const deadline = performance.now() + options.warmupSeconds * 1000;
  while (performance.now() < deadline) {
    rate = iterations / (await sample(side, iterations))[options.clock];
  }
  return Math.max(1, Math.round(rate * options.sampleSeconds));
}

/** Measure two sides on the same work, alternating which goes first in each round. */
export async function compare(
  a: Contender,
  b: Contender,
  options: TimingOptions,
): Promise<readonly [SideResult, SideResult]> {
  gc?.();
  const nA = await calibrate(a, options);
  const nB = await calibrate(b, options);
  const elapsedA: Elapsed[] = [];
  const elapsedB: Elapsed[] = [];
  for (let round = 0; round < options.rounds; round++) {
    if (round % 2 === 0) {
      elapsedA.push(await sample(a, nA));
      elapsedB.push(await sample(b, nB));
    } else {
      elapsedB.push(await sample(b, nB));
      elapsedA.push(await sample(a, nA));
    }
  }
  const other: Clock = options.clock === "cpu" ? "wall" : "cpu";
  const result = (side: Contender, n: number, elapsed: readonly Elapsed[]): SideResult => {
    const rates = elapsed.map((e) => n / e[options.clock]);
    const otherRates = elapsed.map((e) => n / e[other]);
    return { name: side.name, rates, median: median(rates), otherRates, iterationsPerSample: n };
  };
  return [result(a, nA, elapsedA), result(b, nB, elapsedB)];
}
