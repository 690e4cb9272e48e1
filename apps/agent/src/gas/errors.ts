import type { CompletionCode } from '../api/envelope.js';
import { UpstreamError, type CitizenMessage } from '../services/errors.js';

/**
 * Why a gas command did not do what the citizen asked. `reason` is a stable code the UI branches
 * on; `citizen` is what a screen may show (zh-CN first, then English).
 */
export class GasError extends Error {
  constructor(
    readonly completionCode: CompletionCode,
    readonly reason: string,
    readonly citizen: CitizenMessage,
    detail?: string,
  ) {
    super(detail ?? reason);
    this.name = 'GasError';
  }

  toPayload(): { reason: string; citizen: CitizenMessage } {
    return { reason: this.reason, citizen: this.citizen };
  }
}

export const messages = {
  NOT_READY: {
    zh: '燃气充值正在恢复未完成的订单，请稍候再试。',
    en: 'Gas top-up is finishing earlier orders. Please try again shortly.',
  },
  ORDER_IN_PROGRESS: { zh: '上一笔充值尚未完成，请稍候。', en: 'The previous top-up is still in progress. Please wait.' },
  AMOUNT_OUT_OF_RANGE: {
    zh: '充值金额超出允许范围，请重新选择金额。',
    en: 'The amount is outside the allowed range. Please choose another amount.',
  },
  AMOUNT_STEP: { zh: '充值金额须为整元。', en: 'Please choose a whole-yuan amount.' },
  ALLOWANCE_EXHAUSTED: { zh: '本月可购气额度已用完。', en: "This month's gas allowance has been used up." },
  ACCOUNT_SUSPENDED: {
    zh: '该燃气账户已停用，请到燃气公司营业厅办理。',
    en: 'This gas account is suspended. Please visit a gas company service hall.',
  },
  CARD_REQUIRED: {
    zh: '该户号为IC卡表，请将燃气卡放入读卡器。',
    en: 'This account has an IC-card meter. Please insert your gas card.',
  },
  NO_CARD_READER: {
    zh: '燃气卡读写器暂不可用，请使用户号充值物联网表或联系工作人员。',
    en: 'The gas card reader is not available. Please ask a member of staff.',
  },
  NO_CARD: { zh: '未检测到燃气卡，请将燃气卡放入读卡器。', en: 'No gas card found. Please insert your gas card.' },
  CARD_READ_FAILED: {
    zh: '燃气卡读取失败，请取出后重新放入。',
    en: 'The gas card could not be read. Please take it out and insert it again.',
  },
  WRONG_CARD: {
    zh: '读卡器中的燃气卡与该订单不符，请放入付款时使用的燃气卡。',
    en: 'This card does not belong to the order. Please insert the card you paid for.',
  },
  CARD_MISMATCH: { zh: '燃气卡与户号不符，请核对。', en: 'This gas card does not belong to this account.' },
  CARD_COUNTER_MISMATCH: {
    zh: '燃气卡购气次数与燃气公司记录不符，暂不能充值，请到营业厅处理。',
    en: "The card's purchase count does not match the gas company's records. Please visit a service hall.",
  },
  PENDING_CARD_WRITE: {
    zh: '该燃气卡有一笔已付款待写卡的充值，请先办理“补写卡”。',
    en: 'A paid top-up is still waiting to be written to this card. Please use "finish a pending top-up" first.',
  },
  ORDER_NOT_FOUND: { zh: '未找到该订单，请核对订单号。', en: 'No order with this number was found. Please check the number.' },
  ORDER_NOT_PAID: { zh: '该订单未付款，无需补写卡。', en: 'This order was not paid; there is nothing to finish.' },
  NOT_PENDING: { zh: '该订单不是待写卡订单。', en: 'This order is not waiting for a credit.' },
  ALREADY_COMPLETE: { zh: '该订单已充值完成。', en: 'This top-up has already been completed.' },
  PENDING_ELSEWHERE: {
    zh: '该订单将由付款的终端自动完成充值，无需补写卡；如有疑问请致电咨询。',
    en: 'The kiosk where you paid completes this top-up automatically. Please call the hotline if in doubt.',
  },
  PAYMENT_UNAVAILABLE: {
    zh: '支付服务暂时无法使用，请稍后再试。',
    en: 'The payment service is temporarily unavailable. Please try again later.',
  },
  CANNOT_CANCEL: { zh: '订单已付款，正在充值，无法取消。', en: 'The order is paid and being credited; it cannot be cancelled.' },
  REFUND_UNSAFE: {
    zh: '无法确认燃气未充入，不能退款；请先与燃气公司核实。',
    en: 'It cannot be confirmed that no gas was credited, so no refund is possible. Check with the gas company first.',
  },
  MAINTENANCE_ONLY: { zh: '此操作仅限维护人员。', en: 'This operation is for maintenance staff only.' },
  // Shown with an order's outcome.
  PAYMENT_EXPIRED: {
    zh: '支付已超时，订单已关闭，未扣款。',
    en: 'The payment time ran out. The order was closed and nothing was charged.',
  },
  PAYMENT_CLOSED: { zh: '订单已取消，未扣款。', en: 'The order was cancelled and nothing was charged.' },
  PAYMENT_UNKNOWN: {
    zh: '暂时无法确认支付结果。如您已付款，系统将自动为您充值；如有疑问请致电咨询。',
    en: 'The payment result cannot be confirmed yet. If you paid, the gas will be credited automatically. Call the hotline if in doubt.',
  },
  PAYMENT_UNKNOWN_IC: {
    zh: '暂时无法确认支付结果。如您已付款，燃气不会自动写入您的燃气卡：请保管好凭条，携带燃气卡在任一自助终端办理“补写卡”。如未付款，不会扣款。',
    en: 'The payment result cannot be confirmed yet. If you paid, the gas is NOT written to your card by itself: keep the slip and bring your gas card to any kiosk to finish ("补写卡"). If you did not pay, nothing is charged.',
  },
  CREDIT_PENDING: {
    zh: '您已付款，燃气暂未充入。请保管好待写卡凭条，在任一自助终端办理“补写卡”，款项不会丢失。',
    en: 'You have paid but the gas is not credited yet. Keep the slip and finish at any kiosk; your money is safe.',
  },
  CREDIT_PENDING_IOT: {
    zh: '您已付款，燃气公司系统暂未确认充值，系统将自动重试，无需重复付款。',
    en: 'You have paid. The gas company has not confirmed the credit yet; the kiosk retries automatically. Do not pay again.',
  },
  NEEDS_ATTENTION: { zh: '该订单需要人工处理，请致电咨询。', en: 'This order needs a member of staff. Please call the hotline.' },
  CREDITED_IOT: {
    zh: '充值成功，燃气表将在几分钟内更新余额。',
    en: 'Top-up complete. Your smart meter updates within a few minutes.',
  },
  CREDITED_IC: {
    zh: '写卡成功，请取回燃气卡并插入燃气表。',
    en: 'The card has been written. Take your card and insert it into your meter.',
  },
  REFUNDED: { zh: '款项已退回原支付账户。', en: 'The payment has been refunded.' },
} satisfies Record<string, CitizenMessage>;

export type GasReason = keyof typeof messages;

export function gasError(completionCode: CompletionCode, reason: GasReason, detail?: string): GasError {
  return new GasError(completionCode, reason, messages[reason], detail);
}

/** An upstream failure as a GasError: business answers are the citizen's to fix, outages are not. */
export function fromUpstream(err: UpstreamError): GasError {
  const business = err.code === 'REJECTED' || err.code === 'NOT_FOUND' || err.code === 'INVALID_REQUEST';
  return new GasError(business ? 'userError' : 'deviceNotReady', err.upstreamCode ?? err.code, err.citizen, err.message);
}

/** Codes after which the call may have taken effect upstream: look before concluding anything. */
export function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof UpstreamError)) return true;
  return !(err.code === 'REJECTED' || err.code === 'NOT_FOUND' || err.code === 'INVALID_REQUEST');
}

export function errorCode(err: unknown): string {
  if (err instanceof UpstreamError) return `${err.upstream}:${err.code}${err.upstreamCode ? `:${err.upstreamCode}` : ''}`;
  if (err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string')
    return `${err.name}:${(err as { code: string }).code}`;
  return err instanceof Error ? err.name : 'unknown';
}
