/**
 * Printer status bytes, decoded bit by bit (shared/reference/escpos.md §1.7). Pure: bytes in,
 * values out. The driver owns asking and timing out.
 */

/** A DLE EOT reply always matches 0xx1xx10: b0 = 0, b1 = 1, b4 = 1, b7 = 0. */
export const isRealtimeReply = (b: number): boolean => (b & 0x93) === 0x12;
/** First byte of an Automatic Status Back block: 0xx1xx00. */
export const isAsbFirstByte = (b: number): boolean => (b & 0x93) === 0x10;
export const XON = 0x11;
export const XOFF = 0x13;

const bit = (b: number, n: number): boolean => (b & (1 << n)) !== 0;

/** DLE EOT 1 — printer status. */
export interface PrinterStatusBits {
  /** b2: drawer kick-out connector pin 3 is HIGH. */
  drawerPin3High: boolean;
  /** b3: the printer is offline. */
  offline: boolean;
  /** b5: waiting for online recovery (newer models). */
  waitingForOnlineRecovery: boolean;
  /** b6: FEED button is being pressed (newer models). */
  feedButtonPressed: boolean;
}

/** DLE EOT 2 — offline cause. */
export interface OfflineCauseBits {
  /** b2: cover is open. */
  coverOpen: boolean;
  /** b3: paper is being fed by the FEED button. */
  paperFeedByButton: boolean;
  /** b5: printing stopped because the paper ran out. */
  paperEndStop: boolean;
  /** b6: an error occurred. */
  errorOccurred: boolean;
}

/** DLE EOT 3 — error cause. */
export interface ErrorCauseBits {
  /** b2: recoverable (mechanical) error. */
  recoverableError: boolean;
  /** b3: autocutter error. */
  autocutterError: boolean;
  /** b5: unrecoverable error. */
  unrecoverableError: boolean;
  /** b6: auto-recoverable error (head overheat; cover opened while printing). */
  autoRecoverableError: boolean;
}

/** DLE EOT 4 — roll paper sensor. */
export interface PaperSensorBits {
  /** b2+b3 (0x0C): roll paper near end. */
  nearEnd: boolean;
  /** b5+b6 (0x60): roll paper end (not present). */
  paperEnd: boolean;
}

export class StatusByteError extends Error {
  constructor(request: number | string, b: number, pattern = '0xx1xx10') {
    const what = typeof request === 'number' ? `DLE EOT ${request}` : request;
    super(`0x${b.toString(16).padStart(2, '0')} is not a ${what} reply (expected pattern ${pattern})`);
    this.name = 'StatusByteError';
  }
}

function check(n: number, b: number): void {
  if (!Number.isInteger(b) || b < 0 || b > 255 || !isRealtimeReply(b)) throw new StatusByteError(n, b);
}

export function decodePrinterStatus(b: number): PrinterStatusBits {
  check(1, b);
  return { drawerPin3High: bit(b, 2), offline: bit(b, 3), waitingForOnlineRecovery: bit(b, 5), feedButtonPressed: bit(b, 6) };
}

export function decodeOfflineCause(b: number): OfflineCauseBits {
  check(2, b);
  return { coverOpen: bit(b, 2), paperFeedByButton: bit(b, 3), paperEndStop: bit(b, 5), errorOccurred: bit(b, 6) };
}

export function decodeErrorCause(b: number): ErrorCauseBits {
  check(3, b);
  return {
    recoverableError: bit(b, 2),
    autocutterError: bit(b, 3),
    unrecoverableError: bit(b, 5),
    autoRecoverableError: bit(b, 6),
  };
}

/**
 * Epson sets both bits of a pair; some clones set one. Either counts, because reporting "near
 * end" or "out" too eagerly costs a guide a look, missing it costs a citizen a slip.
 */
export function decodePaperSensor(b: number): PaperSensorBits {
  check(4, b);
  return { nearEnd: (b & 0x0c) !== 0, paperEnd: (b & 0x60) !== 0 };
}

/** Automatic Status Back (GS a), 4 bytes; byte 3 uses different bit positions from DLE EOT 4. */
export interface AsbStatus {
  drawerPin3High: boolean;
  offline: boolean;
  coverOpen: boolean;
  paperFeedByButton: boolean;
  waitingForOnlineRecovery: boolean;
  feedButtonPressed: boolean;
  recoverableError: boolean;
  autocutterError: boolean;
  unrecoverableError: boolean;
  autoRecoverableError: boolean;
  nearEnd: boolean;
  paperEnd: boolean;
}

export function decodeAsb(bytes: ArrayLike<number>): AsbStatus {
  if (bytes.length !== 4) throw new RangeError(`ASB is 4 bytes, got ${bytes.length}`);
  const [b1, b2, b3] = [bytes[0]!, bytes[1]!, bytes[2]!];
  if (!isAsbFirstByte(b1)) throw new RangeError(`0x${b1.toString(16)} is not an ASB first byte (0xx1xx00)`);
  return {
    drawerPin3High: bit(b1, 2),
    offline: bit(b1, 3),
    coverOpen: bit(b1, 5),
    paperFeedByButton: bit(b1, 6),
    waitingForOnlineRecovery: bit(b2, 0),
    feedButtonPressed: bit(b2, 1),
    recoverableError: bit(b2, 2),
    autocutterError: bit(b2, 3),
    unrecoverableError: bit(b2, 5),
    autoRecoverableError: bit(b2, 6),
    nearEnd: (b3 & 0x03) !== 0,
    paperEnd: (b3 & 0x0c) !== 0,
  };
}

/**
 * A GS r reply matches 0xx0xxxx: b4 = 0 and b7 = 0 (Citizen CBM1000 appendix 3). XON (0x11),
 * XOFF (0x13), DLE EOT replies and most line noise (0x80–0xFF) do not; 0x00 does, so a reply is
 * only believed together with a DLE EOT read afterwards (see PrinterLink.sendJob).
 */
export const isPaperStatusReply = (b: number): boolean => Number.isInteger(b) && b >= 0 && b <= 0xff && (b & 0x90) === 0;

/** GS r 1 reply: same layout as ASB byte 3. Throws for a byte that cannot be one. */
export function decodePaperStatusReply(b: number): PaperSensorBits {
  if (!isPaperStatusReply(b)) throw new StatusByteError('GS r 1', b, '0xx0xxxx');
  return { nearEnd: (b & 0x03) !== 0, paperEnd: (b & 0x0c) !== 0 };
}

// ---------------------------------------------------------------- summary

export type PaperLevel = 'full' | 'low' | 'out' | 'unknown';

/** Why a printer cannot take a job, in order of precedence. */
export type NotReadyReason =
  | 'noDevice'
  | 'noReply'
  | 'coverOpen'
  | 'paperOut'
  | 'cutterError'
  | 'unrecoverableError'
  | 'recoverableError'
  | 'autoRecoverableError'
  | 'offline';

export const reasonText: Record<NotReadyReason, string> = {
  noDevice: '打印机未连接 / printer not connected',
  noReply: '打印机无响应 / printer does not answer status requests (offline or unknown)',
  coverOpen: '打印机盖未关 / printer cover open',
  paperOut: '打印机缺纸 / printer out of paper',
  cutterError: '切刀故障 / autocutter error',
  unrecoverableError: '打印机故障，需维修 / unrecoverable printer error',
  recoverableError: '打印机机械故障 / recoverable mechanical error',
  autoRecoverableError: '打印头过热或盖子在打印中打开，稍后自动恢复 / auto-recoverable error (head overheat)',
  offline: '打印机离线 / printer offline',
};

/** Raw DLE EOT replies by n; missing = not asked or no reply. */
export type RawStatus = Partial<Record<1 | 2 | 3 | 4, number>>;

export interface PrinterStatusSummary {
  /** All four replies arrived and none reports offline. */
  online: boolean;
  /** Replies arrived (the printer answered at all). */
  replied: boolean;
  paper: PaperLevel;
  coverOpen: boolean;
  cutterError: boolean;
  unrecoverableError: boolean;
  recoverableError: boolean;
  autoRecoverableError: boolean;
  /** The first reason that blocks printing, or undefined when ready. */
  notReady?: NotReadyReason;
  /** Every bit, for logs and `--json`. */
  bits: {
    printer?: PrinterStatusBits;
    offlineCause?: OfflineCauseBits;
    errorCause?: ErrorCauseBits;
    paperSensor?: PaperSensorBits;
  };
  raw: RawStatus;
}

/**
 * Combines DLE EOT 1..4 replies. A missing reply makes the printer unknown (never OK); a byte
 * that is not a valid reply is treated as missing.
 */
export function summarizeStatus(raw: RawStatus): PrinterStatusSummary {
  const safe = <T>(f: (b: number) => T, b: number | undefined): T | undefined => {
    if (b === undefined) return undefined;
    try {
      return f(b);
    } catch {
      return undefined;
    }
  };
  const printer = safe(decodePrinterStatus, raw[1]);
  const offlineCause = safe(decodeOfflineCause, raw[2]);
  const errorCause = safe(decodeErrorCause, raw[3]);
  const paperSensor = safe(decodePaperSensor, raw[4]);
  const replied = !!(printer && offlineCause && errorCause && paperSensor);
  const coverOpen = offlineCause?.coverOpen ?? false;
  const cutterError = errorCause?.autocutterError ?? false;
  const unrecoverableError = errorCause?.unrecoverableError ?? false;
  const recoverableError = errorCause?.recoverableError ?? false;
  const autoRecoverableError = errorCause?.autoRecoverableError ?? false;
  const paperOut = (paperSensor?.paperEnd ?? false) || (offlineCause?.paperEndStop ?? false);
  const paper: PaperLevel = paperOut ? 'out' : !paperSensor ? 'unknown' : paperSensor.nearEnd ? 'low' : 'full';
  let notReady: NotReadyReason | undefined;
  if (!replied) notReady = 'noReply';
  else if (coverOpen) notReady = 'coverOpen';
  else if (paperOut) notReady = 'paperOut';
  else if (cutterError) notReady = 'cutterError';
  else if (unrecoverableError) notReady = 'unrecoverableError';
  else if (recoverableError) notReady = 'recoverableError';
  else if (autoRecoverableError) notReady = 'autoRecoverableError';
  else if (printer?.offline) notReady = 'offline';
  const summary: PrinterStatusSummary = {
    online: replied && !printer.offline,
    replied,
    paper,
    coverOpen,
    cutterError,
    unrecoverableError,
    recoverableError,
    autoRecoverableError,
    bits: {},
    raw,
  };
  if (notReady) summary.notReady = notReady;
  if (printer) summary.bits.printer = printer;
  if (offlineCause) summary.bits.offlineCause = offlineCause;
  if (errorCause) summary.bits.errorCause = errorCause;
  if (paperSensor) summary.bits.paperSensor = paperSensor;
  return summary;
}

// ---------------------------------------------------------------- incoming byte stream

export type StatusEvent =
  | { kind: 'realtime'; byte: number }
  | { kind: 'asb'; bytes: [number, number, number, number]; status: AsbStatus }
  | { kind: 'other'; byte: number }
  | { kind: 'flow'; byte: number };

/**
 * Splits what a printer sends back into DLE EOT replies (0xx1xx10), ASB blocks (0xx1xx00 + 3),
 * XON/XOFF (skipped inside ASB too) and other bytes (GS r replies, 0xx0xxxx), following the
 * Citizen CBM1000 table. Feed it chunks in order.
 */
export class StatusStreamParser {
  private asb: number[] = [];

  push(chunk: Uint8Array): StatusEvent[] {
    const out: StatusEvent[] = [];
    for (const b of chunk) this.byte(b, out);
    return out;
  }

  private byte(b: number, out: StatusEvent[]): void {
    if (b === XON || b === XOFF) {
      out.push({ kind: 'flow', byte: b });
      return;
    }
    if (this.asb.length > 0) {
      if ((b & 0x90) !== 0) {
        // ASB bytes 2–4 are 0xx0xxxx: this byte cannot continue the block, so what started it
        // was a stray byte. Report that one as such and read the rest again on their own — a
        // DLE EOT or GS r reply that came after a stray byte is never lost.
        const [first, ...rest] = this.asb;
        this.asb = [];
        out.push({ kind: 'other', byte: first! });
        for (const x of [...rest, b]) this.byte(x, out);
        return;
      }
      this.asb.push(b);
      if (this.asb.length === 4) {
        const bytes = this.asb as [number, number, number, number];
        this.asb = [];
        out.push({ kind: 'asb', bytes, status: decodeAsb(bytes) });
      }
      return;
    }
    if (isRealtimeReply(b)) out.push({ kind: 'realtime', byte: b });
    else if (isAsbFirstByte(b)) this.asb.push(b);
    else out.push({ kind: 'other', byte: b });
  }

  reset(): void {
    this.asb = [];
  }
}
