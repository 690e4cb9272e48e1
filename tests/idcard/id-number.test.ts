import { describe, expect, test } from 'vitest';
import {
  checkDigit18,
  checkDigit731,
  previousForeignNumber,
  sexFromIdNumber,
  validateForeign2017Number,
  validateIdNumber18,
} from '@kiosk/protocol-sam';

describe('GB 11643 MOD 11-2', () => {
  test('the reference synthetic number 110101199001011237 is valid', () => {
    expect(checkDigit18('11010119900101123')).toBe('7');
    expect(validateIdNumber18('110101199001011237')).toEqual({ valid: true });
  });
  test('check character X (value 10)', () => {
    expect(checkDigit18('42122419580923042')).toBe('X');
    expect(validateIdNumber18('42122419580923042X').valid).toBe(true);
    expect(validateIdNumber18('42122419580923042x').valid).toBe(true);
  });
  test('every single-digit change of a valid number is caught', () => {
    const id = '421202198503120610';
    for (let i = 0; i < 18; i++) {
      for (const d of '0123456789') {
        if (d === id[i]) continue;
        const changed = id.slice(0, i) + d + id.slice(i + 1);
        expect(validateIdNumber18(changed).valid, changed).toBe(false);
      }
    }
  });
  test('a wrong check digit reports the expected one', () => {
    expect(validateIdNumber18('110101199001011238')).toMatchObject({ valid: false, problem: 'checkDigit', expectedCheck: '7' });
  });
  test('format and birth-date problems', () => {
    expect(validateIdNumber18('11010119900101123').problem).toBe('format');
    expect(validateIdNumber18('1101011990010112X7').problem).toBe('format');
    expect(validateIdNumber18('11010119900101123A').problem).toBe('format');
    const feb30 = '11010119900230123';
    expect(validateIdNumber18(feb30 + checkDigit18(feb30)).problem).toBe('birthDate');
  });
  test('sex from the 17th digit', () => {
    expect(sexFromIdNumber('421202198503120610')).toBe('male');
    expect(sexFromIdNumber('421281199211080522')).toBe('female');
  });
});

describe('2017 foreign permanent resident number (7-3-1)', () => {
  test('valid, wrong check digit, wrong format', () => {
    expect(validateForeign2017Number('GBR420088051211')).toEqual({ valid: true });
    expect(validateForeign2017Number('GBR420088051219')).toMatchObject({
      valid: false,
      problem: 'checkDigit',
      expectedCheck: '1',
    });
    expect(validateForeign2017Number('GB4420088051211').problem).toBe('format');
  });
  test('letters count A=10 … Z=35, < counts 0', () => {
    // 'A' = 10 * 7 = 70 → 0; 'B' = 11 * 7 = 77 → 7
    expect(checkDigit731('A')).toBe('0');
    expect(checkDigit731('B')).toBe('7');
    expect(checkDigit731('<<<')).toBe('0');
  });
  test('previous number rebuilt from a 2023 number', () => {
    const old = previousForeignNumber('942276199103040285', 'DEU', '001');
    expect(old).toBe('DEU4200910304' + '1' + checkDigit731('DEU42009103041'));
    expect(validateForeign2017Number(old!).valid).toBe(true);
    expect(previousForeignNumber('942276199103040285', 'DEU', '')).toBeUndefined();
  });
});
