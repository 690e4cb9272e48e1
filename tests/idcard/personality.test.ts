/**
 * The driver against reader personalities (apps/simulators/src/idcard/personality.ts): behaviours of real
 * readers that differ from our simulator's defaults. Each test waits on states (events, the
 * simulator's command counters), never on fixed time.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { CardReadEvent } from '../../apps/agent/src/devices/idcard/driver.js';
import type { IdCardError } from '../../apps/agent/src/devices/idcard/errors.js';
import { profiles } from '@kiosk/synthetic';
import { createRig, isError, isRead, kinds, since, until, type Recorded, type Rig } from './helpers.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Lets the driver poll the reader `n` more times (commands the simulator handled). */
async function polls(r: Rig, n: number): Promise<void> {
  const c = r.sim.reader.counters.commands;
  await until(() => r.sim.reader.counters.commands >= c + n, `${n} more commands`);
}

async function place(r: Rig, profile: string): Promise<CardReadEvent> {
  const from = r.events.length;
  r.sim.placeCard({ profile });
  const e = await r.waitFor((x) => isRead(x) && r.events.indexOf(x) >= from, 10_000, `cardRead of ${profile}`);
  return (e as Extract<Recorded, { type: 'cardRead' }>).event;
}

/** Ten different cards: every profile (nine synthetic holders + the 㙟 card). */
const ten = profiles.slice(0, 10);

describe('presence from find/select: a stack of cards, each read exactly once', () => {
  test.each(['no-30-05', 'rejects-30-05', 'standard', 'refinds-read-card'])(
    'reader personality %s: ten different cards in a row, each read once, no offline/online flapping',
    async (personality) => {
      expect(new Set(ten.map((p) => p.card.idNumber)).size).toBe(10);
      rig = await createRig({ sim: { personality } });
      await rig.waitForStatus('online');
      const from = rig.events.length;
      const names: string[] = [];
      for (const p of ten) {
        rig.sim.removeCard();
        names.push((await place(rig, p.name)).card.name);
      }
      // The last card stays on the reader: more polls must not read it again.
      await polls(rig, 10);
      expect(names).toEqual(ten.map((p) => p.card.name));
      expect(rig.count('cardRead')).toBe(10);
      // A reader that finds a read card again gets it read quietly (and ignored) while it lies there.
      if (personality !== 'refinds-read-card') expect(rig.sim.reader.counters.reads).toBe(10);
      expect(rig.count('error')).toBe(0);
      expect(since(rig, from).filter((e) => e.type === 'status')).toEqual([]);
      expect(rig.driver.status().device).toBe('online');
      // Every card after the first: the previous one left (cardRemoved), the next one came.
      expect(kinds(since(rig, from))).toEqual([
        'cardInserted',
        'cardRead',
        ...Array.from({ length: 9 }, () => ['cardRemoved', 'cardInserted', 'cardRead']).flat(),
      ]);
    },
  );

  test.each(['30-05-after-read-only', '30-05-no-content', '30-05-read-failed'])(
    'reader personality %s: a card left lying on the reader is not reported removed',
    async (personality) => {
      rig = await createRig({ sim: { personality } });
      await rig.waitForStatus('online');
      const from = rig.events.length;
      await place(rig, 'xianan-resident');
      await polls(rig, 12);
      expect(kinds(since(rig, from))).toEqual(['cardInserted', 'cardRead']);
      // The next card is a new placement.
      rig.sim.removeCard();
      await place(rig, 'chibi-resident');
      expect(kinds(since(rig, from))).toEqual(['cardInserted', 'cardRead', 'cardRemoved', 'cardInserted', 'cardRead']);
    },
  );
});

describe('a card sliding in slowly', () => {
  test('select 81 / read 41 while the card slides in are retried within the budget: one read, no error', async () => {
    rig = await createRig({ sim: { personality: 'slow-slide-in' }, driver: { readRetryBudgetMs: 3000 } });
    await rig.waitForStatus('online');
    const from = rig.events.length;
    const ev = await place(rig, 'xianan-resident');
    expect(ev.attempt).toBe(1);
    expect(rig.sim.reader.counters.selects).toBeGreaterThan(1);
    expect(kinds(since(rig, from))).toEqual(['cardInserted', 'cardRead']);
  });

  test('a card that never seats: will-retry error once the budget is spent, final on the second placement', async () => {
    rig = await createRig({ sim: { personality: { slideInMs: 600_000 } }, driver: { readRetryBudgetMs: 400 } });
    await rig.waitForStatus('online');
    const waiting = rig.driver.waitForCard({ timeoutMs: 20_000 }).then(
      () => 'resolved',
      (e: IdCardError) => e,
    );
    rig.sim.placeCard({ profile: 'xianan-resident' });
    const first = await rig.waitFor(isError, 10_000, 'first error');
    expect(isError(first) && first.error).toMatchObject({ code: 'readFailed', willRetry: true });
    const final = await rig.waitFor((e) => isError(e) && !e.error.willRetry, 10_000, 'final error');
    expect(isError(final) && final.error.code).toBe('readFailed');
    expect(await waiting).toMatchObject({ code: 'readFailed', willRetry: false });
    // Seated at last: the next placement reads.
    rig.sim.setPersonality({ slideInMs: 0 });
    rig.sim.removeCard();
    const ev = await place(rig, 'xianan-resident');
    expect(ev.attempt).toBe(1);
  });

  test('the card is lifted while the driver retries: will-retry error and cardRemoved, read on the next placement', async () => {
    rig = await createRig({ sim: { personality: { slideInMs: 600_000 } }, driver: { readRetryBudgetMs: 60_000 } });
    await rig.waitForStatus('online');
    const from = rig.events.length;
    rig.sim.placeCard({ profile: 'xianan-resident' });
    await until(() => rig!.sim.reader.counters.selects >= 2, 'two select attempts');
    rig.sim.removeCard();
    const err = await rig.waitFor(isError, 10_000, 'error after the card left');
    expect(isError(err) && err.error).toMatchObject({ code: 'readFailed', willRetry: true });
    await rig.waitFor((e) => e.type === 'cardRemoved' && rig!.events.indexOf(e) >= from);
    rig.sim.setPersonality({ slideInMs: 0 });
    const ev = await place(rig, 'xianan-resident');
    expect(ev.attempt).toBe(2);
    expect(kinds(since(rig, from))).toEqual(['cardInserted', 'error:readFailed', 'cardRemoved', 'cardInserted', 'cardRead']);
  });
});

describe('stale and truncated frames before replies', () => {
  test('a truncated stale frame before every reply loses no reply: online, cards read, no errors', async () => {
    rig = await createRig({ sim: { personality: 'stale-frames' } });
    await rig.waitForStatus('online');
    const from = rig.events.length;
    for (const p of ['xianan-resident', 'hk-permit', 'foreign-2023']) {
      rig.sim.removeCard();
      await place(rig, p);
    }
    await polls(rig, 10);
    expect(rig.count('error')).toBe(0);
    expect(rig.count('cardRead')).toBe(3);
    expect(rig.sim.reader.counters.reads).toBe(3);
    expect(since(rig, from).filter((e) => e.type === 'status')).toEqual([]);
  });
});

describe('a name outside GB2312/GBK 2-byte coverage', () => {
  test('the 㙟 card (U+365F) reads with the character intact', async () => {
    rig = await createRig();
    await rig.waitForStatus('online');
    const ev = await place(rig, 'chongyang-rare-char');
    expect(ev.card).toMatchObject({ name: '㙟样例', idNumber: '42122319900517003X', warnings: [] });
    expect([...ev.card.name][0]!.codePointAt(0)).toBe(0x365f);
  });
});

describe("expired against the kiosk's local date (China, UTC+8)", () => {
  test('a card valid to 2026-12-03 is expired at 01:00 on 12-04 China time, still valid at 23:59 on 12-03', async () => {
    let clock = new Date('2026-12-03T17:00:00Z'); // 2026-12-04 01:00 in China, still 12-03 in UTC
    rig = await createRig({ driver: { now: () => clock } });
    await rig.waitForStatus('online');
    rig.sim.placeCard({ fields: { validFrom: '2006-12-03', validTo: '2026-12-03' } });
    let e = await rig.waitFor(isRead);
    expect(isRead(e) && e.event.expired).toBe(true);
    clock = new Date('2026-12-03T15:59:00Z'); // 2026-12-03 23:59 in China
    const from = rig.events.length;
    // Lift the card (the reader sees it gone) and place it again.
    const finds = rig.sim.reader.counters.finds;
    await until(() => rig!.sim.reader.counters.finds > finds, 'a poll after the read');
    rig.sim.removeCard();
    rig.sim.placeCard({ fields: { validFrom: '2006-12-03', validTo: '2026-12-03' } });
    e = await rig.waitFor((x) => isRead(x) && rig!.events.indexOf(x) >= from);
    expect(isRead(e) && e.event.expired).toBe(false);
  });
});
