/**
 * Kills the agent process with SIGKILL right after each journal step of each scenario (IoT
 * top-up, IC-card top-up, operator refund), restarts it so start-up recovery runs, and checks the
 * money invariant against the sandbox and the simulated card. The ≥ 200-run campaign with random
 * kill points is `npm run test:fault` (tests/fault/run-crash-campaign.ts).
 */
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/config.js';
import { everyStepPlans, runCampaign } from './crash-harness.js';

describe('crash at every journal step', () => {
  it('loses nothing and credits nothing twice', { timeout: 600_000 }, async () => {
    const plans = everyStepPlans();
    const r = await runCampaign({ plans, lanes: 2, baseDir: tempDir('kiosk-crash-') });
    console.log(r.line);
    expect(r.violations.problems).toEqual([]);
    expect(r.crashes).toBe(plans.length);
    expect(r.line).toBe(`${plans.length} crashes, 0 lost, 0 double-credited`);
    expect(r.ok).toBe(true);
    // Two of three scenarios pay in most of their steps; make sure money really moved.
    expect(r.violations.paid).toBeGreaterThanOrEqual(15);
  });
});
