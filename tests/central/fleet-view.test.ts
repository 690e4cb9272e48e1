import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCentral, type CentralParts } from '../../apps/central/src/wiring.js';
import { kioskA, silent, tempDir, testConfig, validHeartbeat } from './helpers.js';

/**
 * The replica's view of a kiosk against the group commit, in process so no timer can run between
 * the steps: a beat's figures are only in memory for up to 50 ms, and re-reading the kiosk's row
 * in that window (after an event batch, an acknowledged alert, the sweep) must not lose them.
 */
describe('fleet view and the group commit', () => {
  let parts: CentralParts;
  let dir: { dir: string; remove(): void };
  beforeAll(async () => {
    dir = tempDir('central-view-');
    parts = await openCentral({ config: await testConfig(), dataDir: dir.dir, databaseUrl: undefined, env: {}, logger: silent });
  });
  afterAll(async () => {
    await parts.close();
    dir.remove();
  });

  it('keeps a beat not yet written when an event batch right after it re-reads the kiosk', async () => {
    const { store, fleet } = parts;
    let seq = Date.now();
    const hb = validHeartbeat(kioskA.id, {
      paper: 'low',
      devices: { idcard: { device: 'online' }, printer: { device: 'online', paper: 'low' } },
    });
    const claimed = (await store.claimSeq(kioskA.id, ++seq, 'request'))!;
    await fleet.acceptHeartbeat(kioskA.id, claimed, seq, hb, JSON.stringify(hb), Date.now());
    expect(fleet.get(kioskA.id)?.last?.paper).toBe('low');
    const again = (await store.claimSeq(kioskA.id, seq + 1, 'request'))!;
    await fleet.acceptEvents(
      kioskA.id,
      again,
      [{ seq: 1, type: 'agent.started', at: new Date().toISOString(), payload: {} }],
      Date.now(),
    );
    expect(fleet.get(kioskA.id)?.last?.paper).toBe('low');
    expect(fleet.get(kioskA.id)?.state).toBe('warning');
  });
});
