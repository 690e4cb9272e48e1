/**
 * Masking for names and identity numbers, used wherever personal data would otherwise reach a
 * screen, receipt, log or heartbeat (DESIGN: "Personal data is minimal and short-lived").
 */

const CJK = /[\u3400-\u9fff\uf900-\ufaff\u{20000}-\u{2ffff}]/u;
/** Separators kept visible so the shape of a name stays readable: 阿卜杜·买买提 → 阿*** ·**提 style. */
const SEPARATORS = new Set(['·', '•', '・', '.', ' ', '-', ',', "'"]);

/**
 * Chinese names: keep the first and last character, one `*` per hidden character
 * (张三丰 → 张*丰, 张三 → 张*, 欧阳娜娜 → 欧**娜); separators such as `·` stay visible.
 * Latin names: keep the first letter of each word (SMITH JOHN → S**** J***), so a long foreign
 * name does not leak but keeps its shape.
 */
export function maskName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length === 0) return '';
  const hasCjk = chars.some((c) => CJK.test(c));
  if (!hasCjk) {
    let startOfWord = true;
    return chars
      .map((c) => {
        if (SEPARATORS.has(c)) {
          startOfWord = true;
          return c;
        }
        const out = startOfWord ? c : '*';
        startOfWord = false;
        return out;
      })
      .join('');
  }
  if (chars.length === 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  const last = chars.length - 1;
  return chars.map((c, i) => (i === 0 || i === last || SEPARATORS.has(c) ? c : '*')).join('');
}

/**
 * Identity numbers: first 4 and last 4 visible (an 18-character number becomes 4201**********1234).
 * Shorter numbers (permit numbers, 9 characters) keep 2 + 2; anything of 4 or fewer characters
 * is fully masked, because showing 4 + 4 would reveal it all.
 */
export function maskIdNumber(id: string): string {
  const chars = Array.from(id.trim());
  const n = chars.length;
  if (n === 0) return '';
  const keep = n >= 12 ? 4 : n > 4 ? 2 : 0;
  return chars.map((c, i) => (i < keep || i >= n - keep ? c : '*')).join('');
}
