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

/**
 * Account numbers (gas 户号 …): about 30 % hidden just before the last two digits, so accounts that
 * differ only in the middle stay apart on screen and paper (8800100001 → 88001***01,
 * 8800200001 → 88002***01) while the number cannot be read off in full.
 */
export function maskAccountNumber(accountNo: string): string {
  const chars = Array.from(accountNo.trim());
  const n = chars.length;
  if (n <= 4) return '*'.repeat(n);
  const tail = 2;
  const hidden = Math.max(2, Math.round(n * 0.3));
  const head = n - tail - hidden;
  return chars.map((c, i) => (i < head || i >= n - tail ? c : '*')).join('');
}

/** Words that name a part of a building; they stay visible so a masked address keeps its shape. */
const ADDRESS_UNITS = new Set(['号', '栋', '幢', '座', '单', '元', '室', '楼', '层', '户', '-']);

/**
 * Street addresses: the area and street stay (the holder recognises them), everything from the
 * first house number on is hidden except unit words: 咸宁市咸安区温泉路12号金桂园3栋1502室 →
 * 咸宁市咸安区温泉路**号****栋****室. An address without a number keeps its first half.
 */
export function maskAddress(address: string): string {
  const chars = Array.from(address.trim());
  let start = chars.findIndex((c) => /[0-9０-９]/.test(c));
  if (start < 0) start = Math.ceil(chars.length / 2);
  return chars.map((c, i) => (i < start || ADDRESS_UNITS.has(c) ? c : '*')).join('');
}
