import { fromCallback, type EventObject } from 'xstate';
import type { CardPresenceInfo, CardReadEvent } from '../devices/idcard/driver.js';
import type { DecodedCard } from '@kiosk/protocol-sam';
import type { DeviceDriver } from '@kiosk/contracts/device-status';
import { maskIdNumber, maskName } from '@kiosk/platform';
import type { IdentityVault } from './vault.js';
import type { MaskedIdentity } from '@kiosk/contracts/session-view';

/** What the session needs from an ID card reader (IdCardDriver satisfies it). */
export interface IdCardEventSource {
  on(event: 'cardInserted' | 'cardRemoved', listener: () => void): unknown;
  on(event: 'cardRead', listener: (e: CardReadEvent) => void): unknown;
  on(event: 'error', listener: (e: { willRetry: boolean; code: string }) => void): unknown;
  on(event: 'cardPresence', listener: (info: CardPresenceInfo) => void): unknown;
  off(event: string, listener: (...args: never[]) => void): unknown;
  /** Presence of the card on the reader (IdCardDriver); readers without it count insert/remove only. */
  cardPresence?(): CardPresenceInfo;
}

export function isIdCardSource(d: DeviceDriver | undefined): d is DeviceDriver & IdCardEventSource {
  return d !== undefined && d.kind === 'idcard';
}

/** The masked form every screen shows. Foreign cards without a Chinese name show the English one. */
export function maskIdentity(card: DecodedCard, expired: boolean): MaskedIdentity {
  const name = card.name.trim() || ('englishName' in card ? card.englishName : '');
  return {
    name: maskName(name),
    idNumber: maskIdNumber(card.idNumber),
    cardType: card.cardType,
    expired,
    validTo: card.validTo,
  };
}

/** Card warnings (devices/idcard/protocol/text.ts) that make the ID number unusable. */
const invalidNumberWarnings: ReadonlySet<string> = new Set(['checkDigit', 'idNumberFormat', 'idBirthDate']);

/**
 * Turns the reader's events into session events for the machine's whole life. The full card goes
 * into the vault; the machine only sees the masked identity and the vault's reference.
 */
export function createCardWatcher(reader: IdCardEventSource | undefined, vault: IdentityVault) {
  return fromCallback<EventObject, undefined>(({ sendBack }) => {
    if (!reader) return undefined;
    const onInserted = (): void => sendBack({ type: 'CARD.INSERTED' });
    const onRemoved = (): void => sendBack({ type: 'CARD.REMOVED' });
    const onRead = (e: CardReadEvent): void => {
      // A number that fails its check digit (GB 11643) or format is no identity: every upstream
      // would refuse it later. Refused here, as an unreadable card, and never put in the vault.
      if (e.card.warnings.some((w) => invalidNumberWarnings.has(w.code))) {
        sendBack({ type: 'CARD.FAILED' });
        return;
      }
      const ref = vault.offer(e.card);
      sendBack({ type: 'CARD.READ', ref, identity: maskIdentity(e.card, e.expired) });
    };
    // willRetry: the reader reads again once the card is re-placed (card moved mid-read).
    const onError = (e: { willRetry: boolean }): void => sendBack({ type: e.willRetry ? 'CARD.RETRY' : 'CARD.FAILED' });
    reader.on('cardInserted', onInserted);
    reader.on('cardRemoved', onRemoved);
    reader.on('cardRead', onRead);
    reader.on('error', onError);
    return () => {
      reader.off('cardInserted', onInserted);
      reader.off('cardRemoved', onRemoved);
      reader.off('cardRead', onRead);
      reader.off('error', onError);
    };
  });
}
