/**
 * The session's side of 好差评 (issue 18) with the real ID card driver against its simulator:
 * `Session.Rate` takes reasons with a bad rating only; the rating handed on carries the card
 * holder's number (for the salted hash) only for a service the card identified them for, never
 * for gas, even when a card was read earlier in the same session; skipping hands nothing on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from '@kiosk/synthetic';
import type { RatingSubmission } from '../../apps/agent/src/ratings/api.js';
import { SessionClient, startRig, type Rig } from '../session/rig.js';

let rig: Rig;
let ui: SessionClient;
const rated: RatingSubmission[] = [];

beforeAll(async () => {
  rig = await startRig({ devices: ['idcard', 'printer'], session: { rated: (s) => rated.push(s), faceVerifier: null } });
  ui = await SessionClient.open(rig);
}, 60_000);
afterAll(async () => {
  ui?.socket.close();
  await rig?.stop();
});

async function toRating(service: 'tax' | 'gas'): Promise<void> {
  await ui.do('Session.SelectService', { service });
  if (service === 'tax' && (await ui.until((v) => v.screen === 'identity' || v.screen === 'service')).screen === 'identity') {
    await ui.until((v) => v.step === 'confirmed');
    await ui.do('Session.Continue');
  }
  await ui.until((v) => v.screen === 'service');
  await ui.do('Session.Continue'); // the placeholder flow
  await ui.until((v) => v.screen === 'result');
  await ui.do('Session.Continue');
  await ui.until((v) => v.screen === 'rating');
}

describe('session ratings', () => {
  it('reasons with bad ratings only; the ID number for identified services only; skipping hands nothing on', async () => {
    const card = findProfile('xianan-resident')!.card;
    await ui.do('Session.Start');
    // Tax needs the printer: wait until its tile is usable, as a citizen would.
    await ui.until((v) => v.screen === 'home' && v.availability.services.tax.available, 20_000, 'tax available');
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await ui.until((v) => v.identity !== null, 15_000, 'the card read');

    await toRating('tax');
    const refused = await ui.command('Session.Rate', { rating: 'satisfied', reasons: ['other'] });
    expect(refused.header.completionCode).toBe('invalidData');
    const unknown = await ui.command('Session.Rate', { rating: 'dissatisfied', reasons: ['rude'] });
    expect(unknown.header.completionCode).toBe('invalidData');
    expect(rated).toHaveLength(0);
    await ui.do('Session.Rate', { rating: 'dissatisfied', reasons: ['waitTooLong', 'waitTooLong', 'other'] });
    expect(rated).toEqual([
      {
        sessionId: expect.any(String),
        serviceId: 'tax',
        rating: 'dissatisfied',
        reasons: ['waitTooLong', 'other'],
        idNumber: card.idNumber,
      },
    ]);

    await ui.until((v) => v.screen === 'goodbye');
    await ui.do('Session.Continue'); // another service, same citizen, card still read
    await ui.until((v) => v.screen === 'home');
    await toRating('gas');
    await ui.do('Session.Rate', { rating: 'veryDissatisfied', reasons: ['deviceFault'] });
    expect(rated[1]).toMatchObject({ serviceId: 'gas', rating: 'veryDissatisfied', idNumber: null });

    await ui.until((v) => v.screen === 'goodbye');
    await ui.do('Session.Continue');
    await ui.until((v) => v.screen === 'home');
    await toRating('tax');
    await ui.do('Session.Continue'); // skip
    await ui.until((v) => v.screen === 'goodbye');
    expect(rated).toHaveLength(2);
    await rig.control('DELETE', '/idcard/card');
    await ui.do('Session.End');
  }, 60_000);
});
