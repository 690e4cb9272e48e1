import { textColumns, toPrintable, type TextPolicy } from './text.js';

/**
 * Column layout in printer terms. Font A is 12×24 dots: ASCII takes 12 dots, a GB character in
 * Chinese mode 24. So a 384-dot (58 mm) line holds 32 half-width columns and a 576-dot (80 mm)
 * line 48; GS ! width multipliers divide that. All functions take and return printable strings.
 */

export const FONT_A_DOT_WIDTH = 12;

/** Half-width columns on a line of `dots` at character width multiplier `widthMul`. */
export function columnsFor(dots: number, widthMul = 1): number {
  return Math.floor(dots / (FONT_A_DOT_WIDTH * widthMul));
}

/** Width in dots of printable text at a width multiplier. */
export function textDots(printable: string, widthMul = 1): number {
  return textColumns(printable) * FONT_A_DOT_WIDTH * widthMul;
}

// Chinese typesetting: these must not start a line, these must not end one.
const noLineStart = new Set([...'，。、：；！？）】》」』”’・·…—～%,.;:!?)]}>']);
const noLineEnd = new Set([...'（【《「『“‘([{<￥$#']);

function isAsciiWordChar(c: string): boolean {
  const cp = c.charCodeAt(0);
  return cp > 0x20 && cp < 0x7f;
}

/** Splits printable text into unbreakable pieces: ASCII words, single CJK characters, spaces. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const ch of text) {
    if (isAsciiWordChar(ch) && !noLineStart.has(ch) && !noLineEnd.has(ch)) {
      word += ch;
      continue;
    }
    if (word) {
      out.push(word);
      word = '';
    }
    out.push(ch);
  }
  if (word) out.push(word);
  // Glue punctuation to its neighbour so a line never starts with "，" or ends with "（".
  const glued: string[] = [];
  for (const t of out) {
    const prev = glued[glued.length - 1];
    if (prev !== undefined && prev !== ' ' && (noLineStart.has(t) || noLineEnd.has(prev[prev.length - 1]!))) {
      glued[glued.length - 1] = prev + t;
    } else {
      glued.push(t);
    }
  }
  return glued;
}

/** Breaks a token wider than a line into pieces that fit. */
function hardBreak(token: string, cols: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of token) {
    const cw = textColumns(ch);
    if (w + cw > cols && cur) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Word-wraps printable text (newlines start new paragraphs) to `cols` half-width columns.
 * ASCII words break at spaces, Chinese between characters, never before closing punctuation.
 */
export function wrapText(text: string, cols: number): string[] {
  if (cols < 2) throw new RangeError(`cannot wrap text to ${cols} column(s)`);
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    let width = 0;
    let broke = false;
    for (const tok of tokens(para)) {
      if (tok === ' ' && broke && width === 0) continue; // continuation lines start with text
      const tw = textColumns(tok);
      if (width + tw <= cols) {
        line += tok;
        width += tw;
        continue;
      }
      if (line.trim() !== '') lines.push(line.trimEnd());
      line = '';
      width = 0;
      broke = true;
      if (tok === ' ') continue;
      const pieces = tw > cols ? hardBreak(tok, cols) : [tok];
      for (let i = 0; i < pieces.length - 1; i++) lines.push(pieces[i]!);
      line = pieces[pieces.length - 1]!;
      width = textColumns(line);
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

export type CellAlign = 'left' | 'center' | 'right';

/** Pads (never truncates) printable text to `cols` columns. */
export function pad(text: string, cols: number, align: CellAlign = 'left'): string {
  const space = cols - textColumns(text);
  if (space <= 0) return text;
  if (align === 'right') return ' '.repeat(space) + text;
  if (align === 'center') {
    const left = Math.floor(space / 2);
    return ' '.repeat(left) + text + ' '.repeat(space - left);
  }
  return text + ' '.repeat(space);
}

export interface ColumnSpec {
  /** Fixed width in columns, or a share of what is left (`{ weight: 2 }`); default weight 1. */
  width?: number;
  weight?: number;
  align?: CellAlign;
}

/** Resolves column widths so they (plus gaps) sum to `total`. */
export function resolveWidths(total: number, specs: readonly ColumnSpec[], gap = 1): number[] {
  if (specs.length === 0) throw new RangeError('a table needs at least one column');
  const avail = total - gap * (specs.length - 1);
  const fixed = specs.reduce((s, c) => s + (c.width ?? 0), 0);
  const weights = specs.reduce((s, c) => s + (c.width === undefined ? (c.weight ?? 1) : 0), 0);
  const free = avail - fixed;
  if (free < 0 || (weights > 0 && free < specs.filter((c) => c.width === undefined).length * 2)) {
    throw new RangeError(`columns need ${fixed + gap * (specs.length - 1)}+ columns but the line has ${total}`);
  }
  const widths = specs.map((c) => c.width ?? Math.floor((free * (c.weight ?? 1)) / weights));
  // Give rounding leftovers to the last flexible column.
  const used = widths.reduce((s, w) => s + w, 0);
  const lastFlex = specs.map((c) => c.width === undefined).lastIndexOf(true);
  if (lastFlex >= 0) widths[lastFlex]! += avail - used;
  for (const w of widths) if (w < 1) throw new RangeError(`a column would be ${w} wide`);
  return widths;
}

/**
 * Lays out one table row: each cell is wrapped inside its column, and the row becomes as many
 * lines as its tallest cell. Every returned line is exactly `total` columns wide or less.
 */
export function layoutRow(
  cells: readonly string[],
  widths: readonly number[],
  specs: readonly ColumnSpec[],
  gap = 1,
  policy?: TextPolicy,
): string[] {
  const wrapped = widths.map((w, i) => {
    const text = toPrintable(cells[i] ?? '', policy);
    return w >= 2 ? wrapText(text, w) : [text];
  });
  const height = Math.max(...wrapped.map((c) => c.length));
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    const parts = widths.map((w, i) => pad(wrapped[i]![r] ?? '', w, specs[i]?.align ?? 'left'));
    lines.push(parts.join(' '.repeat(gap)).trimEnd());
  }
  return lines;
}

/** A table: rows of cells laid out in columns over `total` half-width columns. */
export function layoutTable(
  rows: readonly (readonly string[])[],
  specs: readonly ColumnSpec[],
  total: number,
  gap = 1,
): string[][] {
  const widths = resolveWidths(total, specs, gap);
  return rows.map((r) => layoutRow(r, widths, specs, gap));
}

/**
 * A label–value pair: on one line with the value right-aligned when both fit, otherwise the
 * label on its own line(s) and the value right-aligned below (so long values never get cut).
 */
export function keyValueLines(label: string, value: string, cols: number, policy?: TextPolicy): string[] {
  const l = toPrintable(label, policy);
  const v = toPrintable(value, policy);
  const lw = textColumns(l);
  const vw = textColumns(v);
  if (lw + 1 + vw <= cols) return [l + ' '.repeat(cols - lw - vw) + v];
  // Value fits beside a wrapped label's last line?
  const labelLines = wrapText(l, cols);
  const valueLines = wrapText(v, cols);
  if (valueLines.length === 1) return [...labelLines, pad(valueLines[0]!, cols, 'right')];
  return [...labelLines, ...wrapText(v, cols - 2).map((x) => '  ' + x)];
}
