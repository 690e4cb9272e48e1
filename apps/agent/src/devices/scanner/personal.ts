/**
 * What a scanned code may reveal. A kiosk's scanner reads e-ID codes (bearer tokens for a
 * person's identity), and codes on paper documents often carry an ID number. Anything that looks
 * like either is masked before it is printed by the CLI or logged. Pure.
 */
import { isEidCode, maskEidCode, maskEidCodesIn } from '@kiosk/contracts/eid';
import { maskIdNumber } from '@kiosk/platform';

export type ScannedKind = 'eid' | 'idNumber' | 'other';

/** 18-character GB 11643 shape (17 digits and a digit or X), not inside a longer run of digits. */
const ID_NUMBER = /(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])/g;

export function classifyScan(text: string): ScannedKind {
  if (isEidCode(text)) return 'eid';
  ID_NUMBER.lastIndex = 0;
  if (ID_NUMBER.test(text)) return 'idNumber';
  return 'other';
}

/** The code as it may be shown or logged: e-ID codes and ID numbers inside it are masked. */
export function maskScan(text: string): { text: string; kind: ScannedKind; masked: boolean } {
  const kind = classifyScan(text);
  if (kind === 'eid') return { text: maskEidCode(text), kind, masked: true };
  const out = maskEidCodesIn(text).replace(ID_NUMBER, (m) => maskIdNumber(m));
  return { text: out, kind, masked: out !== text };
}
