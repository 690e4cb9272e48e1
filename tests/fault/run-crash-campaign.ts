/**
 * `npm run test:fault`: the crash campaign. Every journal step once, the upstream and card hazards,
 * then runs aimed at the dangerous windows and seeded random plans until at least --crashes
 * crashes (the harness SIGKILLed the agent) happened and every window was hit --windows times.
 * Prints progress, `windows: …`, and last `N crashes, L lost, D double-credited`; exit 0 only when
 * every invariant held, nothing hung or failed, and the targets were reached.
 *
 * `npm run test:fault -- --mutants`: the mutation check (mutants.ts); last line
 * `mutants: N tried, N caught`; exit 1 if the baseline is not clean or any mutant survives.
 *
 *   tsx tests/fault/run-crash-campaign.ts [--crashes 200] [--windows 20] [--lanes 2] [--seed N]
 *                                         [--max-runs N] [--quiet] [--mutants [--only a,b]]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runCampaign } from './crash-harness.js';
import { runMutants } from './mutants.js';
import { campaignPlans } from './plans.js';

const { values } = parseArgs({
  options: {
    crashes: { type: 'string', default: process.env.KIOSK_FAULT_CRASHES ?? '200' },
    /** Old name of --crashes. */
    runs: { type: 'string' },
    windows: { type: 'string', default: process.env.KIOSK_FAULT_WINDOWS ?? '20' },
    lanes: { type: 'string', default: process.env.KIOSK_FAULT_LANES ?? '2' },
    seed: { type: 'string', default: process.env.KIOSK_FAULT_SEED ?? String(Date.now() % 100_000) },
    'max-runs': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    mutants: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function mutantsMain(lanes: number, baseDir: string): Promise<number> {
  say(`mutation check on ${lanes} lanes`);
  const r = await runMutants({ baseDir, lanes, ...(values.only ? { only: values.only.split(',') } : {}), log: say });
  say(r.line);
  return r.ok ? 0 : 1;
}

async function main(): Promise<number> {
  const minCrashes = Number(values.runs ?? values.crashes);
  const minWindowHits = Number(values.windows);
  const lanes = Number(values.lanes);
  const seed = Number(values.seed);
  const maxRuns = Number(values['max-runs'] ?? Math.max(100, minCrashes * 3));
  if (
    ![minCrashes, minWindowHits, lanes, maxRuns].every((n) => Number.isInteger(n) && n >= 0) ||
    lanes < 1 ||
    lanes > 16 ||
    !Number.isFinite(seed)
  ) {
    process.stderr.write(
      'usage: run-crash-campaign.ts [--crashes N] [--windows N] [--lanes 1..16] [--seed N] [--max-runs N] [--mutants [--only a,b]]\n',
    );
    return 2;
  }
  const baseDir = mkdtempSync(join(tmpdir(), 'kiosk-crash-campaign-'));
  if (values.mutants) {
    const code = await mutantsMain(lanes, baseDir);
    if (code === 0) rmSync(baseDir, { recursive: true, force: true });
    else say(`kept the lanes' data in ${baseDir}`);
    return code;
  }
  const started = Date.now();
  say(`crash campaign: ≥ ${minCrashes} crashes, every window ≥ ${minWindowHits}, ${lanes} lanes, seed ${seed}`);
  const r = await runCampaign({
    plans: campaignPlans({ seed, minCrashes, minWindowHits, maxRuns }),
    lanes,
    baseDir,
    minCrashes,
    minWindowHits,
    ...(values.quiet ? {} : { log: say }),
  });
  const secs = Math.round((Date.now() - started) / 1000);
  const v = r.violations;
  say(
    `${r.runs} runs: ${r.crashes} crashed, ${r.exited} ended on their own, ${r.hung} hung, ${r.errors.length - r.hung} failed; ${secs} s`,
  );
  say(
    `paid orders ${v.paid}: ${v.delivered} delivered once, ${v.refunded} refunded, ${v.held} held for a person (torn card write)`,
  );
  for (const e of r.errors) say(`FAILED ${e}`);
  for (const p of v.problems) say(`PROBLEM ${p}`);
  for (const s of r.shortfall) say(`SHORT ${s}`);
  say(r.windowsLine);
  say(r.line);
  if (r.ok) rmSync(baseDir, { recursive: true, force: true });
  else process.stderr.write(`kept the lanes' data in ${baseDir} (seed ${seed})\n`);
  return r.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`crash campaign failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
