/**
 * The simulated gas IC card: what a memory card of an IC-card gas meter holds (card number,
 * account, purchase counter 购气次数, the purchase not yet loaded into the meter) and how it takes
 * a write. Pure: the simulator and tests share it.
 */
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { GasCardWrite } from '@kiosk/protocol-gascard';

interface SimCardWrite {
  serialNo: string;
  purchaseCount: number;
  amountFen: number;
  volumeM3: number;
  at: string;
}

export interface SimCard {
  cardNo: string;
  accountNo: string;
  purchaseCount: number;
  storedPurchase: { amountFen: number; volumeM3: number } | null;
  /**
   * Every purchase whose balance reached the card, in order: the card's own record of what it was
   * given (the crash campaign counts deliveries per serial number from it, never from the kiosk).
   */
  writes: SimCardWrite[];
  /** Torn writes: the counter moved to the target but the balance never got written. */
  torn: SimCardWrite[];
}

export interface CardProfile {
  name: string;
  description: string;
  cardNo: string;
  accountNo: string;
  purchaseCount: number;
}

/** Cards of the sandbox's demo IC-card accounts, with the counters the gas company starts from. */
export const cardProfiles: readonly CardProfile[] = [
  {
    name: 'icCard',
    description: 'IC-card meter, 7 purchases so far (sandbox account 8800200001)',
    cardNo: DEMO_GAS_ACCOUNTS.icCard.cardNo,
    accountNo: DEMO_GAS_ACCOUNTS.icCard.accountNo,
    purchaseCount: 7,
  },
  {
    name: 'icCardNew',
    description: 'IC-card meter, new card with no purchase yet (sandbox account 8800200002)',
    cardNo: DEMO_GAS_ACCOUNTS.icCardNew.cardNo,
    accountNo: DEMO_GAS_ACCOUNTS.icCardNew.accountNo,
    purchaseCount: 0,
  },
];

export function findCardProfile(name: string): CardProfile | undefined {
  return cardProfiles.find((p) => p.name === name);
}

export function newCard(p: Pick<CardProfile, 'cardNo' | 'accountNo' | 'purchaseCount'>): SimCard {
  return { cardNo: p.cardNo, accountNo: p.accountNo, purchaseCount: p.purchaseCount, storedPurchase: null, writes: [], torn: [] };
}

export type CardWriteStatus = 'ok' | 'counterMismatch' | 'cardMismatch' | 'macRejected';

/** Why a write would be refused before anything changes on the card, or null when it takes. */
function refusal(card: SimCard, w: GasCardWrite): Exclude<CardWriteStatus, 'ok'> | null {
  if (w.cardNo !== card.cardNo) return 'cardMismatch';
  if (!/^[0-9A-F]{16}$/i.test(w.mac) || /^0+$/.test(w.mac)) return 'macRejected';
  // The gas company's write data is for the next purchase (counter + 1). A card does NOT protect
  // itself against the same purchase written twice: a write whose target equals the counter it
  // already shows is taken again (the balance is added a second time). Only the kiosk's own
  // re-read before writing prevents a double write; the crash campaign relies on that.
  if (w.purchaseCount !== card.purchaseCount + 1 && w.purchaseCount !== card.purchaseCount) return 'counterMismatch';
  return null;
}

const record = (w: GasCardWrite, at: Date): SimCardWrite => ({
  serialNo: w.serialNo,
  purchaseCount: w.purchaseCount,
  amountFen: w.amountFen,
  volumeM3: w.volumeM3,
  at: at.toISOString(),
});

/**
 * A write that completes: the counter becomes the target and the purchase is added to the balance
 * waiting for the meter. A repeated write is NOT answered "already written": it adds again.
 */
export function applyWrite(card: SimCard, w: GasCardWrite, at: Date): { status: CardWriteStatus; purchaseCount: number } {
  const refused = refusal(card, w);
  if (refused) return { status: refused, purchaseCount: card.purchaseCount };
  card.purchaseCount = w.purchaseCount;
  const stored = card.storedPurchase;
  card.storedPurchase = {
    amountFen: (stored?.amountFen ?? 0) + w.amountFen,
    volumeM3: Math.round(((stored?.volumeM3 ?? 0) + w.volumeM3) * 100) / 100,
  };
  card.writes.push(record(w, at));
  return { status: 'ok', purchaseCount: card.purchaseCount };
}

/**
 * A torn write (card pulled or power lost between the two blocks a memory card writes): the
 * purchase counter is written, the balance is not. Reading the card afterwards shows the target
 * counter with the stored purchase unchanged. Returns false when the write would have been refused.
 */
export function applyTornWrite(card: SimCard, w: GasCardWrite, at: Date): boolean {
  if (refusal(card, w)) return false;
  card.purchaseCount = w.purchaseCount;
  card.torn.push(record(w, at));
  return true;
}

/** The meter loaded the card: the stored purchase moves into the meter. */
export function loadIntoMeter(card: SimCard): void {
  card.storedPurchase = null;
}
