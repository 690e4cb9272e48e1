/**
 * Silent-device detection (issue 20 item 12): a serial device that stays connected but stops
 * answering must show as down within 2 s, and as online within 2 s of answering again, like an
 * unplug does. Production drivers with the default config over socat ptys against the simulators;
 * the worst of ROUNDS silences per device.
 */
import type { Benchmark, BenchResult } from './result.js';
import { silentKinds, silentRoundTrip, startSilentRig } from '../tests/helpers/silent-devices.js';

const ROUNDS = 3;
const round = (n: number): number => Math.round(n);

export const run: Benchmark = async () => {
  const out: BenchResult[] = [];
  for (const kind of silentKinds) {
    const rig = await startSilentRig(kind);
    const offline: number[] = [];
    const online: number[] = [];
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const r = await silentRoundTrip(rig);
        offline.push(r.offlineMs);
        online.push(r.onlineMs);
      }
    } finally {
      await rig.close();
    }
    const row = (name: string, value: number): BenchResult => ({
      name,
      value: round(value),
      unit: 'ms',
      peer: null,
      peerValue: null,
      goal: { max: 2000 },
    });
    out.push(row(`${kind}_silent_offline_ms`, Math.max(...offline)), row(`${kind}_silent_online_ms`, Math.max(...online)));
  }
  return out;
};
