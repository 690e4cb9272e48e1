import { describe, expect, it } from 'vitest';
import {
  chinaDate,
  chinaDateCompact,
  chinaDateTime,
  chinaDayRange,
  chinaMinuteOfDay,
  chinaMonthStart,
  chinaStampCompact,
  chinaYear,
} from '@kiosk/platform';

// 2025-12-31T16:30:05Z is already 2026-01-01 00:30:05 in China.
const newYear = new Date('2025-12-31T16:30:05.250Z');

describe('China time (UTC+8, whatever the host zone)', () => {
  it('dates and stamps roll over at China midnight, not UTC midnight', () => {
    expect(chinaDate(newYear)).toBe('2026-01-01');
    expect(chinaDateCompact(newYear)).toBe('20260101');
    expect(chinaDateTime(newYear)).toBe('2026-01-01 00:30:05');
    expect(chinaStampCompact(newYear)).toBe('20260101003005');
    expect(chinaYear(newYear)).toBe(2026);
    expect(chinaYear(new Date('2025-12-31T15:59:59Z'))).toBe(2025);
  });
  it('minutes since China midnight', () => {
    expect(chinaMinuteOfDay(newYear)).toBe(30);
    expect(chinaMinuteOfDay(new Date('2026-03-01T15:59:00Z'))).toBe(23 * 60 + 59);
  });
  it('a China day as UTC instants, and month starts', () => {
    expect(chinaDayRange('2026-01-01')).toEqual({ start: '2025-12-31T16:00:00.000Z', end: '2026-01-01T16:00:00.000Z' });
    expect(chinaMonthStart(new Date('2026-02-28T17:00:00Z'))).toBe('2026-02-28T16:00:00.000Z');
    expect(chinaMonthStart(newYear)).toBe('2025-12-31T16:00:00.000Z');
  });
});
