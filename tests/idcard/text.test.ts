import { describe, expect, test } from 'vitest';
import { decodeText, detectCardType, encodeText, isExpired, nations, type DecodedCard } from '@kiosk/protocol-sam';
import { profiles } from '@kiosk/synthetic';
import { syntheticCard } from './vectors.js';

function decode(block: Buffer): DecodedCard {
  const r = decodeText(block);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function u16(block: Buffer, off: number, len: number): string {
  return block.subarray(off, off + len).toString('utf16le');
}

describe('resident ID (居民身份证)', () => {
  test('§6 synthetic vector decodes to the fields it was built from', () => {
    const card = decode(encodeText(syntheticCard));
    expect(card).toEqual({ ...syntheticCard, nation: '汉', warnings: [] });
  });

  test('layout: fields at GA/T 490 offsets, space padded, 长期 followed by 6 spaces, 18 spaces reserved', () => {
    const p = profiles.find((x) => x.name === 'tongshan-long-term')!;
    const block = encodeText(p.card);
    expect(u16(block, 0, 30)).toBe('郑示范'.padEnd(15, ' '));
    expect(u16(block, 30, 2)).toBe('2');
    expect(u16(block, 32, 4)).toBe('01');
    expect(u16(block, 36, 16)).toBe('19580923');
    expect(u16(block, 122, 36)).toBe('42122419580923042X');
    expect(block.subarray(204, 220).toString('hex')).toBe('7f951f67' + '2000'.repeat(6));
    expect(u16(block, 220, 36)).toBe(' '.repeat(18));
    expect(detectCardType(block)).toBe('resident');
    const card = decode(block);
    expect(card.validTo).toBe('long-term');
    expect(card.idNumber).toBe('42122419580923042X');
    expect(card.sex).toBe('female');
  });

  test('trims spaces and strips NULs', () => {
    const block = encodeText(syntheticCard);
    // Name padded with NULs instead of spaces, as some readers do.
    block.fill(0, 4, 30);
    block.write('\u0000\u0000', 52 + 22, 'utf16le');
    const card = decode(block);
    expect(card.name).toBe('测试');
    expect(card.cardType === 'resident' && card.address).toBe('北京市东城区测试路1号');
  });

  test('all nation codes decode; unknown codes are flagged, not dropped', () => {
    expect(Object.keys(nations)).toHaveLength(58);
    expect(nations['46']).toBe('德昂');
    for (const [code, name] of Object.entries(nations)) {
      const c = decode(encodeText({ ...syntheticCard, nationCode: code }));
      expect(c.cardType === 'resident' && c.nation).toBe(name);
    }
    const bad = decode(encodeText({ ...syntheticCard, nationCode: '77' }));
    expect(bad.warnings.map((w) => w.code)).toEqual(['nationCode']);
  });

  test('sex codes 0/1/2/9 and a bad one', () => {
    const block = encodeText(syntheticCard);
    for (const [code, sex] of [
      ['0', 'unknown'],
      ['1', 'male'],
      ['2', 'female'],
      ['9', 'unspecified'],
    ] as const) {
      block.write(code, 30, 'utf16le');
      expect(decode(block).sex).toBe(sex);
    }
    block.write('5', 30, 'utf16le');
    expect(decode(block).warnings.map((w) => w.code)).toContain('sexCode');
  });

  test('a bad check digit is reported as a warning, the number is kept as read', () => {
    const card = decode(encodeText({ ...syntheticCard, idNumber: '110101199001011238' }));
    expect(card.idNumber).toBe('110101199001011238');
    expect(card.warnings).toEqual([
      { code: 'checkDigit', field: 'idNumber', zh: '证件号码校验码错误', en: 'ID number check digit does not match' },
    ]);
    // Warnings never carry the number itself.
    expect(JSON.stringify(card.warnings)).not.toContain('110101');
  });

  test('bad dates are kept raw and flagged; birth date vs number mismatch is flagged', () => {
    const block = encodeText(syntheticCard);
    block.write('20201399', 188, 'utf16le');
    const c = decode(block);
    expect(c.validFrom).toBe('20201399');
    expect(c.warnings.map((w) => w.code)).toContain('date');
    const mismatch = decode(encodeText({ ...syntheticCard, birthDate: '1990-01-02' }));
    expect(mismatch.warnings.map((w) => w.code)).toContain('birthMismatch');
  });

  test('wrong block size is an error result, not an exception', () => {
    expect(decodeText(Buffer.alloc(255)).ok).toBe(false);
  });

  test('fields that do not fit are refused by the encoder', () => {
    expect(() => encodeText({ ...syntheticCard, name: '名'.repeat(16) })).toThrow(/at most 15/);
    expect(() => encodeText({ ...syntheticCard, validTo: '2030/01/01' })).toThrow(/YYYY-MM-DD/);
  });
});

describe('HK/Macau/Taiwan residence permit (J)', () => {
  const p = profiles.find((x) => x.name === 'hk-permit')!;
  test('flag J at 248, permit number at 220, issue count at 238, nation area blank', () => {
    const block = encodeText(p.card);
    expect(block.subarray(248, 250).toString('hex')).toBe('4a00');
    expect(u16(block, 32, 4)).toBe('  ');
    expect(u16(block, 220, 18)).toBe('H90000017');
    expect(u16(block, 238, 4)).toBe('01');
    expect(detectCardType(block)).toBe('hk-macau-taiwan');
    expect(decode(block)).toEqual({ ...p.card, warnings: [] });
  });
  test('a number without the 81/82/83 address code is flagged', () => {
    if (p.card.cardType !== 'hk-macau-taiwan') throw new Error('profile type');
    const c = decode(encodeText({ ...p.card, idNumber: '110101199001011237', birthDate: '1990-01-01' }));
    expect(c.warnings.map((w) => w.code)).toEqual(['addressCode']);
  });
});

describe('foreign permanent resident ID 2017 (I)', () => {
  const p = profiles.find((x) => x.name === 'foreign-2017')!;
  test('flag I, English name first (120 bytes), 15-character number, nationality, Chinese name', () => {
    const block = encodeText(p.card);
    expect(block.subarray(248, 250).toString('hex')).toBe('4900');
    expect(u16(block, 0, 120).trimEnd()).toBe('TESTER, SAMPLE JOHN');
    expect(u16(block, 120, 2)).toBe('1');
    expect(u16(block, 122, 30)).toBe('GBR420088051211');
    expect(u16(block, 152, 6)).toBe('GBR');
    expect(u16(block, 158, 30).trimEnd()).toBe('史测试');
    expect(u16(block, 220, 16)).toBe('19880512');
    expect(detectCardType(block)).toBe('foreign-2017');
    expect(decode(block)).toEqual({ ...p.card, warnings: [] });
  });
  test('a wrong 7-3-1 check digit is flagged', () => {
    if (p.card.cardType !== 'foreign-2017') throw new Error('profile type');
    const c = decode(encodeText({ ...p.card, idNumber: 'GBR420088051212' }));
    expect(c.warnings.map((w) => w.code)).toEqual(['checkDigit']);
  });
});

describe('foreign permanent resident ID 2023 (Y)', () => {
  const p = profiles.find((x) => x.name === 'foreign-2023')!;
  test('flag Y, English name split 35 + 11 characters, country at 242, link at 250', () => {
    if (p.card.cardType !== 'foreign-2023') throw new Error('profile type');
    const block = encodeText(p.card);
    expect(block.subarray(248, 250).toString('hex')).toBe('5900');
    expect(u16(block, 52, 70)).toBe(p.card.englishName.slice(0, 35));
    expect(u16(block, 220, 22).trimEnd()).toBe(p.card.englishName.slice(35));
    expect(u16(block, 242, 6)).toBe('DEU');
    expect(u16(block, 250, 6)).toBe('001');
    expect(u16(block, 32, 4)).toBe('00');
    const card = decode(block);
    expect(card).toMatchObject({ ...p.card, warnings: [] });
    // old = country + ID[1..2] + link[0..1] + ID[8..13] + link[2] + 7-3-1 check digit
    expect(card.cardType === 'foreign-2023' && card.previousIdNumber).toMatch(/^DEU4200910304\d\d$/);
  });
  test('a short English name leaves the continuation blank; no link → no previous number', () => {
    if (p.card.cardType !== 'foreign-2023') throw new Error('profile type');
    const c = decode(encodeText({ ...p.card, englishName: 'DOE JANE', previousNumberLink: '' }));
    expect(c.cardType === 'foreign-2023' && c.englishName).toBe('DOE JANE');
    expect(c.cardType === 'foreign-2023' && c.previousIdNumber).toBeUndefined();
  });
  test('an English name over 46 characters is refused', () => {
    const card = p.card;
    if (card.cardType !== 'foreign-2023') throw new Error('profile type');
    expect(() => encodeText({ ...card, englishName: 'X'.repeat(47) })).toThrow(/46/);
  });
});

describe('synthetic profiles', () => {
  test('at least one of each card type, 咸宁 residents, an expired and a long-term card', () => {
    const types = new Set(profiles.map((p) => p.card.cardType));
    expect([...types].sort()).toEqual(['foreign-2017', 'foreign-2023', 'hk-macau-taiwan', 'resident']);
    expect(profiles.filter((p) => p.card.idNumber.startsWith('4212')).length).toBeGreaterThanOrEqual(2);
    expect(profiles.some((p) => isExpired(p.card, '2026-11-26'))).toBe(true);
    expect(profiles.some((p) => p.card.validTo === 'long-term')).toBe(true);
  });
  for (const p of profiles) {
    test(`${p.name} round-trips with no warnings (valid format and check digit)`, () => {
      const card = decode(encodeText(p.card));
      expect(card.warnings).toEqual([]);
      expect(card).toMatchObject(p.card);
    });
  }
  test('isExpired', () => {
    expect(isExpired({ validTo: '2025-07-01' }, '2025-07-01')).toBe(false);
    expect(isExpired({ validTo: '2025-07-01' }, '2025-07-02')).toBe(true);
    expect(isExpired({ validTo: 'long-term' }, '2999-01-01')).toBe(false);
  });
});
