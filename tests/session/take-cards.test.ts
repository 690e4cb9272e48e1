/**
 * The "take your card" rule (issue 19; session/view.ts cardsToTake): which cards the UI reminds
 * the citizen of, loudly, on which screen. The browser test cards-and-amounts.test.ts shows it.
 */
import { describe, expect, it } from 'vitest';
import { cardsToTake, type CardsInReaders } from '../../apps/agent/src/session/view.js';
import type { CardKind } from '@kiosk/contracts/session-view';

const cards = (present: CardKind[], leftBehind: CardKind[] = []): CardsInReaders => ({
  present: new Set(present),
  leftBehind: new Set(leftBehind),
});

describe('cardsToTake', () => {
  it('goodbye: every card still in a reader', () => {
    expect(cardsToTake('goodbye', 'tax', cards(['idcard', 'gascard']))).toEqual(['idcard', 'gascard']);
    expect(cardsToTake('goodbye', null, cards([]))).toEqual([]);
  });

  it('the end of a gas session (result, rating): the gas card, not the ID card a citizen may still need', () => {
    expect(cardsToTake('result', 'gas', cards(['idcard', 'gascard']))).toEqual(['gascard']);
    expect(cardsToTake('rating', 'gas', cards(['gascard']))).toEqual(['gascard']);
    expect(cardsToTake('result', 'tax', cards(['idcard', 'gascard']))).toEqual([]);
  });

  it('attract: only a card left behind by the last session, and only while it is still there', () => {
    expect(cardsToTake('attract', null, cards(['idcard'], ['idcard']))).toEqual(['idcard']);
    expect(cardsToTake('attract', null, cards([], ['idcard']))).toEqual([]);
    // A card placed on the idle kiosk by the next citizen is theirs: no alarm.
    expect(cardsToTake('attract', null, cards(['gascard'], []))).toEqual([]);
  });

  it('never during a service', () => {
    for (const screen of ['home', 'identity', 'face', 'service', 'printing'] as const) {
      expect(cardsToTake(screen, 'gas', cards(['idcard', 'gascard'], ['idcard', 'gascard']))).toEqual([]);
    }
  });
});
