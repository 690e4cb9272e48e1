/** The photo service's slips: the receipt (回执号, its QR code, the use, how to use it) and the pending slip. */
import type { PhotoSpec } from '@kiosk/kiosk-config';
import { receipt, type ReceiptDocument } from '../receipts/document.js';
import { chinaDateTime, yuan } from '@kiosk/platform';
import type { PhotoOrder } from './journal.js';

export interface PhotoSlipContext {
  kioskId: string;
  site?: string;
  hotline?: string;
  now: Date;
}

export function photoReceiptSlip(o: PhotoOrder, spec: PhotoSpec, ctx: PhotoSlipContext): ReceiptDocument {
  if (!o.receiptCode) throw new Error(`photo order ${o.orderNo} has no receipt code`);
  return receipt('photo-receipt', { ref: o.orderNo })
    .title('数码照片回执', 'Digital photo receipt')
    .row('回执号 / Receipt code', o.receiptCode, { bold: true })
    .rows([
      ['用途 / Use', `${spec.nameZh} / ${spec.nameEn}`],
      ['规格 / Size', `${spec.width}×${spec.height} px`],
      ['金额 / Amount', yuan(o.amountFen)],
      ['订单号 / Order', o.orderNo],
      ['时间 / Time', chinaDateTime(ctx.now)],
      ['终端 / Kiosk', ctx.kioskId],
    ])
    .qr(o.receiptCode, { caption: '回执号 / Receipt code', size: 'medium' })
    .text(spec.howToZh)
    .text(spec.howToEn)
    .footer('照片已上传至照片回执平台，本机不保留照片。', 'The photo is on the receipt platform; the kiosk keeps no copy.')
    .build();
}

export function photoPendingSlip(o: PhotoOrder, spec: PhotoSpec, giveUpMinutes: number, ctx: PhotoSlipContext): ReceiptDocument {
  return receipt('photo-pending', { ref: o.orderNo })
    .title('照片回执办理中', 'Photo receipt pending')
    .rows([
      ['订单号 / Order', o.orderNo],
      ['用途 / Use', `${spec.nameZh} / ${spec.nameEn}`],
      ['金额 / Amount', yuan(o.amountFen)],
      ['时间 / Time', chinaDateTime(ctx.now)],
      ['终端 / Kiosk', ctx.kioskId],
    ])
    .text(`已付款，照片正在上传。上传成功后凭订单号可查询回执号；${giveUpMinutes}分钟内未能上传的，将原路退款。`)
    .text(
      `Paid; the photo is being uploaded. Once it is, the order number gets you the receipt code; if it cannot be uploaded within ${giveUpMinutes} minutes, the money goes back the way you paid.`,
    )
    .footer(`咨询 / Help: ${ctx.hotline ?? '12345'}`)
    .build();
}
