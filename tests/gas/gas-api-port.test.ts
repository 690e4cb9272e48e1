// gasApiOf (apps/agent/src/gas/api.ts): the gas module's port answers from its engine, call by call.
import { describe, expect, it } from 'vitest';
import { gasApiOf } from '../../apps/agent/src/gas/api.js';
import type { GasEngine } from '../../apps/agent/src/gas/engine.js';

describe('gasApiOf', () => {
  it('passes each question to the engine and returns its answer', async () => {
    const calls: string[] = [];
    const counts = { open: 1 };
    const stub = {
      isMoneyStepInFlight: () => (calls.push('inFlight'), true),
      busyReason: () => (calls.push('busy'), 'paying'),
      whenIdle: () => (calls.push('idle'), Promise.resolve()),
      counts: () => (calls.push('counts'), counts),
      ready: () => (calls.push('ready'), false),
      endSession: () => (calls.push('end'), Promise.resolve()),
    };
    const engine = stub as unknown as GasEngine; // only the six methods above are called
    const api = gasApiOf(engine);
    expect(api.engine).toBe(engine);
    expect(api.isMoneyStepInFlight()).toBe(true);
    expect(api.busyReason()).toBe('paying');
    await api.whenIdle();
    expect(api.counts()).toBe(counts);
    expect(api.ready()).toBe(false);
    await api.endSession();
    expect(calls).toEqual(['inFlight', 'busy', 'idle', 'counts', 'ready', 'end']);
  });
});
