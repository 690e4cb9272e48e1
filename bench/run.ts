import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Benchmark, BenchResult } from './result.js';
import { run as agent } from './agent.bench.js';
import { run as idcard } from './idcard.bench.js';
import { run as printer } from './printer.bench.js';
import { run as ui } from './ui.bench.js';
import { run as central } from './central.bench.js';
import { run as devices } from './devices.bench.js';
import { run as soak } from './soak.bench.js';
import { run as photo } from './photo.bench.js';

/**
 * `npm run bench`: every benchmark, one after another (they share 2 cores; parallel runs would
 * measure each other). Writes bench-results.json and prints the same rows as a table.
 */
const benchmarks: [string, Benchmark][] = [
  ['agent', agent],
  ['idcard', idcard],
  ['printer', printer],
  ['ui', ui],
  ['central', central],
  ['devices', devices],
  ['soak', soak],
  ['photo', photo],
];

function meetsGoal(r: BenchResult): string {
  if (r.value === null) return 'not run';
  if (!r.goal) return '';
  if ('max' in r.goal) return r.value <= r.goal.max ? 'ok' : 'MISSED';
  return r.value >= r.goal.min ? 'ok' : 'MISSED';
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const results: BenchResult[] = [];
  for (const [name, bench] of benchmarks) {
    if (only.length && !only.includes(name)) continue;
    process.stderr.write(`bench: ${name}…\n`);
    try {
      results.push(...(await bench()));
    } catch (err) {
      process.stderr.write(`bench: ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  }
  writeFileSync(resolve('bench-results.json'), JSON.stringify(results, null, 2) + '\n');
  const fmt = (n: number | null): string => (n === null ? '' : String(n));
  const table = results.map((r) => ({
    name: r.name,
    value: r.value === null ? `not run: ${r.notRun ?? ''}` : `${fmt(r.value)} ${r.unit}`,
    peer: r.peer ? `${r.peer}: ${fmt(r.peerValue)} ${r.unit}` : '',
    goal: r.goal ? ('max' in r.goal ? `≤ ${r.goal.max}` : `≥ ${r.goal.min}`) : '',
    met: meetsGoal(r),
  }));
  console.table(table);
  process.stdout.write(`wrote ${results.length} results to bench-results.json\n`);
}

void main();
