/** One row of `bench-results.json`; the shape is an interface other teams read. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** What the figure is compared against (a peer library, the physical limit), or null. */
  peer: string | null;
  peerValue: number | null;
  /** Same unit as `value`. */
  goal: { max: number } | { min: number } | null;
}

/** A benchmark module exports `run`; bench/run.ts lists the modules. */
export type Benchmark = () => Promise<BenchResult[]>;
