/**
 * The simulated gas IC card: what a memory card of an IC-card gas meter holds (card number,
 * account, purchase counter 购气次数, the purchase not yet loaded into the meter) and how it takes
 * a write. Pure: the simulator and tests share it.
 */
import { DEMO_GAS_ACCOUNTS } from '../../device-agent/src/sandbox/synthetic.js';

export interface SimCardWrite {
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
  /** Every write that took, in order (the crash test counts them per serial number). */
  writes: SimCardWrite[];
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
  return { cardNo: p.cardNo, accountNo: p.accountNo, purchaseCount: p.purchaseCount, storedPurchase: null, writes: [] };
}

export type CardWriteStatus = 'ok' | 'alreadyWritten' | 'counterMismatch' | 'cardMismatch' | 'macRejected';

export interface CardWriteRequest {
  cardNo: string;
  purchaseCount: number;
  amountFen: number;
  volumeM3: number;
  mac: string;
  serialNo: string;
}

/**
 * The card's own rule: it takes a purchase only as the next one (counter + 1); a write of the
 * counter it already shows is answered "already written" and changes nothing.
 */
export function applyWrite(card: SimCard, w: CardWriteRequest, at: Date): { status: CardWriteStatus; purchaseCount: number } {
  if (w.cardNo !== card.cardNo) return { status: 'cardMismatch', purchaseCount: card.purchaseCount };
  if (!/^[0-9A-F]{16}$/i.test(w.mac) || /^0+$/.test(w.mac)) return { status: 'macRejected', purchaseCount: card.purchaseCount };
  if (w.purchaseCount === card.purchaseCount) return { status: 'alreadyWritten', purchaseCount: card.purchaseCount };
  if (w.purchaseCount !== card.purchaseCount + 1) return { status: 'counterMismatch', purchaseCount: card.purchaseCount };
  card.purchaseCount = w.purchaseCount;
  const stored = card.storedPurchase;
  card.storedPurchase = {
    amountFen: (stored?.amountFen ?? 0) + w.amountFen,
    volumeM3: Math.round(((stored?.volumeM3 ?? 0) + w.volumeM3) * 100) / 100,
  };
  card.writes.push({ serialNo: w.serialNo, purchaseCount: w.purchaseCount, amountFen: w.amountFen, volumeM3: w.volumeM3, at: at.toISOString() });
  return { status: 'ok', purchaseCount: card.purchaseCount };
}

/** The meter loaded the card: the stored purchase moves into the meter. */
export function loadIntoMeter(card: SimCard): void {
  card.storedPurchase = null;
}
