import { randomBytes, randomInt } from 'node:crypto';
import { chinaDateCompact } from '@kiosk/platform';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Unguessable suffix: serials are printed in public QR codes, so they must not be enumerable. */
export function randomCode(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += CROCKFORD[(bytes[i] as number) % 32];
  return s;
}

export function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(randomInt(0, 10));
  return s;
}

/** Slip serial, e.g. XN20261126-7K3M9Q2DHT. */
export function slipSerial(at: Date): string {
  return `XN${chinaDateCompact(at)}-${randomCode(10)}`;
}

export const SLIP_SERIAL = /^XN\d{8}-[0-9A-HJKMNP-TV-Z]{10}$/;
