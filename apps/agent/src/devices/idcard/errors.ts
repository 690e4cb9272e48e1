import { describeSw3 } from '@kiosk/protocol-sam';

export type IdCardErrorCode =
  /** The reader answered with an error SW3 while reading (card moved, unreadable card …). */
  | 'readFailed'
  /** The reader did not answer in time. */
  | 'timeout'
  /** A reply arrived damaged (checksum) or in an unexpected shape. */
  | 'badFrame'
  /** The text block could not be decoded. */
  | 'decode'
  /** The SAM reported a fault (self-test failed, unauthorised). */
  | 'sam'
  /** The port is closed or went away. */
  | 'transport'
  /** waitForCard: no card arrived in time. */
  | 'noCard'
  | 'stopped';

/** Errors the driver emits or rejects with. Messages never contain personal data. */
export class IdCardError extends Error {
  readonly code: IdCardErrorCode;
  readonly zh: string;
  readonly sw3: number | undefined;
  /** True when the driver will read again once the citizen re-places the card. */
  readonly willRetry: boolean;

  constructor(code: IdCardErrorCode, zh: string, en: string, opts: { sw3?: number; willRetry?: boolean } = {}) {
    super(en);
    this.name = 'IdCardError';
    this.code = code;
    this.zh = zh;
    this.sw3 = opts.sw3;
    this.willRetry = opts.willRetry ?? false;
  }

  static fromSw3(code: IdCardErrorCode, sw3: number, willRetry = false): IdCardError {
    const s = describeSw3(sw3);
    return new IdCardError(code, s.zh, `${s.en} (SW3=${sw3.toString(16).toUpperCase().padStart(2, '0')})`, { sw3, willRetry });
  }

  withRetry(willRetry: boolean): IdCardError {
    return new IdCardError(this.code, this.zh, this.message, { ...(this.sw3 !== undefined ? { sw3: this.sw3 } : {}), willRetry });
  }
}
