/**
 * Resident identity card numbers (GB 11643-1999): 6-digit address code, 8-digit birth date,
 * 3-digit sequence (odd = male, even = female) and an ISO 7064 MOD 11-2 check character.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK = '10X98765432';

/** The check character for the first 17 digits. */
export function idCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('need exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK[sum % 11] as string;
}

function validDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** Format, birth date and check character; says nothing about whether the number was issued. */
export function isValidIdNumber(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  if (!validDate(id.slice(6, 14))) return false;
  return idCheckChar(id.slice(0, 17)) === id[17];
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
