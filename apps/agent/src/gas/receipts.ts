/**
 * The two slips of a gas top-up, as printer-neutral documents (apps/agent/src/receipts): the
 * receipt after the gas was delivered, and the pending-credit slip (待写卡凭条) with the order
 * number and a QR code to finish at any kiosk (补写卡). Masked data only.
 */
import { receipt, type ReceiptDocument } from '../receipts/document.js';
import type { GasOrder } from './journal.js';
import { chinaDateTime, maskAccountNumber, yuan } from '@kiosk/platform';

export interface SlipContext {
  company: string;
  kioskId: string;
  site?: string;
  hotline?: string;
  now?: Date;
}

/** What the pending slip's QR code holds; the kiosk's scanner (or the keypad) gives it back to 补写卡. */
const PENDING_QR_PREFIX = 'KIOSK-GAS-PENDING:';

function pendingQrData(orderNo: string): string {
  return `${PENDING_QR_PREFIX}${orderNo}`;
}

/** The order number from a scanned pending slip, or the text itself if it already is one. */
export function orderNoFromScan(text: string): string {
  const t = text.trim();
  return t.startsWith(PENDING_QR_PREFIX) ? t.slice(PENDING_QR_PREFIX.length) : t;
}

/** 户号 as screens and slips show it: the kiosk-wide rule that keeps accounts apart (8800100001 → 88001***01). */
export const maskAccountNo = maskAccountNumber;

/** Card numbers: first 4 and last 4. */
export function maskCardNo(cardNo: string): string {
  const n = cardNo.length;
  if (n <= 8) return '*'.repeat(n);
  return cardNo.slice(0, 4) + '*'.repeat(n - 8) + cardNo.slice(n - 4);
}

// China time, as printed on every slip of the kiosk.
const stamp = chinaDateTime;

const meterLabel = (o: GasOrder): string => (o.meterType === 'iot' ? '物联网表 / Smart meter' : 'IC卡表 / IC-card meter');

export function gasReceipt(o: GasOrder, ctx: SlipContext): ReceiptDocument {
  const b = receipt('gas-topup', { ref: o.orderNo })
    .title('天然气充值凭条', 'Gas top-up receipt')
    .rows([
      ['燃气公司 / Company', ctx.company],
      ['户号 / Account', maskAccountNo(o.accountNo)],
    ]);
  if (o.holderMasked) b.row('户名 / Holder', o.holderMasked);
  b.row('表类型 / Meter', meterLabel(o));
  if (o.cardNo) b.row('卡号 / Card', maskCardNo(o.cardNo));
  b.row('充值金额 / Amount', yuan(o.amountFen), { bold: true });
  if (o.volumeM3 !== null) b.row('气量 / Volume', `${o.volumeM3} m³`);
  if (o.meterType === 'iot' && o.balanceAfterFen !== null) b.row('充值后余额 / Balance', yuan(o.balanceAfterFen));
  if (o.meterType === 'ic-card' && o.icTargetCount !== null) b.row('购气次数 / Purchase no.', String(o.icTargetCount));
  b.row('订单号 / Order', o.orderNo);
  if (o.transactionId) b.row('支付流水 / Payment', o.transactionId);
  b.row('时间 / Time', stamp(new Date(o.creditedAt ?? o.updatedAt)));
  b.row('终端 / Kiosk', ctx.kioskId);
  b.divider();
  if (o.meterType === 'ic-card') {
    b.text('请取回燃气卡并插入燃气表，待表具读卡完成后再拔出。', { bold: true });
    b.text('Take your gas card and insert it into your meter until the meter has read it.');
  } else {
    b.text('燃气已充值到您的物联网表，表具将在几分钟内更新余额。');
    b.text('The gas was credited to your smart meter; it updates within a few minutes.');
  }
  const footer = ['请妥善保管本凭条 / Please keep this receipt'];
  if (ctx.site) footer.push(ctx.site);
  if (ctx.hotline) footer.push(`咨询电话 / Hotline ${ctx.hotline}`);
  return b.footer(...footer).build();
}

export function pendingSlip(o: GasOrder, ctx: SlipContext): ReceiptDocument {
  const b = receipt('gas-pending', { ref: o.orderNo })
    .title('燃气充值待写卡凭条', 'Gas top-up: pending credit')
    .text('您已付款，燃气尚未充入。请凭本凭条在任一自助终端办理“补写卡”，或联系燃气公司。', { bold: true })
    .text(
      'You have paid, but the gas is not credited yet. Finish it at any kiosk with "补写卡 / finish a pending top-up", or contact the gas company.',
    )
    .divider()
    .rows([
      ['订单号 / Order', o.orderNo],
      ['户号 / Account', maskAccountNo(o.accountNo)],
    ]);
  if (o.cardNo) b.row('卡号 / Card', maskCardNo(o.cardNo));
  b.row('金额 / Amount', yuan(o.amountFen), { bold: true });
  if (o.transactionId) b.row('支付流水 / Payment', o.transactionId);
  b.row('时间 / Time', stamp(ctx.now ?? new Date()));
  b.row('终端 / Kiosk', ctx.kioskId);
  b.qr(pendingQrData(o.orderNo), { caption: '补写卡时请扫描此码 / Scan this code to finish', size: 'medium', errorLevel: 'M' });
  if (o.meterType === 'ic-card') b.text('补写卡时请携带燃气卡。 / Bring your gas card.');
  b.text('本笔款项不会被自动退回；如需退款请联系燃气公司。 / This payment is not refunded automatically.');
  const footer = ['请妥善保管本凭条 / Please keep this slip'];
  if (ctx.hotline) footer.push(`咨询电话 / Hotline ${ctx.hotline}`);
  return b.footer(...footer).build();
}

/**
 * The slip for a payment whose outcome the kiosk could not learn (the provider unreachable): the
 * order number and what to do, true to the credit kind. IoT: credited by itself once the payment
 * is confirmed. IC card: the gas is only on the card after 补写卡 with the card, at any kiosk.
 */
export function paymentUnknownSlip(o: GasOrder, ctx: SlipContext): ReceiptDocument {
  const ic = o.meterType === 'ic-card';
  const b = receipt('gas-pending', { ref: o.orderNo })
    .title('燃气充值待确认凭条', 'Gas top-up: payment not confirmed')
    .text('暂时无法确认支付结果。如未付款，不会扣款，也无需任何操作。', { bold: true })
    .text('The payment result could not be confirmed. If you did not pay, nothing is charged and nothing needs doing.');
  if (ic) {
    b.text('如您已付款：燃气不会自动写入燃气卡。请携带燃气卡和本凭条，在任一自助终端办理“补写卡”。', { bold: true }).text(
      'If you paid: the gas is NOT written to your card by itself. Bring your gas card and this slip to any kiosk and choose "补写卡 / finish a pending top-up".',
    );
  } else {
    b.text('如您已付款：系统确认付款后将自动为您充值，请勿重复付款。', { bold: true }).text(
      'If you paid: the gas is credited automatically once the payment is confirmed. Do not pay again.',
    );
  }
  b.divider().rows([
    ['订单号 / Order', o.orderNo],
    ['户号 / Account', maskAccountNo(o.accountNo)],
  ]);
  if (o.cardNo) b.row('卡号 / Card', maskCardNo(o.cardNo));
  b.row('金额 / Amount', yuan(o.amountFen), { bold: true });
  b.row('时间 / Time', stamp(ctx.now ?? new Date()));
  b.row('终端 / Kiosk', ctx.kioskId);
  if (ic)
    b.qr(pendingQrData(o.orderNo), { caption: '补写卡时请扫描此码 / Scan this code to finish', size: 'medium', errorLevel: 'M' });
  const footer = ['请妥善保管本凭条 / Please keep this slip'];
  if (ctx.hotline) footer.push(`咨询电话 / Hotline ${ctx.hotline}`);
  return b.footer(...footer).build();
}
