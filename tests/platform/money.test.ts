import { describe, expect, it } from 'vitest';
import { formatFen, yuan, yuanAmount } from '@kiosk/platform';

describe('money', () => {
  it('screens: ¥ and two decimals, sign first', () => {
    expect(yuan(0)).toBe('¥0.00');
    expect(yuan(5)).toBe('¥0.05');
    expect(yuan(1050)).toBe('¥10.50');
    expect(yuan(123456789)).toBe('¥1234567.89');
    expect(yuan(-50)).toBe('-¥0.50');
  });
  it('bare amounts for pages and tables that name the unit elsewhere', () => {
    expect(yuanAmount(1050)).toBe('10.50');
    expect(yuanAmount(-1)).toBe('-0.01');
  });
  it('slips: full-width sign and thousands separators', () => {
    expect(formatFen(123456789, { symbol: '￥', group: true })).toBe('￥1,234,567.89');
    expect(formatFen(99999, { symbol: '￥', group: true })).toBe('￥999.99');
    expect(formatFen(-100000, { symbol: '￥', group: true })).toBe('-￥1,000.00');
  });
});
