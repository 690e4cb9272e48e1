/**
 * Resident identity card numbers (GB 11643-1999): 6-digit address code, 8-digit birth date,
 * 3-digit sequence (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.
 */

import { checkDigit18, isValidDate, validateIdNumber18 } from '@kiosk/protocol-sam';

/** The check character for the first 17 digits (the ID card reader's own GB 11643 code). */
export const idCheckChar = checkDigit18;

/** Format, birth date and check character; says nothing about whether the number was issued. */
export function isValidIdNumber(id: string): boolean {
  // Synthetic people always carry an upper-case X; the reader's check also accepts a lower-case one.
  return /^\d{17}[\dX]$/.test(id) && Number(id.slice(6, 10)) >= 1900 && validateIdNumber18(id).valid;
}

function validDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  return y >= 1900 && isValidDate(y, Number(yyyymmdd.slice(4, 6)), Number(yyyymmdd.slice(6, 8)));
}

export function makeIdNumber(areaCode: string, birthDate: string, sequence: number): string {
  const birth = birthDate.replaceAll('-', '');
  if (!/^\d{6}$/.test(areaCode) || !validDate(birth) || sequence < 0 || sequence > 999) {
    throw new Error('bad id number parts');
  }
  const first17 = `${areaCode}${birth}${String(sequence).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

export function sexOfIdNumber(id: string): 'M' | 'F' {
  return Number(id[16]) % 2 === 1 ? 'M' : 'F';
}

/**
 * What the registries accept as a person's number: a GB 11643 number (resident cards, HK/Macau/
 * Taiwan residence permits, the 2023 foreign permanent resident card) or the 15-character 2017
 * foreign permanent resident number (3-letter nationality + 12 digits).
 */
export function isAcceptedPersonNumber(id: string): boolean {
  return isValidIdNumber(id) || /^[A-Z]{3}\d{12}$/.test(id);
}
