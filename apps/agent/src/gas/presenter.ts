/**
 * The presenter: builds what screens show (order and account views, the payment QR code) from
 * the journal and the order activity. No money decisions here, and no money code renders UI.
 */
import QRCode from 'qrcode';
import type { GasAccount } from '@kiosk/contracts/upstream';
import type { CitizenMessage } from '../services/errors.js';
import type { OrderActivity } from './activity.js';
import { amountRules } from './amounts.js';
import { gasError, messages } from './errors.js';
import type { GasOrder } from './journal.js';
import { maskAccountNo, maskCardNo } from './receipts.js';
import { creditedStates, phaseOf } from './states.js';
import type { AccountView, BusyReason, GasSettings, OrderStage, OrderView } from './types.js';

/** The payment QR code as an SVG document. */
export function renderPaymentQr(codeUrl: string): Promise<string> {
  return QRCode.toString(codeUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

export function accountView(settings: GasSettings, a: GasAccount): AccountView {
  const amounts = amountRules(settings, a);
  let reason: AccountView['reason'] = null;
  if (a.status !== 'normal') reason = gasError('userError', 'ACCOUNT_SUSPENDED').toPayload();
  else if (amounts.maxFen < amounts.minFen) reason = gasError('userError', 'ALLOWANCE_EXHAUSTED').toPayload();
  return {
    accountNoMasked: maskAccountNo(a.accountNo),
    holderNameMasked: a.holderNameMasked,
    address: a.address,
    company: a.company,
    meterType: a.meterType,
    status: a.status,
    balanceFen: a.balanceFen,
    arrearsFen: a.arrearsFen,
    purchaseCount: a.purchaseCount,
    lastPurchase: a.lastPurchase,
    unitPriceFen: a.unitPriceFen,
    allowanceFen: a.allowanceFen,
    amounts,
    canTopUp: reason === null,
    reason,
    needsCard: a.meterType === 'ic-card',
  };
}

export class Presenter {
  constructor(
    private readonly activity: OrderActivity,
    private readonly now: () => Date,
  ) {}

  /** The payment outcome is unknown: the watcher gave up and nothing watches it any more. */
  paymentUnknown(o: GasOrder): boolean {
    return (
      o.state === 'awaiting_payment' && this.activity.unknownPayment.has(o.orderNo) && !this.activity.watchers.has(o.orderNo)
    );
  }

  toView(o: GasOrder): OrderView {
    const busy = this.activity.inFlight.get(o.orderNo) ?? null;
    const stage = this.stageOf(o, busy);
    const deadline = o.payDeadline;
    return {
      orderNo: o.orderNo,
      state: o.state,
      phase: phaseOf(o.state),
      stage,
      meterType: o.meterType,
      accountNoMasked: maskAccountNo(o.accountNo),
      holderNameMasked: o.holderMasked,
      cardNoMasked: o.cardNo ? maskCardNo(o.cardNo) : null,
      amountFen: o.amountFen,
      volumeM3: o.volumeM3,
      payment:
        o.state === 'awaiting_payment'
          ? {
              codeUrl: o.payCodeUrl,
              deadline,
              secondsLeft: deadline ? Math.max(0, Math.ceil((Date.parse(deadline) - this.now().getTime()) / 1000)) : 0,
              tradeState: o.tradeState,
            }
          : null,
      balanceAfterFen: o.balanceAfterFen,
      purchaseCount: creditedStates.includes(o.state) ? o.icTargetCount : null,
      receiptPrinted: o.receiptPrinted,
      pendingSlipPrinted: o.pendingSlipPrinted,
      message: messageOf(o, stage),
      busy,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
  }

  private stageOf(o: GasOrder, busy: BusyReason | null): OrderStage {
    switch (o.state) {
      case 'created':
        return 'created';
      case 'awaiting_payment':
        return this.paymentUnknown(o) ? 'paymentUnknown' : 'awaitingPayment';
      case 'paid':
      case 'crediting':
        return busy === 'cardWrite' ? 'writingCard' : 'crediting';
      case 'credited':
      case 'receipt_printed':
        return 'credited';
      case 'done':
        return 'done';
      case 'payment_expired':
        return 'paymentExpired';
      case 'payment_closed':
        return 'paymentClosed';
      case 'credit_pending':
        return 'creditPending';
      case 'needs_attention':
        return 'needsAttention';
      case 'refund_requested':
        return 'refundRequested';
      case 'refunded':
        return 'refunded';
    }
  }
}

/**
 * What the citizen is told. The truth per credit kind: an IoT credit is retried by the kiosk by
 * itself; an IC-card purchase needs the card in a kiosk again (补写卡).
 */
function messageOf(o: GasOrder, stage: OrderStage): CitizenMessage | null {
  switch (stage) {
    case 'paymentExpired':
      return messages.PAYMENT_EXPIRED;
    case 'paymentClosed':
      return messages.PAYMENT_CLOSED;
    case 'paymentUnknown':
      return o.meterType === 'iot' ? messages.PAYMENT_UNKNOWN : messages.PAYMENT_UNKNOWN_IC;
    case 'credited':
    case 'done':
      return o.meterType === 'iot' ? messages.CREDITED_IOT : messages.CREDITED_IC;
    case 'creditPending':
      return o.meterType === 'iot' ? messages.CREDIT_PENDING_IOT : messages.CREDIT_PENDING;
    case 'needsAttention':
      return messages.NEEDS_ATTENTION;
    case 'refunded':
      return messages.REFUNDED;
    default:
      return null;
  }
}
