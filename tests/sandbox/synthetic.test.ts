import { describe, expect, it } from 'vitest';
import { idCheckChar, isValidIdNumber, makeIdNumber } from '@kiosk/synthetic';
import { containsFullIdNumber, maskIdNumber, maskName } from '../../apps/sandbox/src/mask.js';
import { DISTRICTS, generateSyntheticData } from '@kiosk/synthetic';
import { propertySchema, socialRecordSchema, taxRecordSchema } from '@kiosk/contracts/upstream';
import { AS_OF, hasNoRecords } from './fixture.js';

describe('GB 11643 id numbers', () => {
  it('computes the check character (published example 11010519491231002X)', () => {
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(isValidIdNumber('110105194912310021')).toBe(false);
  });
  it('rejects impossible birth dates and bad formats', () => {
    expect(isValidIdNumber(makeIdNumber('421202', '1990-02-28', 13))).toBe(true);
    const first17 = '42120219900230013';
    expect(isValidIdNumber(first17 + idCheckChar(first17))).toBe(false);
    expect(isValidIdNumber('4212021990022801')).toBe(false);
    expect(() => makeIdNumber('421202', '1990-13-01', 1)).toThrow();
  });
});

describe('masking', () => {
  it('masks names and id numbers as DESIGN.md shows', () => {
    expect(maskName('张小三')).toBe('张*三');
    expect(maskName('李四')).toBe('李*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
    expect(maskIdNumber('42120219900228013X')).toBe('4212**********013X');
    expect(containsFullIdNumber('holder 42120219900228013X here')).toBe(true);
    expect(containsFullIdNumber('4212**********013X')).toBe(false);
  });
});

describe('synthetic data', () => {
  const a = generateSyntheticData({ asOf: AS_OF });
  const b = generateSyntheticData({ asOf: AS_OF });

  it('is the same on every run', () => {
    expect(b).toEqual(a);
    expect(a.people.map((p) => p.idNumber)).toEqual(b.people.map((p) => p.idNumber));
  });

  it('keeps the same people (numbers and names) whatever the asOf date', () => {
    const later = generateSyntheticData({ asOf: '2027-03-15' });
    expect(later.people.map((p) => [p.idNumber, p.name])).toEqual(a.people.map((p) => [p.idNumber, p.name]));
  });

  it('changes with the seed', () => {
    const c = generateSyntheticData({ asOf: AS_OF, seed: 'another seed' });
    expect(c.people.map((p) => p.idNumber)).not.toEqual(a.people.map((p) => p.idNumber));
  });

  it('has at least 50 distinct people with valid id numbers from the six 咸宁 areas', () => {
    expect(a.people.length).toBeGreaterThanOrEqual(50);
    const codes = new Set(DISTRICTS.map((d) => d.code));
    expect(codes).toEqual(new Set(['421202', '421221', '421281', '421222', '421223', '421224']));
    for (const p of a.people) {
      expect(isValidIdNumber(p.idNumber), p.idNumber).toBe(true);
      expect(codes.has(p.idNumber.slice(0, 6))).toBe(true);
      expect(p.name).toMatch(/^\p{Script=Han}{2,4}$/u);
      expect(p.birthDate.replaceAll('-', '')).toBe(p.idNumber.slice(6, 14));
    }
    expect(new Set(a.people.map((p) => p.idNumber)).size).toBe(a.people.length);
  });

  it('has people with none, people with many, and every encumbrance kind', () => {
    expect(a.people.filter(hasNoRecords).length).toBeGreaterThanOrEqual(3);
    expect(a.people.some((p) => p.properties.length >= 4 && p.tax.length >= 30 && p.social.length >= 20)).toBe(true);
    const statuses = a.people.flatMap((p) => p.properties.flatMap((x) => x.statuses.map((s) => s.type)));
    for (const t of ['mortgage', 'seizure', 'objection', 'advance_notice'] as const) {
      expect(statuses.filter((s) => s === t).length, t).toBeGreaterThanOrEqual(2);
    }
    expect(a.people.some((p) => p.properties.some((x) => x.statuses.length === 0))).toBe(true);
    expect(
      a.people.some((p) =>
        p.properties.some((x) => x.statuses.some((s) => s.type === 'mortgage') && x.statuses.some((s) => s.type === 'seizure')),
      ),
    ).toBe(true);
    expect(a.people.some((p) => p.social.some((s) => s.kind === 'resident'))).toBe(true);
    expect(a.people.some((p) => p.social.some((s) => s.kind === 'flexible'))).toBe(true);
  });

  it('matches the wire contract and never dates a record after asOf', () => {
    for (const p of a.people) {
      for (const x of p.properties) {
        expect(() => propertySchema.parse(x)).not.toThrow();
        expect(x.registeredOn <= AS_OF).toBe(true);
        expect(x.unitNumber).toHaveLength(28);
        expect(x.certificateNo).toMatch(/^鄂\(\d{4}\).+不动产权第\d{7}号$/);
      }
      for (const t of p.tax) {
        expect(() => taxRecordSchema.parse(t)).not.toThrow();
        expect(t.paidOn <= AS_OF).toBe(true);
      }
      for (const s of p.social) {
        expect(() => socialRecordSchema.parse(s)).not.toThrow();
        expect(s.paidOn <= AS_OF).toBe(true);
      }
    }
  });

  it('seeds extra people (the ID card simulator profiles) with records, or none when asked', () => {
    const extra = [
      { idNumber: makeIdNumber('421202', '1985-05-05', 101), name: '测试甲', records: 'full' as const },
      { idNumber: makeIdNumber('421281', '1970-01-01', 202), name: '测试乙', records: 'none' as const },
    ];
    const d = generateSyntheticData({ asOf: AS_OF, extraPeople: extra });
    const full = d.people.find((p) => p.idNumber === extra[0]!.idNumber)!;
    const none = d.people.find((p) => p.idNumber === extra[1]!.idNumber)!;
    expect(full.properties.length).toBeGreaterThan(0);
    expect(full.tax.length).toBeGreaterThan(0);
    expect(full.social.some((s) => s.kind === 'resident')).toBe(true);
    expect(hasNoRecords(none)).toBe(true);
    // Generated people are unaffected by adding extras.
    expect(d.people.filter((p) => p.source === 'generated')).toEqual(a.people);
  });
});
