/**
 * Official record slips (不动产登记信息查询结果, 纳税记录, 社保缴费凭单/票据): one layout for the three
 * record services. A slip is a printer-neutral document built only from label–value rows, so it
 * wraps to 58 mm (32 columns) as well as 80 mm (48 columns) without any table that could overflow.
 *
 * What is printed is also what is registered with the upstream (`slipContent`), so the public
 * `/verify/<serial>` page that the QR code points at shows the same records as the paper.
 * Holder data is masked before it reaches this module; nothing here sees a full id number.
 */
import type { SlipContent, SlipKind } from '@kiosk/contracts/upstream';
import { receipt, type ReceiptDocument } from '../document.js';
import { chinaDateTime, formatFen } from '@kiosk/platform';

type RecordSlipKind = Extract<SlipKind, 'property' | 'tax' | 'social-resident' | 'social-flexible' | 'licence-copy'>;

/** One record on the slip: an optional heading line and its label–value rows, in print order. */
export interface SlipRecord {
  heading?: string;
  rows: [label: string, value: string][];
}

/** Everything on a slip except what the upstream assigns at registration (serial, verify URL). */
export interface SlipDraft {
  kind: RecordSlipKind;
  /** Chinese title, e.g. 不动产登记信息查询结果. */
  title: string;
  /** English subtitle under the title. */
  subtitle: string;
  kioskId: string;
  /** Where the kiosk stands (config kiosk.location). */
  location: string;
  /** Masked forms only (张*三, 4201**********1234). */
  holder: { nameMasked: string; idNumberMasked: string };
  /** The source of the records, e.g. 咸宁市不动产登记中心. */
  source: string;
  /** Summary rows printed after the holder (year range, totals …). */
  summary: [label: string, value: string][];
  records: SlipRecord[];
  printedAt: Date;
  /** Printed at the bottom (disclaimer, where to ask). */
  notes: string[];
}

export interface SlipRegistration {
  serial: string;
  /** What the QR code carries: the public verification address of this slip. */
  verifyUrl: string;
}

/** `YYYY-MM-DD HH:mm:ss` in China time (UTC+8, no daylight saving), whatever the host's zone. */
const chinaTime = chinaDateTime;

/** Integer fen as yuan with thousands separators: 123456789 → ￥1,234,567.89. */
export const yuan = (fen: number): string => formatFen(fen, { symbol: '￥', group: true });

/**
 * Long reference numbers in groups of four (3421 2345 6789 0123 45), as on bank slips: easier to
 * read aloud to a hotline, and never mistaken for an 18-digit id number by privacy filters.
 */
export function groupDigits(ref: string): string {
  return /^\d{13,}$/.test(ref) ? ref.replace(/(\d{4})(?=\d)/g, '$1 ') : ref;
}

/** The content registered with the upstream before printing: the slip as printed, minus layout. */
export function slipContent(draft: SlipDraft): SlipContent {
  return {
    kind: draft.kind,
    title: draft.title,
    location: draft.location,
    holder: draft.holder,
    printedAt: draft.printedAt.toISOString(),
    records: draft.records.map((r) => Object.fromEntries(r.rows)),
    meta: {
      kioskId: draft.kioskId,
      source: draft.source,
      printedAtLocal: chinaTime(draft.printedAt),
      ...Object.fromEntries(draft.summary),
    },
  };
}

/** The printable document for a registered slip. */
export function slipDocument(draft: SlipDraft, reg: SlipRegistration): ReceiptDocument {
  const b = receipt(`slip-${draft.kind}`, { ref: reg.serial }).title(draft.title, draft.subtitle);
  b.rows([
    ['凭证编号 Serial', reg.serial],
    ['查询人 Holder', draft.holder.nameMasked],
    ['证件号码 ID No.', draft.holder.idNumberMasked],
    ['数据来源 Source', draft.source],
    ...draft.summary,
  ]);
  draft.records.forEach((r, i) => {
    b.divider();
    b.text(r.heading ?? `记录 ${i + 1} / ${draft.records.length}`, { bold: true });
    b.rows(r.rows);
  });
  b.divider('double');
  b.rows([
    ['打印时间 Printed', chinaTime(draft.printedAt)],
    ['自助终端 Kiosk', draft.kioskId],
    ['终端位置 Location', draft.location],
  ]);
  b.qr(reg.verifyUrl, { caption: '扫码核验本凭证 / Scan to verify this slip' });
  b.text(reg.verifyUrl, { align: 'center' });
  b.footer(...draft.notes);
  return b.build();
}
