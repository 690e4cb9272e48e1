/**
 * The shared steps of the record flows (apps/agent/src/flows/record-steps.ts), run through each of
 * the three flows against the sandbox: the transitions every flow gets from the builder and that
 * record-flows.test.ts does not walk — leaving a failed registration goes back to the flow's own
 * list (nothing printed), Back from a confirm screen returns to the list, Back from a failed query
 * leaves the flow, and Back while loading goes to each flow's own choice step.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorData, RecordServiceId, SocialYearsData } from '@kiosk/contracts/record-views';
import { postJson, sandboxForFile } from '../sandbox/fixture.js';
import { runFlow, testServices, type FlowRun } from './harness.js';

const t = sandboxForFile({ clearFaults: true });

/** Drives a flow to its `list` step and returns the event that takes the list to `confirm`. */
async function toList(service: RecordServiceId): Promise<{ run: FlowRun; toConfirm: () => void }> {
  if (service === 'property') {
    const run = runFlow(testServices(t.url), 'property', 'xianan-resident');
    await run.step('list');
    return { run, toConfirm: () => run.send({ type: 'CONTINUE' }) };
  }
  if (service === 'tax') {
    const run = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    await run.step('chooseYears');
    run.send({ type: 'CONTINUE' });
    await run.step('list');
    return { run, toConfirm: () => run.send({ type: 'CONTINUE' }) };
  }
  const run = runFlow(testServices(t.url), 'social', 'chibi-resident');
  run.send({ type: 'FLOW.EVENT', name: 'kind', data: { kind: 'resident' } });
  const years = (await run.step('years')).data as unknown as SocialYearsData;
  run.send({ type: 'FLOW.EVENT', name: 'year', data: { year: years.years[0]!.year } });
  await run.step('list');
  return { run, toConfirm: () => run.send({ type: 'FLOW.EVENT', name: 'wholeYear', data: {} }) };
}

const services: RecordServiceId[] = ['property', 'tax', 'social'];

describe('record flows: the shared steps', () => {
  for (const service of services) {
    it(`${service}: Back from confirm and from a failed registration returns to the list; nothing is printed`, async () => {
      const { run, toConfirm } = await toList(service);
      toConfirm();
      await run.step('confirm');
      run.send({ type: 'BACK' });
      await run.step('list');

      await postJson(`${t.url}/admin/faults`, { operation: 'slips.register', kind: 'error', status: 503, count: 5 });
      toConfirm();
      await run.step('confirm');
      run.send({ type: 'CONTINUE' });
      const e = (await run.step('error')).data as unknown as ErrorData;
      expect(e.message.zh).toContain('凭证核验服务');
      expect(run.actor.getSnapshot().value).toBe('registerError');
      run.send({ type: 'BACK' });
      await run.step('list');
      expect(run.actor.getSnapshot().status).toBe('active');
    });
  }

  it("Back from a failed query leaves the flow (no print); Back while loading goes to the flow's own choice", async () => {
    await postJson(`${t.url}/admin/faults`, { operation: 'tax.query', kind: 'error', status: 500, count: 1 });
    const failed = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    failed.send({ type: 'CONTINUE' });
    await failed.step('error');
    expect(failed.actor.getSnapshot().value).toBe('error');
    failed.send({ type: 'BACK' });
    const out = await failed.done();
    expect(out.outcome).toBe('back');
    expect(out.print).toBeUndefined();

    await postJson(`${t.url}/admin/faults`, { operation: 'social.query', kind: 'timeout', delayMs: 5000, count: 1 });
    const slow = runFlow(testServices(t.url), 'social', 'chibi-resident');
    slow.send({ type: 'FLOW.EVENT', name: 'kind', data: { kind: 'resident' } });
    await slow.step('loading');
    slow.send({ type: 'BACK' });
    await slow.step('chooseKind');
  });
});
