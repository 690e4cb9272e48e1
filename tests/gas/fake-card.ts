import { EventEmitter } from 'node:events';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import {
  GasCardError,
  type GasCardData,
  type GasCardReader,
  type GasCardWrite,
  type GasCardWriteResult,
} from '@kiosk/protocol-gascard';
import { applyWrite, findCardProfile, newCard, type SimCard } from '../../apps/simulators/src/gascard/card.js';

/**
 * An in-process gas card reader over the simulator's card model, for engine tests that are about
 * money logic rather than the wire (the real driver over ptys is tested in driver.test.ts).
 */
export class FakeGasCardReader extends EventEmitter implements GasCardReader {
  readonly kind = 'gascard' as const;
  readonly wallet = new Map<string, SimCard>();
  inserted: SimCard | null = null;
  /**
   * Next write: the card is pulled mid-write (or, with keepCard, the reader never answers);
   * `applied` decides whether the write took.
   */
  removeMidWrite: { applied: boolean; keepCard?: boolean } | null = null;
  writeCalls = 0;
  /**
   * Next write is torn: the card's purchase counter is written but its stored balance is not
   * (power or contact lost between the two sectors), and no answer comes back. With keepCard the
   * card stays in the reader.
   */
  tearNextWrite: { keepCard: boolean } | null = null;

  status(): DeviceStatus {
    return { device: 'online' };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  insert(profile: string): SimCard {
    const p = findCardProfile(profile);
    if (!p) throw new Error(`no card profile ${profile}`);
    let card = this.wallet.get(p.cardNo);
    if (!card) {
      card = newCard(p);
      this.wallet.set(p.cardNo, card);
    }
    this.inserted = card;
    this.emit('cardInserted');
    return card;
  }

  remove(): void {
    this.inserted = null;
    this.emit('cardRemoved');
  }

  cardPresent(): boolean {
    return this.inserted !== null;
  }

  async readCard(): Promise<GasCardData> {
    const c = this.inserted;
    if (!c) throw new GasCardError('noCard', 'no card');
    return {
      cardNo: c.cardNo,
      accountNo: c.accountNo,
      purchaseCount: c.purchaseCount,
      storedPurchase: c.storedPurchase ? { ...c.storedPurchase } : null,
    };
  }

  async waitForCard(): Promise<GasCardData> {
    return this.readCard();
  }

  async writePurchase(w: GasCardWrite): Promise<GasCardWriteResult> {
    const c = this.inserted;
    if (!c) throw new GasCardError('noCard', 'no card');
    this.writeCalls += 1;
    const tear = this.tearNextWrite;
    if (tear) {
      this.tearNextWrite = null;
      if (w.purchaseCount === c.purchaseCount + 1) c.purchaseCount = w.purchaseCount;
      if (!tear.keepCard) this.remove();
      throw new GasCardError('writeUnknown', 'card write torn: no answer');
    }
    const fault = this.removeMidWrite;
    if (fault) {
      this.removeMidWrite = null;
      if (fault.applied) applyWrite(c, w, new Date());
      if (!fault.keepCard) this.remove();
      throw new GasCardError('writeUnknown', 'card removed during the write');
    }
    const r = applyWrite(c, w, new Date());
    if (r.status === 'ok') return { result: 'written', purchaseCount: r.purchaseCount };
    throw new GasCardError(r.status, `card refused: ${r.status}`, r.purchaseCount);
  }
}
