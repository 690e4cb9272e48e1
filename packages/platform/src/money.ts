/**
 * Money is integer fen everywhere; this is the one place fen become text. Browser-safe (the kiosk
 * UI imports it as `@kiosk/platform/money`).
 */
export interface FenFormat {
  /** Put before the digits (after a minus sign). Screens use ¥; printed slips the full-width ￥. */
  symbol?: string;
  /** Thousands separators (1,234,567.89), as slips print large totals. */
  group?: boolean;
}

/** Integer fen as yuan text: formatFen(-123456) → "-¥1234.56". */
export function formatFen(fen: number, { symbol = '¥', group = false }: FenFormat = {}): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  let whole = String(Math.floor(abs / 100));
  if (group) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${symbol}${whole}.${String(abs % 100).padStart(2, '0')}`;
}

/** Fen as the screens show it: 1050 → "¥10.50". */
export const yuan = (fen: number): string => formatFen(fen);

/** Fen as a bare amount, for tables and pages that name the unit elsewhere: 1050 → "10.50". */
export const yuanAmount = (fen: number): string => formatFen(fen, { symbol: '' });
