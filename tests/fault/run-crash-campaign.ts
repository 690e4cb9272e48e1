/**
 * `npm run test:fault`: the crash campaign. Every journal step of every scenario once, then random
 * plans (journal steps, crashes inside start-up recovery, kills at random times) up to --runs
 * (default 200), spread over --lanes independent kiosks. Prints progress, then
 * `N crashes, 0 lost, 0 double-credited`; exit 0 only when every invariant held.
 *
 *   tsx tests/fault/run-crash-campaign.ts [--runs 200] [--lanes 2] [--seed 1] [--quiet]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { everyStepPlans, randomPlans, runCampaign } from './crash-harness.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: process.env.KIOSK_FAULT_RUNS ?? '200' },
    lanes: { type: 'string', default: process.env.KIOSK_FAULT_LANES ?? '2' },
    seed: { type: 'string', default: process.env.KIOSK_FAULT_SEED ?? String(Date.now() % 100_000) },
    quiet: { type: 'boolean', default: false },
  },
});

async function main(): Promise<number> {
  const runs = Number(values.runs);
  const lanes = Number(values.lanes);
  const seed = Number(values.seed);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(lanes) || lanes < 1 || lanes > 16 || !Number.isFinite(seed)) {
    process.stderr.write('usage: run-crash-campaign.ts [--runs N ≥ 1] [--lanes 1..16] [--seed N]\n');
    return 2;
  }
  const steps = everyStepPlans();
  const plans = [...steps, ...randomPlans(Math.max(0, runs - steps.length), seed)].slice(0, Math.max(runs, 1));
  const baseDir = mkdtempSync(join(tmpdir(), 'kiosk-crash-campaign-'));
  const started = Date.now();
  process.stdout.write(`crash campaign: ${plans.length} runs on ${lanes} lanes, seed ${seed}\n`);
  const r = await runCampaign({
    plans,
    lanes,
    baseDir,
    ...(values.quiet ? {} : { log: (line: string) => process.stdout.write(`${line}\n`) }),
  });
  const secs = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`paid orders ${r.violations.paid}, left pending ${r.violations.pending}, ${secs} s\n`);
  for (const p of r.violations.problems) process.stdout.write(`PROBLEM ${p}\n`);
  process.stdout.write(`${r.line}\n`);
  if (r.ok) rmSync(baseDir, { recursive: true, force: true });
  else process.stdout.write(`kept the lanes' data in ${baseDir} (seed ${seed})\n`);
  return r.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`crash campaign failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
