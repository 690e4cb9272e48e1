/**
 * The IC-card rule (issue 12, defect 5): is this order's purchase already on the card? Decided
 * from the gas company's purchase record and the card's counter AND stored amount together. A
 * card whose counter shows the purchase but whose stored amount does not (a torn write: counter
 * written, balance not) is neither "written" nor safe to write again.
 */
import type { GasCardData } from '@kiosk/protocol-gascard';
import type { IcPurchaseStatus } from '@kiosk/contracts/upstream';

/** The gas company's record of the purchase (null: it has none under this serial). */
export interface PurchaseRecord {
  cardNo: string;
  /** The counter the card shows once this purchase is on it. */
  targetCount: number;
  amountFen: number;
  status: IcPurchaseStatus;
}

/**
 * What the card held just before this order's write went out (journaled with the `card_write`
 * step), so a read-back can tell "this purchase is on it" from "an older balance is". The card's
 * stored purchase is its balance not yet loaded into the meter: a write adds to it.
 */
export interface CardBefore {
  storedFen: number;
}

/**
 * - `on_card`: counter at the target and the stored balance shows this purchase: report written;
 * - `write`: counter one below the target and the balance untouched: write (again);
 * - `torn`: counter and stored balance disagree (counter written, balance not, or the other way
 *   round): needs_attention, never written again blind;
 * - `mismatch`: the counter is somewhere else, or the record is missing or voided: needs_attention;
 * - `wrong_card`: not this order's card.
 */
export type CardVerdict = 'on_card' | 'write' | 'torn' | 'mismatch' | 'wrong_card';

export function cardAlreadyWritten(
  card: Pick<GasCardData, 'cardNo' | 'purchaseCount' | 'storedPurchase'>,
  record: PurchaseRecord | null,
  before: CardBefore | null,
): CardVerdict {
  if (record === null || record.status === 'voided') return 'mismatch';
  if (card.cardNo !== record.cardNo) return 'wrong_card';
  const stored = card.storedPurchase?.amountFen ?? 0;
  if (card.purchaseCount === record.targetCount) {
    // Without the balance before the write, at least this purchase's amount must be there.
    const holds = before !== null ? stored === before.storedFen + record.amountFen : stored >= record.amountFen;
    return holds ? 'on_card' : 'torn';
  }
  if (card.purchaseCount === record.targetCount - 1) {
    return before !== null && stored !== before.storedFen ? 'torn' : 'write';
  }
  return 'mismatch';
}
