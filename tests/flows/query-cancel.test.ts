/**
 * Issue 19 (low list): a slow query (the upstream hanging for many seconds) can be cancelled; the
 * flow goes back at once instead of holding the citizen on a spinner.
 */
import { describe, expect, it } from 'vitest';
import { postJson, sandboxForFile } from '../sandbox/fixture.js';
import { runFlow, testServices } from './harness.js';

const t = sandboxForFile({ clearFaults: true });

/** The upstream holds every call of the operation for a minute: only a cancel ends the wait. */
async function slow(operation: string): Promise<void> {
  await postJson(`${t.url}/admin/faults`, { operation, kind: 'delay', delayMs: 60_000, count: 10 });
}

describe('cancelling a slow query', () => {
  it('tax: Back on the spinner returns to the year choice', async () => {
    await slow('tax.query');
    const run = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    await run.step('chooseYears');
    run.send({ type: 'CONTINUE' });
    await run.step('loading');
    run.send({ type: 'BACK' });
    await run.step('chooseYears', 5000);
    run.actor.stop();
  });

  it('property: Back on the spinner leaves the service', async () => {
    await slow('property.query');
    const run = runFlow(testServices(t.url), 'property', 'chibi-resident');
    await run.step('loading');
    run.send({ type: 'BACK' });
    const out = await run.done();
    expect(out.outcome).toBe('back');
  });

  it('social: Back on the spinner returns to the choice of slip type', async () => {
    await slow('social.query');
    const run = runFlow(testServices(t.url), 'social', 'xianan-resident');
    await run.step('chooseKind');
    run.send({ type: 'FLOW.EVENT', name: 'kind', data: { kind: 'resident' } } as never);
    await run.step('loading');
    run.send({ type: 'BACK' });
    await run.step('chooseKind', 5000);
    run.actor.stop();
  });
});
