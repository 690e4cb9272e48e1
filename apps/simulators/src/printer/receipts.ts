import QRCode from 'qrcode';
import type { Align, DecodedEvent, TextStyle } from './decoder.js';

/** What a simulated printer "printed", as the control API reports it. */

export interface Segment {
  text: string;
  bold: boolean;
  underline: number;
  width: number;
  height: number;
  /** An ESC * bit image in the line (a glyph the printer font lacks); `text` is then U+FFFC. */
  image?: { width: number; height: number; data: Uint8Array };
}

/** Stands for an inline image in receiptText(): OBJECT REPLACEMENT CHARACTER. */
const INLINE_IMAGE = '\ufffc';

interface QrRecord {
  data: string;
  model: number;
  moduleSize: number;
  level: string;
  declaredLength: number;
  /** Declared length matched valid UTF-8 and the symbol was printed. */
  ok: boolean;
  problems: string[];
}

interface BarcodeRecord {
  symbology: string;
  data: string;
  hri: number;
  height: number;
  moduleWidth: number;
}

export type ReceiptItem =
  | { kind: 'line'; align: Align; segments: Segment[] }
  | ({ kind: 'qr'; align: Align } & QrRecord)
  | ({ kind: 'barcode'; align: Align } & BarcodeRecord)
  | { kind: 'image'; align: Align; width: number; height: number; bands: number; data: Uint8Array }
  | { kind: 'feed'; dots: number; lines: number };

export interface ReceiptRecord {
  id: number;
  startedAt: string;
  finishedAt: string | null;
  items: ReceiptItem[];
  cut: 'full' | 'partial' | null;
  /** Printing stopped before the cut (paper out, cover opened, cutter error, unplugged). */
  interrupted: boolean;
  interruptedBy: string | null;
  /**
   * The slip began with data that had waited in the receive buffer while the printer was stopped
   * (the tail of an interrupted slip, printed on the fresh paper after a refill).
   */
  resumedFromBuffer: boolean;
  errors: string[];
}

export const receiptText = (r: ReceiptRecord): string =>
  r.items
    .filter((i): i is Extract<ReceiptItem, { kind: 'line' }> => i.kind === 'line')
    .map((l) =>
      l.segments
        .map((s) => s.text)
        .join('')
        .trimEnd(),
    )
    .join('\n');

const lineColumns = (s: string): number => {
  let n = 0;
  for (const ch of s) n += ch.codePointAt(0)! < 0x80 ? 1 : 2;
  return n;
};

/** Turns decoder events into receipts: a cut ends one, content after it starts the next. */
export class ReceiptAssembler {
  private current: ReceiptRecord | undefined;
  private pendingLine: Segment[] = [];
  private lineAlign: Align = 'left';
  private nextId = 1;
  private lastWasRaster = false;
  private resumedNext = false;
  readonly done: ReceiptRecord[] = [];

  constructor(
    private readonly dotsPerLine: number,
    private readonly onFinish: (r: ReceiptRecord) => void = () => undefined,
  ) {}

  get open(): ReceiptRecord | undefined {
    return this.current;
  }

  private receipt(): ReceiptRecord {
    if (!this.current) {
      this.current = {
        id: this.nextId++,
        startedAt: new Date().toISOString(),
        finishedAt: null,
        items: [],
        cut: null,
        interrupted: false,
        interruptedBy: null,
        resumedFromBuffer: this.resumedNext,
        errors: [],
      };
      this.resumedNext = false;
    }
    return this.current;
  }

  private flushLine(style?: TextStyle): void {
    const segs = this.pendingLine;
    this.pendingLine = [];
    if (segs.length === 0 && !this.current) return; // a bare feed before any content is not a receipt
    const r = this.receipt();
    const align = style?.align ?? this.lineAlign;
    const dots = segs.reduce((s, g) => s + (g.image ? g.image.width : lineColumns(g.text) * 12 * g.width), 0);
    if (dots > this.dotsPerLine) {
      r.errors.push(
        `line "${segs
          .map((s) => s.text)
          .join('')
          .trim()
          .slice(0, 20)}…" is ${dots} dots wide; the paper has ${this.dotsPerLine} (the printer would wrap it)`,
      );
    }
    r.items.push({ kind: 'line', align, segments: segs });
  }

  apply(events: readonly DecodedEvent[]): void {
    for (const e of events) {
      // Status requests between bands do not print anything, so they do not split an image.
      if (e.type === 'realtime' || e.type === 'paperStatusRequest' || e.type === 'statusBack') continue;
      const wasRaster = this.lastWasRaster;
      this.lastWasRaster = false;
      switch (e.type) {
        case 'text':
          if (this.pendingLine.length === 0) this.lineAlign = e.style.align;
          {
            const seg = {
              text: e.text,
              bold: e.style.bold,
              underline: e.style.underline,
              width: e.style.width,
              height: e.style.height,
            };
            const prev = this.pendingLine[this.pendingLine.length - 1];
            // Text split across reads is one run when the style did not change.
            if (
              prev &&
              !prev.image &&
              prev.bold === seg.bold &&
              prev.underline === seg.underline &&
              prev.width === seg.width &&
              prev.height === seg.height
            ) {
              prev.text += seg.text;
            } else {
              this.pendingLine.push(seg);
            }
          }
          break;
        case 'bitImage':
          if (this.pendingLine.length === 0) this.lineAlign = e.style.align;
          this.pendingLine.push({
            text: INLINE_IMAGE,
            bold: e.style.bold,
            underline: e.style.underline,
            width: 1,
            height: 1,
            image: { width: e.width, height: e.height, data: e.data },
          });
          break;
        case 'lineEnd':
          this.flushLine(e.style);
          break;
        case 'feed':
          if (this.pendingLine.length) this.flushLine();
          if (this.current) this.current.items.push({ kind: 'feed', dots: e.dots, lines: e.lines });
          break;
        case 'qr': {
          if (this.pendingLine.length) this.flushLine();
          const ok = e.problems.length === 0;
          const { data, model, moduleSize, level, declaredLength, problems, align } = e;
          this.receipt().items.push({ kind: 'qr', align, data, model, moduleSize, level, declaredLength, ok, problems });
          for (const p of problems) this.receipt().errors.push(`QR: ${p}`);
          break;
        }
        case 'barcode': {
          if (this.pendingLine.length) this.flushLine();
          const { symbology, data, hri, height, moduleWidth, align } = e;
          this.receipt().items.push({ kind: 'barcode', align, symbology, data, hri, height, moduleWidth });
          break;
        }
        case 'raster': {
          if (this.pendingLine.length) this.flushLine();
          const r = this.receipt();
          const last = r.items[r.items.length - 1];
          if (wasRaster && last?.kind === 'image' && last.width === e.width && last.align === e.align) {
            const merged = new Uint8Array(last.data.length + e.data.length);
            merged.set(last.data);
            merged.set(e.data, last.data.length);
            last.data = merged;
            last.height += e.height;
            last.bands++;
          } else {
            r.items.push({ kind: 'image', align: e.align, width: e.width, height: e.height, bands: 1, data: e.data });
          }
          this.lastWasRaster = true;
          break;
        }
        case 'cut':
          if (this.pendingLine.length) this.flushLine();
          if (this.current) this.finish(e.partial ? 'partial' : 'full');
          break;
        case 'error':
          this.receipt().errors.push(e.message);
          break;
        default:
          break;
      }
    }
  }

  private finish(cut: 'full' | 'partial' | null, interruptedBy?: string): void {
    const r = this.current;
    if (!r) return;
    this.current = undefined;
    r.cut = cut;
    r.finishedAt = new Date().toISOString();
    if (interruptedBy) {
      r.interrupted = true;
      r.interruptedBy = interruptedBy;
    }
    this.done.push(r);
    this.onFinish(r);
  }

  /** Printing stopped mid-receipt: what was printed so far is a torn-off half slip. */
  interrupt(reason: string): void {
    if (this.pendingLine.length && this.current) this.flushLine();
    this.pendingLine = [];
    this.finish(null, reason);
  }

  /** What prints next comes out of the receive buffer after a stop: it starts a new slip. */
  resumed(): void {
    if (this.current) this.interrupt('stopped');
    this.resumedNext = true;
  }

  clear(): void {
    this.done.length = 0;
  }
}

// ---------------------------------------------------------------- HTML preview

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function qrSvg(data: string, moduleSize: number, level: string): string {
  try {
    const lvl = (['L', 'M', 'Q', 'H'].includes(level) ? level : 'M') as 'L' | 'M' | 'Q' | 'H';
    const qr = QRCode.create([{ data: Buffer.from(data, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: lvl });
    const n = qr.modules.size;
    let d = '';
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) if (qr.modules.get(r, c)) d += `M${c} ${r}h1v1h-1z`;
    const px = n * Math.max(1, moduleSize);
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${px}" height="${px}" viewBox="0 0 ${n} ${n}" shape-rendering="crispEdges"><path d="${d}"/></svg>`;
  } catch {
    return `<span class="err">QR</span>`;
  }
}

function imageSvg(img: { width: number; height: number; data: Uint8Array }): string {
  const bpr = Math.ceil(img.width / 8);
  let d = '';
  for (let y = 0; y < img.height; y++) {
    let x = 0;
    while (x < img.width) {
      const on = (img.data[y * bpr + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
      if (!on) {
        x++;
        continue;
      }
      const start = x;
      while (x < img.width && (img.data[y * bpr + (x >> 3)]! & (0x80 >> (x & 7))) !== 0) x++;
      d += `M${start} ${y}h${x - start}v1h-${x - start}z`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${img.width}" height="${img.height}" viewBox="0 0 ${img.width} ${img.height}" shape-rendering="crispEdges"><path d="${d}"/></svg>`;
}

/** A self-contained HTML fragment that looks roughly like the paper slip (1 CSS px per dot). */
export function receiptHtml(r: ReceiptRecord, dotsPerLine: number): string {
  const parts: string[] = [];
  for (const it of r.items) {
    switch (it.kind) {
      case 'line': {
        const h = Math.max(1, ...it.segments.map((s) => s.height));
        const inner = it.segments
          .map((s) => {
            const st = [
              s.bold ? 'font-weight:bold' : '',
              s.underline ? 'text-decoration:underline' : '',
              s.height !== 1 ? `font-size:${24 * s.height}px` : '',
              // Width and height differ (GS ! 2×1 …): stretch horizontally from the left edge.
              s.width !== s.height
                ? `display:inline-block;transform:scaleX(${s.width / s.height});transform-origin:left;margin-right:${(s.width - s.height) * lineColumns(s.text) * 12}px`
                : '',
            ]
              .filter(Boolean)
              .join(';');
            if (s.image) return `<span style="display:inline-block;vertical-align:bottom">${imageSvg(s.image)}</span>`;
            return st ? `<span style="${st}">${esc(s.text)}</span>` : esc(s.text);
          })
          .join('');
        parts.push(
          `<div class="l" style="text-align:${it.align};height:${30 * h}px;line-height:${30 * h}px">${inner || '&nbsp;'}</div>`,
        );
        break;
      }
      case 'qr':
        parts.push(`<div class="c" style="text-align:${it.align}">${qrSvg(it.data, it.moduleSize, it.level)}</div>`);
        break;
      case 'barcode':
        parts.push(
          `<div class="c" style="text-align:${it.align}"><div class="bc" style="height:${it.height / 2}px"></div>${it.hri ? `<div>${esc(it.data)}</div>` : ''}</div>`,
        );
        break;
      case 'image':
        parts.push(`<div class="c" style="text-align:${it.align}">${imageSvg(it)}</div>`);
        break;
      case 'feed':
        parts.push(`<div style="height:${it.dots + it.lines * 30}px"></div>`);
        break;
    }
  }
  const status = r.interrupted
    ? `<div class="torn">打印中断 / interrupted: ${esc(r.interruptedBy ?? '')}</div>`
    : r.cut
      ? `<div class="cut">✂ ${r.cut} cut</div>`
      : '';
  const errors = r.errors.length ? `<ul class="errs">${r.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : '';
  return (
    `<div class="receipt" data-id="${r.id}" style="width:${dotsPerLine}px;background:#fff;color:#000;padding:8px;` +
    `font:24px/30px 'Noto Sans Mono CJK SC','WenQuanYi Zen Hei Mono',monospace;white-space:pre;box-shadow:0 1px 4px #888">` +
    `<style>.receipt .c{margin:4px 0}.receipt .bc{display:inline-block;width:70%;background:repeating-linear-gradient(90deg,#000 0 2px,#fff 2px 5px,#000 5px 6px,#fff 6px 9px)}` +
    `.receipt .torn{border-top:3px dashed #c00;color:#c00}.receipt .cut{border-top:1px dashed #888;color:#888;font-size:14px}.receipt .errs{color:#c00;font-size:14px;white-space:normal}</style>` +
    parts.join('') +
    status +
    errors +
    `</div>`
  );
}
