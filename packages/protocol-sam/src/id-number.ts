/**
 * Identity number checks. GB 11643-1999 (18 characters: 6-digit address code, YYYYMMDD,
 * 3-digit sequence whose parity is the sex, MOD 11-2 check character 0-9/X) is used by resident
 * IDs, HK/Macau/Taiwan residence permits (address code 81/82/83 0000) and the 2023 foreign
 * permanent resident ID (first digit 9). The 2017 foreign card has a 15-character number
 * (3 letters + 12 digits) whose last digit is a 7-3-1 check (one source only, reference §3.4).
 *
 * A failed check is reported, never "fixed": the caller decides (the driver adds a warning).
 */

const WEIGHTS_18 = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS_18 = '10X98765432';

export type IdNumberProblem = 'format' | 'checkDigit' | 'birthDate';

export interface IdNumberCheck {
  valid: boolean;
  problem?: IdNumberProblem;
  /** The check character the number should end with, when only that was wrong. */
  expectedCheck?: string;
  message?: string;
}

/** MOD 11-2 check character for the first 17 digits. */
export function checkDigit18(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('check digit needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS_18[i]!;
  return CHECK_CHARS_18[sum % 11]!;
}

export function isValidDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** Validates an 18-character GB 11643 number (resident, HK/Macau/Taiwan, 2023 foreign). */
export function validateIdNumber18(id: string): IdNumberCheck {
  if (!/^\d{17}[\dXx]$/.test(id)) {
    return { valid: false, problem: 'format', message: 'not 17 digits followed by a digit or X' };
  }
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const expected = checkDigit18(id.slice(0, 17));
  if (expected !== id[17]!.toUpperCase()) {
    return { valid: false, problem: 'checkDigit', expectedCheck: expected, message: 'check digit does not match' };
  }
  if (!isValidDate(y, m, d) || y < 1800) {
    return { valid: false, problem: 'birthDate', message: 'birth date part is not a calendar date' };
  }
  return { valid: true };
}

function value731(ch: string): number {
  if (ch >= '0' && ch <= '9') return ch.charCodeAt(0) - 48;
  if (ch >= 'A' && ch <= 'Z') return ch.charCodeAt(0) - 55;
  return 0; // '<' filler counts as 0
}

/** 7-3-1 check digit over 14 characters (letters A=10 … Z=35, '<'=0), sum mod 10. */
export function checkDigit731(first14: string): string {
  let sum = 0;
  const w = [7, 3, 1];
  for (let i = 0; i < first14.length; i++) sum += value731(first14[i]!) * w[i % 3]!;
  return String(sum % 10);
}

/** 2017 foreign permanent resident number: 3 letters (nationality) + 12 digits, last one a check. */
export function validateForeign2017Number(n: string): IdNumberCheck {
  if (!/^[A-Z]{3}\d{12}$/.test(n)) {
    return { valid: false, problem: 'format', message: 'not 3 capital letters followed by 12 digits' };
  }
  const expected = checkDigit731(n.slice(0, 14));
  if (expected !== n[14]) {
    return { valid: false, problem: 'checkDigit', expectedCheck: expected, message: 'check digit does not match' };
  }
  return { valid: true };
}

/**
 * Rebuilds the previous 15-character number of a 2023 foreign card from its 18-digit number,
 * the 3-letter country code and the 3-character link field (reference §3.4, one source).
 * Returns undefined when the link field is blank.
 */
export function previousForeignNumber(id18: string, country: string, link: string): string | undefined {
  if (!/^\S{3}$/.test(link) || !/^[A-Z]{3}$/.test(country) || id18.length !== 18) return undefined;
  const first14 = country + id18.slice(1, 3) + link.slice(0, 2) + id18.slice(8, 14) + link[2];
  return first14 + checkDigit731(first14);
}

/** Sex from the 17th character of an 18-digit number: odd = male. */
export function sexFromIdNumber(id: string): 'male' | 'female' | undefined {
  const c = id[16];
  if (!c || !/\d/.test(c)) return undefined;
  return Number(c) % 2 === 1 ? 'male' : 'female';
}
