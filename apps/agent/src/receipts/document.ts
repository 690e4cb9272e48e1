import type { Align, QrErrorLevel } from '@kiosk/protocol-escpos';
import type { MonoImage } from '@kiosk/protocol-escpos';
import type { CellAlign } from '@kiosk/protocol-escpos';

/**
 * A printer-neutral receipt: what to print, not how. A printer profile turns it into bytes
 * (render.ts), so the same slip prints on 58 mm and 80 mm paper. Text is plain Unicode; the
 * renderer substitutes characters Chinese printers cannot print (¥ → ￥) and rejects the rest.
 */

/** normal = 1×1; large = 2×2 (titles); wide = 2×1; tall = 1×2. */
export type TextSize = 'normal' | 'large' | 'wide' | 'tall';

export interface TextStyle {
  align?: Align;
  bold?: boolean;
  underline?: boolean;
  size?: TextSize;
}

export interface TableColumn {
  title: string;
  /** Fixed width in half-width columns; otherwise the column takes `weight` shares of the rest. */
  width?: number;
  weight?: number;
  align?: CellAlign;
}

export type ReceiptBlock =
  | { type: 'title'; text: string; subtitle?: string }
  | ({ type: 'text'; text: string } & TextStyle)
  /** Label–value pairs, value right-aligned; long values wrap below their label. */
  | { type: 'rows'; rows: { label: string; value: string; bold?: boolean }[] }
  | { type: 'table'; columns: TableColumn[]; rows: string[][]; header?: boolean }
  | { type: 'qr'; data: string; caption?: string; size?: 'small' | 'medium' | 'large'; errorLevel?: QrErrorLevel }
  | { type: 'barcode'; data: string; hri?: boolean }
  | { type: 'image'; image: MonoImage; align?: Align }
  | { type: 'divider'; style?: 'single' | 'double' | 'blank' }
  | { type: 'feed'; lines: number }
  | { type: 'footer'; lines: string[] }
  /** A cut inside the document (e.g. between a citizen copy and a kiosk copy). */
  | { type: 'cut'; partial?: boolean };

export interface ReceiptDocument {
  /** What kind of slip: `test-page`, `gas-topup` … Shown in job lists; never personal data. */
  kind: string;
  /** Business reference the slip belongs to (order number …), for the job list. */
  ref?: string;
  blocks: ReceiptBlock[];
  /** Feed and cut after the last block (default true). */
  cut?: boolean;
}

/**
 * Fluent helper for building documents:
 *
 *   receipt('gas-topup', { ref: order.no })
 *     .title('天然气充值凭条', 'Gas top-up receipt')
 *     .rows({ 户号: '0101****23', 金额: '￥50.00' })
 *     .qr(verifyUrl, { caption: '扫码验证 / Scan to verify' })
 *     .footer('请妥善保管 / Keep this slip')
 *     .build();
 */
export class ReceiptBuilder {
  private readonly doc: ReceiptDocument;

  constructor(kind: string, options: { ref?: string; cut?: boolean } = {}) {
    this.doc = { kind, blocks: [] };
    if (options.ref !== undefined) this.doc.ref = options.ref;
    if (options.cut !== undefined) this.doc.cut = options.cut;
  }

  add(block: ReceiptBlock): this {
    this.doc.blocks.push(block);
    return this;
  }

  title(text: string, subtitle?: string): this {
    return this.add(subtitle === undefined ? { type: 'title', text } : { type: 'title', text, subtitle });
  }

  text(text: string, style: TextStyle = {}): this {
    return this.add({ type: 'text', text, ...style });
  }

  /** One label–value row. */
  row(label: string, value: string, options: { bold?: boolean } = {}): this {
    const last = this.doc.blocks[this.doc.blocks.length - 1];
    const row = options.bold ? { label, value, bold: true } : { label, value };
    if (last?.type === 'rows') last.rows.push(row);
    else this.add({ type: 'rows', rows: [row] });
    return this;
  }

  /** Several rows from an object (insertion order) or pairs. */
  rows(rows: Record<string, string> | [string, string][]): this {
    for (const [l, v] of Array.isArray(rows) ? rows : Object.entries(rows)) this.row(l, v);
    return this;
  }

  table(columns: TableColumn[], rows: string[][], options: { header?: boolean } = {}): this {
    return this.add({ type: 'table', columns, rows, header: options.header ?? true });
  }

  qr(data: string, options: { caption?: string; size?: 'small' | 'medium' | 'large'; errorLevel?: QrErrorLevel } = {}): this {
    return this.add({ type: 'qr', data, ...options });
  }

  barcode(data: string, options: { hri?: boolean } = {}): this {
    return this.add({ type: 'barcode', data, ...options });
  }

  image(image: MonoImage, align: Align = 'center'): this {
    return this.add({ type: 'image', image, align });
  }

  divider(style: 'single' | 'double' | 'blank' = 'single'): this {
    return this.add({ type: 'divider', style });
  }

  feed(lines = 1): this {
    return this.add({ type: 'feed', lines });
  }

  footer(...lines: string[]): this {
    return this.add({ type: 'footer', lines });
  }

  cut(partial?: boolean): this {
    return this.add(partial === undefined ? { type: 'cut' } : { type: 'cut', partial });
  }

  build(): ReceiptDocument {
    return { ...this.doc, blocks: [...this.doc.blocks] };
  }
}

export const receipt = (kind: string, options?: { ref?: string; cut?: boolean }): ReceiptBuilder =>
  new ReceiptBuilder(kind, options);
