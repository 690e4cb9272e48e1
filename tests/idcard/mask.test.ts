import { describe, expect, test } from 'vitest';
import { maskIdNumber, maskName } from '@kiosk/platform';

describe('maskName', () => {
  test('three characters: 张*三', () => expect(maskName('张小三')).toBe('张*三'));
  test('two characters: 张*', () => expect(maskName('张三')).toBe('张*'));
  test('one character is fully hidden', () => expect(maskName('张')).toBe('*'));
  test('four characters keep first and last', () => expect(maskName('欧阳娜娜')).toBe('欧**娜'));
  test('middle dot stays visible in long names', () => expect(maskName('买买提·测试样例')).toBe('买**·***例'));
  test('Latin names keep the first letter of each word', () => {
    expect(maskName('TESTER, SAMPLE JOHN')).toBe('T*****, S***** J***');
    expect(maskName('VANDERTESTEN-SAMPLE, ANNA MARGARETHA LUISE')).toBe('V***********-S*****, A*** M********* L****');
  });
  test('surrounding spaces and empty input', () => {
    expect(maskName('  孙测试 ')).toBe('孙*试');
    expect(maskName('')).toBe('');
  });
  test('astral-plane characters count as one', () => expect(maskName('𠀀测试')).toBe('𠀀*试'));
});

describe('maskIdNumber', () => {
  test('18 characters: first 4 and last 4 visible', () => {
    expect(maskIdNumber('420102199001011234')).toBe('4201**********1234');
    expect(maskIdNumber('42122419580923042X')).toBe('4212**********042X');
  });
  test('15-character foreign number', () => expect(maskIdNumber('GBR420088051211')).toBe('GBR4*******1211'));
  test('short permit numbers keep 2 + 2', () => expect(maskIdNumber('H90000017')).toBe('H9*****17'));
  test('very short values are fully masked', () => {
    expect(maskIdNumber('1234')).toBe('****');
    expect(maskIdNumber('')).toBe('');
  });
});
