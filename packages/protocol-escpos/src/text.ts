import iconv from 'iconv-lite';

/**
 * Text for Chinese thermal printers: GB18030 in FS & mode, where only 1- and 2-byte sequences
 * print, and only those the printer's font has (its profile's `fontCoverage`: GB2312, GBK or all
 * 2-byte GB18030). Characters outside it (4-byte GB18030 such as 㙟 U+365F or 𠮷 U+20BB7, GBK
 * additions on a GB2312 font …) would print as garbage or blanks, so they are either substituted
 * with a documented look-alike (¥ → ￥, • → ·), kept for the encoder to print as a raster image
 * of the glyph (policy `raster`), or rejected with UnprintableTextError — never sent as bytes,
 * never dropped silently.
 */

/** Which 2-byte GB characters a printer's built-in font can print. */
export const fontCoverages = ['gb2312', 'gbk', 'gb18030-2byte'] as const;
export type FontCoverage = (typeof fontCoverages)[number];

/** How to treat characters outside the printer font. */
export interface TextPolicy {
  coverage: FontCoverage;
  /** Keep them (the encoder prints them as glyph images) instead of failing. */
  raster: boolean;
}

/** Every 2-byte GB18030 character, no raster: the behaviour before profiles stated coverage. */
export const defaultTextPolicy: TextPolicy = { coverage: 'gb18030-2byte', raster: false };

/** Known 4-byte characters and what prints instead (every replacement is 1- or 2-byte). */
export const substitutions: Readonly<Record<string, string>> = {
  '\u00a5': '\uffe5', // ¥ → ￥ (A3 A4)
  '\u2022': '\u00b7', // • → ·
  '\u2027': '\u00b7', // ‧ → ·
  '\u30fb': '\u00b7', // ・ → ·
  '\u2219': '\u00b7', // ∙ → ·
  '\u2122': 'TM',
  '\u00a9': '(C)',
  '\u00ae': '(R)',
  '\u00a0': ' ', // no-break space
  '\u2002': ' ',
  '\u2003': ' ',
  '\u2009': ' ',
  '\u200b': '', // zero-width space
  '\ufeff': '',
  '\u2011': '-',
  '\u2012': '-',
  '\u2212': '-', // minus sign
  '\u2713': '\u221a', // ✓ → √
  '\u2714': '\u221a',
  '\u2717': '\u00d7', // ✗ → ×
  '\u2718': '\u00d7',
  '\u21d2': '\u2192', // ⇒ → →
  '\u00b5': 'u',
  '\u00b4': "'",
  '\u00bd': '1/2',
  '\u00bc': '1/4',
  '\u00be': '3/4',
};

export interface UnprintableChar {
  char: string;
  /** e.g. `U+20BB7`. */
  codePoint: string;
  /** Index in code points within the text. */
  index: number;
}

export class UnprintableTextError extends Error {
  constructor(
    readonly chars: UnprintableChar[],
    why = 'control characters, or outside the printer font with no glyph image to print instead',
  ) {
    // Only the offending characters, never the whole text: it may hold a citizen's name.
    const list = chars
      .slice(0, 5)
      .map((c) => `${JSON.stringify(c.char)} ${c.codePoint} at ${c.index}`)
      .join(', ');
    super(
      `打印机无法打印这些字符 / the printer cannot print ${chars.length} character(s) ` +
        `(${why}): ${list}${chars.length > 5 ? ', …' : ''}`,
    );
    this.name = 'UnprintableTextError';
  }
}

const hex = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

function isControl(cp: number): boolean {
  return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0);
}

/** Lone surrogates are not text at all; iconv turns them into '?'. */
function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

const byteLenCache = new Map<number, number>();

/** GB18030 length of one code point (1, 2 or 4). */
export function gb18030Length(cp: number): number {
  if (cp < 0x80) return 1;
  let n = byteLenCache.get(cp);
  if (n === undefined) {
    n = iconv.encode(String.fromCodePoint(cp), 'gb18030').length;
    byteLenCache.set(cp, n);
  }
  return n;
}

const coverageCache = new Map<string, boolean>();

/**
 * True when the printer font prints this code point from its 1- or 2-byte GB18030 code.
 * GB2312 = the EUC-CN rows A1–A9 and B0–F7 (trail A1–FE); GBK = what cp936 encodes to the same
 * 2 bytes; gb18030-2byte = every 2-byte code.
 */
export function inPrinterFont(cp: number, coverage: FontCoverage): boolean {
  if (cp < 0x80) return !isControl(cp);
  if (isControl(cp) || isSurrogate(cp) || gb18030Length(cp) !== 2) return false;
  if (coverage === 'gb18030-2byte') return true;
  const key = `${coverage}:${cp}`;
  let ok = coverageCache.get(key);
  if (ok === undefined) {
    const ch = String.fromCodePoint(cp);
    const gb = iconv.encode(ch, 'gb18030');
    if (coverage === 'gbk') {
      ok = iconv.encode(ch, 'gbk').equals(gb);
    } else {
      const [lead, trail] = [gb[0]!, gb[1]!];
      ok = ((lead >= 0xa1 && lead <= 0xa9) || (lead >= 0xb0 && lead <= 0xf7)) && trail >= 0xa1 && trail <= 0xfe;
    }
    coverageCache.set(key, ok);
  }
  return ok;
}

function printableAs(ch: string, coverage: FontCoverage = 'gb18030-2byte'): boolean {
  for (const c of ch) if (!inPrinterFont(c.codePointAt(0)!, coverage)) return false;
  return true;
}

/** A character that can be drawn as a glyph image: not a control, not half a surrogate pair. */
export function isGlyphCandidate(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return !isControl(cp) && !isSurrogate(cp) && !/^\s$/u.test(ch);
}

/** Replacement for one character that would need 4 bytes, or undefined when none is known. */
function fallback(ch: string, policy: TextPolicy): string | undefined {
  const mapped = substitutions[ch];
  if (mapped !== undefined && printableAs(mapped, policy.coverage)) return mapped;
  // A glyph image keeps the character exactly (a name stays that name).
  if (policy.raster) return isGlyphCandidate(ch) ? ch : undefined;
  // Compatibility forms (² → 2, ﬁ → fi) and accents GBK lacks (ç → c).
  const nfkc = ch.normalize('NFKC');
  if (nfkc !== ch && printableAs(nfkc, policy.coverage)) return nfkc;
  const stripped = ch.normalize('NFD').replace(/\p{M}+/gu, '');
  if (stripped && stripped !== ch && printableAs(stripped, policy.coverage)) return stripped;
  return undefined;
}

function needsWork(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return true;
  }
  return false;
}

/**
 * Applies the substitutions. With `replacement` set, anything still unprintable becomes that
 * string (lossy, for free text from upstream systems); otherwise it throws UnprintableTextError.
 * Control characters (including newlines) are unprintable here: layout splits lines first.
 * With a policy whose `raster` is on, characters outside the font stay as they are (for the
 * encoder to draw) unless the substitution table has a look-alike inside the font.
 */
export function toPrintable(text: string, replacementOrPolicy?: string | TextPolicy): string {
  const policy = typeof replacementOrPolicy === 'object' ? replacementOrPolicy : defaultTextPolicy;
  const replacement = typeof replacementOrPolicy === 'string' ? replacementOrPolicy : undefined;
  if (!needsWork(text)) return text;
  let out = '';
  let index = 0;
  const bad: UnprintableChar[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (inPrinterFont(cp, policy.coverage)) {
      out += ch;
    } else {
      const sub = isControl(cp) || isSurrogate(cp) ? undefined : fallback(ch, policy);
      if (sub !== undefined) out += sub;
      else if (replacement !== undefined) out += replacement;
      else bad.push({ char: ch, codePoint: hex(cp), index });
    }
    index++;
  }
  if (bad.length) throw new UnprintableTextError(bad);
  return out;
}

/** Throws unless every character of already-substituted text is 1- or 2-byte GB18030. */
export function assertPrintable(text: string): void {
  toPrintable(text);
}

/**
 * Substitutes and encodes to GB18030. The result has exactly one byte per ASCII character and
 * two per other character, which is what makes width measuring by bytes exact.
 */
export function encodeText(text: string): Uint8Array {
  const printable = toPrintable(text);
  if (!needsWork(printable)) return Buffer.from(printable, 'latin1');
  return iconv.encode(printable, 'gb18030');
}

/**
 * Width in half-width columns (font A: 12 dots each) of printable text: in Chinese mode every
 * 2-byte GB character prints full width (24 dots), ASCII half width.
 */
export function textColumns(printable: string): number {
  let n = 0;
  for (let i = 0; i < printable.length; i++) {
    const c = printable.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c >= 0xdc00 && c <= 0xdfff)
      continue; // low surrogate: counted with its high half
    else n += 2;
  }
  return n;
}

/** True when the text needs Chinese mode (has bytes >= 0x80 once encoded). */
export function needsChineseMode(printable: string): boolean {
  for (let i = 0; i < printable.length; i++) if (printable.charCodeAt(i) >= 0x80) return true;
  return false;
}
