import { profiles } from '@kiosk/synthetic';
import { isValidIdNumber } from '@kiosk/synthetic';
import type { ExtraPerson } from '@kiosk/synthetic';

/**
 * The ID card simulator's built-in cards become sandbox people, so a demo card finds records in
 * every service. One of them — a visitor from 乌鲁木齐 — has none, to show the "no records" screen.
 * Cards whose number is not an 18-character GB 11643 number (the 2017 foreign permanent resident
 * card) are not seeded; the registries answer "no records" for them.
 */
export const NO_RECORDS_PROFILE = 'urumqi-long-name';

export function idCardProfilePeople(): ExtraPerson[] {
  const seen = new Set<string>();
  const usable = profiles.filter((p) => {
    const ok = isValidIdNumber(p.card.idNumber) && !seen.has(p.card.idNumber);
    seen.add(p.card.idNumber);
    return ok;
  });
  const residents = usable.filter((p) => p.card.cardType === 'resident');
  const none = residents.find((p) => p.name === NO_RECORDS_PROFILE) ?? residents[residents.length - 1];
  return usable.map((p) => ({ idNumber: p.card.idNumber, name: p.card.name, records: p === none ? 'none' : 'full' }));
}

/**
 * The resident card of an ID card simulator profile, for the e-ID platform (routes/eid.ts): the
 * electronic ID (居民身份证电子证照) exists for resident cards only. undefined: no such profile;
 * null: the profile's card is not a resident card with a valid number.
 */
export function residentCardOfProfile(name: string): ResidentProfileCard | null | undefined {
  const p = profiles.find((x) => x.name === name);
  if (!p) return undefined;
  const c = p.card;
  if (c.cardType !== 'resident' || !isValidIdNumber(c.idNumber)) return null;
  return {
    name: c.name,
    idNumber: c.idNumber,
    sex: c.sex,
    birthDate: c.birthDate,
    nationCode: c.nationCode,
    address: c.address,
    issuer: c.issuer,
    validFrom: c.validFrom,
    validTo: c.validTo,
  };
}

export interface ResidentProfileCard {
  name: string;
  idNumber: string;
  sex: 'male' | 'female' | 'unspecified' | 'unknown';
  birthDate: string;
  nationCode: string;
  address: string;
  issuer: string;
  validFrom: string;
  validTo: string;
}

/** Names of the profiles an e-ID code can be issued for. */
export function eidProfileNames(): string[] {
  return profiles.filter((p) => residentCardOfProfile(p.name)).map((p) => p.name);
}
