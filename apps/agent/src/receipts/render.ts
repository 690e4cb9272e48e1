import type { Align } from '@kiosk/protocol-escpos';
import { code128Data, code128Modules, code128Symbols } from '@kiosk/protocol-escpos';
import { EscPosEncoder, type EncodedJob } from '@kiosk/protocol-escpos';
import { fitWidth } from '@kiosk/protocol-escpos';
import { keyValueLines, layoutRow, resolveWidths, wrapText, type ColumnSpec } from '@kiosk/protocol-escpos';
import { qrImage, qrModuleDotsToFit, qrModules, qrVersionFor, QR_QUIET_MODULES } from '@kiosk/protocol-escpos';
import { toPrintable as printable } from '@kiosk/protocol-escpos';
import { systemGlyphs } from '../devices/printer/glyphs/font.js';
import type { GlyphSource } from '@kiosk/protocol-escpos';
import { profileColumns, type PrinterProfile } from '../devices/printer/profiles/index.js';
import type { ReceiptBlock, ReceiptDocument, TextSize } from './document.js';

export interface RenderedReceipt extends EncodedJob {
  /** Things the renderer adjusted (logo scaled down, QR modules shrunk …). */
  warnings: string[];
  /** The job ends with GS r 1, whose reply marks "processed" (profile.status.processedMarker). */
  processedMarker: boolean;
}

export class ReceiptRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReceiptRenderError';
  }
}

const sizeMul: Record<TextSize, [number, number]> = { normal: [1, 1], large: [2, 2], wide: [2, 1], tall: [1, 2] };

interface Style {
  align: Align;
  bold: boolean;
  underline: boolean;
  size: TextSize;
}
const plain: Style = { align: 'left', bold: false, underline: false, size: 'normal' };

/** Emits only the style commands that change something, so receipts stay small. */
class StyledWriter {
  private cur: Style = { ...plain };
  constructor(readonly enc: EscPosEncoder) {}

  set(want: Partial<Style>): void {
    const s = { ...plain, ...want };
    if (s.align !== this.cur.align) this.enc.align(s.align);
    if (s.bold !== this.cur.bold) this.enc.bold(s.bold);
    if (s.underline !== this.cur.underline) this.enc.underline(s.underline ? 1 : 0);
    if (s.size !== this.cur.size) {
      const [w, h] = sizeMul[s.size];
      this.enc.size(w, h);
    }
    this.cur = s;
  }

  /** Alignment only, keeping other styles (for images and codes). */
  align(a: Align): void {
    if (a !== this.cur.align) this.enc.align(a);
    this.cur.align = a;
  }

  reset(): void {
    this.cur = { ...plain };
  }
}

const utf8 = new TextEncoder();

function renderBlock(block: ReceiptBlock, p: PrinterProfile, w: StyledWriter, warnings: string[]): void {
  const enc = w.enc;
  const cols = profileColumns(p);
  // Characters outside the printer font stay in the text; the encoder draws them as glyphs.
  const policy = enc.textPolicy;
  const toPrintable = (text: string): string => printable(text, policy);
  switch (block.type) {
    case 'title': {
      const big = profileColumns(p, 2);
      w.set({ align: 'center', bold: true, size: 'large' });
      for (const l of wrapText(toPrintable(block.text), big)) enc.line(l);
      if (block.subtitle) {
        w.set({ align: 'center' });
        for (const l of wrapText(toPrintable(block.subtitle), cols)) enc.line(l);
      }
      w.set({});
      enc.line('='.repeat(cols));
      return;
    }
    case 'text': {
      const [mw] = sizeMul[block.size ?? 'normal'];
      w.set({
        align: block.align ?? 'left',
        bold: block.bold ?? false,
        underline: block.underline ?? false,
        size: block.size ?? 'normal',
      });
      for (const l of wrapText(toPrintable(block.text), profileColumns(p, mw))) enc.line(l);
      return;
    }
    case 'rows':
      for (const r of block.rows) {
        w.set({ bold: r.bold ?? false });
        for (const l of keyValueLines(r.label, r.value, cols, policy)) enc.line(l);
      }
      return;
    case 'table': {
      const specs: ColumnSpec[] = block.columns.map((c) => {
        const s: ColumnSpec = { align: c.align ?? 'left' };
        if (c.width !== undefined) s.width = c.width;
        if (c.weight !== undefined) s.weight = c.weight;
        return s;
      });
      let widths: number[];
      try {
        widths = resolveWidths(cols, specs);
      } catch (err) {
        throw new ReceiptRenderError(`table does not fit ${p.paperWidthMm} mm paper: ${(err as Error).message}`);
      }
      if (block.header ?? true) {
        w.set({ bold: true });
        for (const l of layoutRow(
          block.columns.map((c) => c.title),
          widths,
          specs,
          1,
          policy,
        ))
          enc.line(l);
        w.set({});
        enc.line('-'.repeat(cols));
      } else {
        w.set({});
      }
      for (const row of block.rows) for (const l of layoutRow(row, widths, specs, 1, policy)) enc.line(l);
      return;
    }
    case 'qr': {
      const level = block.errorLevel ?? p.qr.errorLevel;
      const data = utf8.encode(block.data);
      const version = qrVersionFor(data.length, level);
      if (version === undefined)
        throw new ReceiptRenderError(`QR data of ${data.length} bytes is too long for error level ${level}`);
      const preferred =
        block.size === 'small'
          ? Math.max(2, Math.round(p.qr.moduleSize * 0.66))
          : block.size === 'large'
            ? p.qr.maxModuleSize
            : p.qr.moduleSize;
      const dots = qrModuleDotsToFit(qrModules(version), p.dotsPerLine, preferred);
      if (dots < 2)
        throw new ReceiptRenderError(`QR code (version ${version}) does not fit ${p.paperWidthMm} mm paper; shorten the data`);
      if (dots < preferred) warnings.push(`QR module size reduced to ${dots} dots to fit ${p.paperWidthMm} mm paper`);
      w.set({ align: 'center' });
      enc.feedDots(Math.min(255, QR_QUIET_MODULES * dots));
      if (p.qr.native) enc.qr(data, { model: 2, moduleSize: dots, level });
      else enc.image(qrImage(data, level, dots), p.raster.bandRows);
      enc.feedDots(Math.min(255, 2 * dots));
      if (block.caption) for (const l of wrapText(toPrintable(block.caption), cols)) enc.line(l);
      return;
    }
    case 'barcode': {
      let codeData: Uint8Array;
      try {
        codeData = code128Data(block.data);
      } catch (err) {
        throw new ReceiptRenderError(`barcode: ${(err as Error).message}`);
      }
      const modules = code128Modules(code128Symbols(codeData));
      let mw = p.barcode.moduleWidth;
      while (mw > 2 && modules * mw > p.dotsPerLine) mw--;
      if (modules * mw > p.dotsPerLine) {
        throw new ReceiptRenderError(
          `barcode "${block.data.length} characters" is ${modules * mw} dots wide; ${p.paperWidthMm} mm paper has ${p.dotsPerLine}. Use fewer characters, digits only, or a QR code`,
        );
      }
      w.set({ align: 'center' });
      enc.barcode128(block.data, {
        height: p.barcode.height,
        moduleWidth: mw,
        hri: block.hri === false ? 'none' : p.barcode.hri,
      });
      enc.newline();
      return;
    }
    case 'image': {
      const img = fitWidth(block.image, p.dotsPerLine);
      if (img !== block.image) warnings.push(`image scaled from ${block.image.width} to ${img.width} dots wide`);
      w.align(block.align ?? 'center');
      enc.image(img, p.raster.bandRows);
      return;
    }
    case 'divider':
      w.set({});
      enc.line(block.style === 'blank' ? '' : (block.style === 'double' ? '=' : '-').repeat(cols));
      return;
    case 'feed':
      if (block.lines > 0) enc.feed(Math.min(255, block.lines));
      return;
    case 'footer':
      w.set({ align: 'center' });
      enc.newline();
      for (const line of block.lines) for (const l of wrapText(toPrintable(line), cols)) enc.line(l);
      return;
    case 'cut':
      w.set({});
      cut(enc, p, block.partial);
      return;
  }
}

function cut(enc: EscPosEncoder, p: PrinterProfile, partial?: boolean): void {
  if (p.feedLinesBeforeCut > 0) enc.feed(p.feedLinesBeforeCut);
  // Without a cutter, feed the slip past the tear bar instead.
  if (p.cutter === 'none') enc.feed(4);
  else enc.cut({ partial: partial ?? p.cutter === 'partial', feed: p.cutFeedDots });
}

/**
 * Renders a document for a printer: ESC @, status-back off, the blocks, a cut, and (when the
 * printer supports it) GS r 1 as the "processed" marker the driver waits for. Every text line
 * is laid out to the profile's width, so nothing wraps on the printer by itself.
 */
export interface RenderOptions {
  /**
   * Draws characters outside the profile's font coverage; default: the machine's CJK font
   * (systemGlyphs). `null`: none, such characters make the document fail to render.
   */
  glyphs?: GlyphSource | null;
}

export function renderReceipt(doc: ReceiptDocument, profile: PrinterProfile, options: RenderOptions = {}): RenderedReceipt {
  const glyphs = options.glyphs === undefined ? systemGlyphs() : (options.glyphs ?? undefined);
  const enc = new EscPosEncoder({ coverage: profile.fontCoverage, ...(glyphs ? { glyphs } : {}) });
  const w = new StyledWriter(enc);
  const warnings: string[] = [];
  enc.init();
  enc.statusBackOff();
  for (const [i, block] of doc.blocks.entries()) {
    try {
      renderBlock(block, profile, w, warnings);
    } catch (err) {
      if (err instanceof ReceiptRenderError) throw err;
      throw new ReceiptRenderError(`block ${i} (${block.type}): ${(err as Error).message}`);
    }
  }
  const last = doc.blocks[doc.blocks.length - 1];
  if ((doc.cut ?? true) && last?.type !== 'cut') {
    w.set({});
    cut(enc, profile);
  }
  const marker = profile.status.processedMarker;
  if (marker) enc.processedMarker();
  return { ...enc.build(), warnings, processedMarker: marker };
}
