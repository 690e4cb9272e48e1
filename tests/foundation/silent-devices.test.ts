/**
 * Issue 20 item 12: a device that stays connected but stops answering shows as down, and as
 * online again once it answers, for every serial device (production drivers, default config).
 * How fast is measured in bench/devices.bench.ts (`silent_offline_ms` / `silent_online_ms`,
 * goal ≤ 2000 ms); here only that the transitions happen (no timing assertions on a shared machine).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentKinds, silentRoundTrip, startSilentRig, type SilentRig } from '../helpers/silent-devices.js';

let rig: SilentRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe('a connected but silent device', () => {
  for (const kind of silentKinds) {
    it(`${kind}: silent → down with a reason for staff; answering again → online`, async () => {
      rig = await startSilentRig(kind);
      const { down } = await silentRoundTrip(rig);
      expect(down.device).toBe('offline');
      expect(down.detail).toBeTruthy();
      expect(rig.driver.status().device).toBe('online');
      // A second silence is noticed as well (no state left over from the first).
      await silentRoundTrip(rig);
    }, 120_000);
  }
});
