/**
 * The "请取走身份证" reminder (view.takeCards) against readers that can and cannot tell whether a
 * read card still lies there (docs/session.md, docs/idcard.md "Presence"). Real agent, real
 * driver over a socat pty, simulator personalities; waits on states, never on fixed time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdCardDriver } from '../../apps/agent/src/devices/idcard/driver.js';
import { startRig, SessionClient, shortCountdowns, type Rig } from './rig.js';

/** Short enough to watch it end, long enough to see the reminder on goodbye under load. */
const reminderMs = 5000;

let rig: Rig;
let ui: SessionClient;
let driver: IdCardDriver;
let removed = 0;

/** A fresh agent per test: the driver learns per reader what it can tell (a new reader, a new rig). */
beforeEach(async () => {
  rig = await startRig({
    config: (c) => {
      shortCountdowns(c, 60_000, 20_000);
      c.session.idCardReminderMs = reminderMs;
    },
  });
  const d = rig.agent.context.devices.get('idcard');
  if (!(d instanceof IdCardDriver)) throw new Error('no ID card driver in the rig');
  driver = d;
  removed = 0;
  driver.on('cardRemoved', () => (removed += 1));
  ui = await SessionClient.open(rig);
  await ui.until((v) => v.availability.notices.length === 0, 10_000, 'devices online');
});

afterEach(async () => {
  ui?.close();
  await rig?.stop();
});

/** Starts a session, reads a card on the home screen and says goodbye with the card left there. */
async function readAndLeave(profile: string): Promise<void> {
  await ui.until((v) => v.screen === 'attract', 10_000, 'attract');
  await ui.do('Session.Start');
  await rig.control('POST', '/idcard/card', { profile });
  await ui.until((v) => v.identity !== null, 10_000, 'card read');
  // Let the driver settle what it can know about the card before goodbye.
  await waitUntil(() => {
    const p = driver.cardPresence();
    return p.presence === 'unknown' || p.readerConfirms;
  }, 'presence settled');
  await ui.do('Session.Back');
  const v = await ui.until((x) => x.screen === 'goodbye', 8000, 'goodbye');
  expect(v.takeCards).toEqual(['idcard']);
}

async function waitUntil(pred: () => boolean, label: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('take-your-ID-card reminder', () => {
  it('a reader without 30 05: the reminder lasts the configured time after goodbye, then stops while the card may still lie there', async () => {
    await rig.control('POST', '/idcard/personality', { preset: 'no-30-05' });
    const removedBefore = removed;
    await readAndLeave('xianan-resident');
    expect(driver.cardPresence()).toEqual({ presence: 'unknown', readerConfirms: false });
    const v = await ui.until((x) => x.screen === 'attract' && x.takeCards.length === 0, reminderMs + 20_000, 'reminder over');
    expect(v.takeCards).toEqual([]);
    // The card was never reported gone: it still lies on the reader.
    expect(rig.idcard!.reader.card).not.toBeNull();
    expect(removed).toBe(removedBefore);
    expect(driver.cardPresence().presence).toBe('unknown');
  }, 90_000);

  it('a reader answering 30 05 with 91 while the card lies there: no cardRemoved during reads and polls, the reminder is still bounded', async () => {
    await rig.control('POST', '/idcard/personality', { preset: '30-05-no-content' });
    const removedBefore = removed;
    await readAndLeave('chibi-resident');
    const polled = rig.idcard!.reader.counters.finds;
    await waitUntil(() => rig.idcard!.reader.counters.finds > polled + 10, 'ten more finds');
    expect(removed).toBe(removedBefore);
    await ui.until((x) => x.screen === 'attract' && x.takeCards.length === 0, reminderMs + 20_000, 'reminder over');
    expect(rig.idcard!.reader.card).not.toBeNull();
    expect(removed).toBe(removedBefore);
  }, 90_000);

  it('a reader that confirms (standard): the reminder stays past the bound while the card lies there and ends once it is lifted', async () => {
    await readAndLeave('xianan-resident');
    await waitUntil(() => driver.cardPresence().readerConfirms, 'reader confirms');
    // Well past the bound the card is still there, so the reminder stays (on attract now).
    const endOfBound = Date.now() + reminderMs + 500;
    const v = await ui.until(
      (x) => x.screen === 'attract' && Date.now() > endOfBound,
      reminderMs + 20_000,
      'attract after the bound',
    );
    expect((await ui.do('Session.GetState')).takeCards).toEqual(['idcard']);
    expect(v.screen).toBe('attract');
    await rig.control('DELETE', '/idcard/card');
    await ui.until((x) => x.takeCards.length === 0, 10_000, 'reminder ends when the card is lifted');
  }, 90_000);
});
