/**
 * The crash campaign, short (the ≥ 200-crash campaign is `npm run test:fault`): the upstream and
 * card hazards, then runs aimed at each dangerous window (upstream applied, kiosk not journaled)
 * until each was hit at least once, with the agent process SIGKILLed and restarted, and the
 * invariant checked against the sandbox's bill and ledger and the card's contents. Then the
 * mutation check: broken builds of the money rules must each make the campaign report a loss or
 * a double credit.
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { checkPatches, runCampaign, windowNames } from './crash-harness.js';
import { mutants, runMutants } from './mutants.js';
import { campaignPlans } from './plans.js';

describe('crash campaign (short)', () => {
  it('crashes in every dangerous window lose nothing and credit nothing twice', { timeout: 900_000 }, async () => {
    const r = await runCampaign({
      plans: campaignPlans({ seed: 7, minCrashes: 12, minWindowHits: 1, maxRuns: 60, steps: false }),
      lanes: 2,
      baseDir: tempDir('kiosk-crash-'),
      minCrashes: 12,
      minWindowHits: 1,
    });
    console.log(`${r.windowsLine}\n${r.line}`);
    expect(r.errors).toEqual([]);
    expect(r.violations.problems).toEqual([]);
    expect(r.shortfall).toEqual([]);
    for (const w of windowNames) expect(r.windows[w]).toBeGreaterThanOrEqual(1);
    expect(r.line).toBe(`${r.crashes} crashes, 0 lost, 0 double-credited`);
    expect(r.ok).toBe(true);
    expect(r.violations.paid).toBeGreaterThanOrEqual(10);
  });

  it('a mutant patch that does not match exactly once fails loudly', () => {
    for (const m of mutants) expect(() => checkPatches(m.patches)).not.toThrow();
    const file = 'apps/agent/src/gas/rules/keys.ts';
    expect(() => checkPatches([{ file, find: 'no such text anywhere', replace: '' }])).toThrow(/matches 0 times/);
    expect(() => checkPatches([{ file, find: 'orderNo', replace: '' }])).toThrow(/must be exactly once/);
  });

  it('catches every mutant of the money rules', { timeout: 900_000 }, async () => {
    const r = await runMutants({ baseDir: tempDir('kiosk-mutants-'), lanes: 2, targeted: true, log: (l) => console.log(l) });
    expect(r.baseline.violations.problems).toEqual([]);
    expect(r.outcomes.filter((o) => !o.caught).map((o) => o.name)).toEqual([]);
    expect(r.line).toBe(`mutants: ${mutants.length} tried, ${mutants.length} caught`);
    expect(r.ok).toBe(true);
  });
});
