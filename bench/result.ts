/** One row of `bench-results.json`; the shape is an interface other teams read. */
export interface BenchResult {
  name: string;
  /** null only when the row was not run (see `notRun`). */
  value: number | null;
  unit: string;
  /** What the figure is compared against (a peer library, the physical limit), or null. */
  peer: string | null;
  peerValue: number | null;
  /** Same unit as `value`. */
  goal: { max: number } | { min: number } | null;
  /** Why a row has no value, e.g. "PostgreSQL store not available" (a row is never faked). */
  notRun?: string;
}

/** A benchmark module exports `run`; bench/run.ts lists the modules. */
export type Benchmark = () => Promise<BenchResult[]>;
