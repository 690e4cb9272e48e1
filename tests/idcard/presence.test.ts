/**
 * Presence of a read card (driver `cardPresence()` / event `cardPresence`): present, absent or
 * unknown, from positive signals only. Against reader personalities (apps/simulators/src/idcard/
 * personality.ts); each test waits on states (events, simulator counters), never on fixed time.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { CardPresenceInfo } from '../../apps/agent/src/devices/idcard/driver.js';
import { createRig, until, type Rig } from './helpers.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

interface Watch {
  seen: CardPresenceInfo[];
  now(): CardPresenceInfo;
}

function watch(r: Rig): Watch {
  const seen: CardPresenceInfo[] = [];
  r.driver.on('cardPresence', (p) => seen.push(p));
  return { seen, now: () => r.driver.cardPresence() };
}

async function read(r: Rig, profile: string): Promise<void> {
  const from = r.count('cardRead');
  r.sim.placeCard({ profile });
  await until(() => r.count('cardRead') > from, `cardRead of ${profile}`);
}

/** Lets the driver poll the reader `n` more times (commands the simulator handled). */
async function polls(r: Rig, n: number): Promise<void> {
  const c = r.sim.reader.counters.commands;
  await until(() => r.sim.reader.counters.commands >= c + n, `${n} more commands`);
}

describe('presence of a read card', () => {
  test('standard reader (answers 30 05): present while the card lies there; lifted → unknown with readerConfirms, never cardRemoved; the next card → absent, read', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    const w = watch(rig);
    expect(w.now()).toEqual({ presence: 'absent', readerConfirms: false });
    await read(rig, 'xianan-resident');
    await until(() => w.now().readerConfirms, 'the reader confirms with 30 05');
    expect(w.now()).toEqual({ presence: 'present', readerConfirms: true });
    // It stays confirmed poll after poll.
    const asked = rig.sim.reader.counters.managementNumber;
    await until(() => rig!.sim.reader.counters.managementNumber >= asked + 5, '30 05 asked on later polls');
    expect(w.now()).toEqual({ presence: 'present', readerConfirms: true });
    const removedBefore = rig.count('cardRemoved');
    rig.sim.removeCard();
    await until(() => w.now().presence === 'unknown', 'no longer confirmed');
    expect(w.now()).toEqual({ presence: 'unknown', readerConfirms: true });
    await polls(rig, 6);
    expect(rig.count('cardRemoved')).toBe(removedBefore);
    // The next card is found: the previous one is gone for sure.
    await read(rig, 'chibi-resident');
    expect(rig.count('cardRemoved')).toBe(removedBefore + 1);
    expect(w.seen.map((p) => `${p.presence}${p.readerConfirms ? '+' : ''}`)).toEqual([
      'present',
      'present+',
      'unknown+',
      'absent+',
      'present+',
    ]);
    await until(() => w.now().presence === 'present' && rig!.sim.reader.counters.managementNumber > asked + 5, 'confirmed again');
  });

  test('reader without 30 05 (silent): asked once, then never; presence unknown and the reader cannot tell; no offline flapping', async () => {
    rig = await createRig({ sim: { personality: 'no-30-05' } });
    await rig.waitForStatus('online');
    const w = watch(rig);
    const statusesBefore = rig.count('status');
    for (const profile of ['xianan-resident', 'chibi-resident', 'jiayu-expired']) {
      rig.sim.removeCard();
      await read(rig, profile);
      await until(() => w.now().presence === 'unknown', `${profile} unknown after its read`);
      await polls(rig, 4);
      expect(w.now()).toEqual({ presence: 'unknown', readerConfirms: false });
    }
    expect(rig.sim.reader.counters.managementNumber).toBe(1);
    expect(rig.count('status')).toBe(statusesBefore);
    expect(rig.driver.status().device).toBe('online');
  });

  test.each(['30-05-no-content', '30-05-read-failed', '30-05-after-read-only'])(
    'reader personality %s (30 05 not 90 with the card in place): unknown, reader cannot tell, no cardRemoved while it lies there',
    async (personality) => {
      rig = await createRig({ sim: { personality } });
      await rig.waitForStatus('online');
      const w = watch(rig);
      await read(rig, 'xianan-resident');
      await until(() => w.now().presence === 'unknown', 'not confirmed');
      await polls(rig, 10);
      expect(rig.count('cardRemoved')).toBe(0);
      expect(w.now()).toEqual({ presence: 'unknown', readerConfirms: false });
      expect(rig.sim.reader.counters.managementNumber).toBe(1);
    },
  );

  test('a reader that finds a read card again: present while it is found, unknown with readerConfirms once find says no card', async () => {
    rig = await createRig({ sim: { personality: 'refinds-read-card' } });
    await rig.waitForStatus('online');
    const w = watch(rig);
    await read(rig, 'xianan-resident');
    await until(() => w.now().readerConfirms, 'the reader confirms by finding the card again');
    expect(w.now().presence).toBe('present');
    rig.sim.removeCard();
    await until(() => w.now().presence === 'unknown', 'no longer found');
    expect(w.now()).toEqual({ presence: 'unknown', readerConfirms: true });
    expect(rig.count('cardRemoved')).toBe(0);
  });
});
