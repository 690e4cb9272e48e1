/**
 * What the gas top-up needs from a gas IC card reader/writer, whatever the vendor. The simulated
 * reader's driver (driver.ts) implements it over the framed protocol in protocol/; a vendor
 * reader gets its own driver class that implements the same interface (docs/gas.md).
 */
import type { DeviceDriver } from '@kiosk/contracts/device-status';

/** A gas purchase sitting on the card that the meter has not loaded yet. */
export interface StoredPurchase {
  amountFen: number;
  volumeM3: number;
}

export interface GasCardData {
  cardNo: string;
  accountNo: string;
  /** 购气次数: purchases written to this card so far. A write moves it up by exactly one. */
  purchaseCount: number;
  storedPurchase: StoredPurchase | null;
}

/** The gas company's write data (IcPurchase.write) plus the business serial number. */
export interface GasCardWrite {
  cardNo: string;
  /** The counter the card must show after the write (current + 1). */
  purchaseCount: number;
  amountFen: number;
  volumeM3: number;
  /** Gas-company MAC over the write, 16 hex digits. */
  mac: string;
  serialNo: string;
}

export interface GasCardWriteResult {
  /** alreadyWritten: the card already showed the target counter; nothing was written again. */
  result: 'written' | 'alreadyWritten';
  purchaseCount: number;
}

export type GasCardErrorCode =
  /** No card in the reader (a write was not attempted). */
  | 'noCard'
  /** The card in the reader is not the one the write is for. */
  | 'cardMismatch'
  /** The card's counter is neither target - 1 nor target: nothing was written. */
  | 'counterMismatch'
  /** The card refused the MAC: nothing was written. */
  | 'macRejected'
  /** The write was sent but its outcome is unknown (card pulled, no answer): re-read the card. */
  | 'writeUnknown'
  /** A read or status request got no answer in time. */
  | 'timeout'
  /** The reader is not connected. */
  | 'offline'
  /** A malformed or unexpected reply. */
  | 'protocol'
  | 'canceled';

export class GasCardError extends Error {
  constructor(
    readonly code: GasCardErrorCode,
    message: string,
    /** The card's counter when the reader reported it (counterMismatch). */
    readonly purchaseCount?: number,
  ) {
    super(message);
    this.name = 'GasCardError';
  }
}

export interface GasCardReader extends DeviceDriver {
  readonly kind: 'gascard';
  /** Whether a card sits in the reader, as of the last poll. */
  cardPresent(): boolean;
  readCard(options?: { signal?: AbortSignal }): Promise<GasCardData>;
  /** Resolves with the card as soon as one is present (at once if it already is). */
  waitForCard(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<GasCardData>;
  /**
   * Writes one purchase. Resolves only when the card confirmed the target counter. Rejects with
   * GasCardError: writeUnknown means the caller must re-read the card before anything else.
   */
  writePurchase(write: GasCardWrite): Promise<GasCardWriteResult>;
  on(event: 'status', listener: (status: import('@kiosk/contracts/device-status').DeviceStatus) => void): unknown;
  on(event: 'cardInserted' | 'cardRemoved', listener: () => void): unknown;
  off(event: 'status', listener: (status: import('@kiosk/contracts/device-status').DeviceStatus) => void): unknown;
  off(event: 'cardInserted' | 'cardRemoved', listener: () => void): unknown;
}

export function isGasCardReader(d: DeviceDriver | undefined): d is GasCardReader {
  return (
    d !== undefined &&
    d.kind === 'gascard' &&
    typeof (d as Partial<GasCardReader>).writePurchase === 'function' &&
    typeof (d as Partial<GasCardReader>).readCard === 'function'
  );
}
