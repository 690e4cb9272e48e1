/**
 * Shapes the gas engine's parts share and the UI sees. Views only ever hold masked numbers.
 */
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { PrintResult } from '../devices/printer/driver.js';
import type { DeviceDriver } from '@kiosk/contracts/device-status';
import type { GasCardData } from '@kiosk/protocol-gascard';
import type { ReceiptDocument } from '../receipts/document.js';
import type { GasAccount } from '@kiosk/contracts/upstream';
import type { CitizenMessage } from '../services/errors.js';
import type { OrderCounts } from './journal.js';
import type { OrderPhase, OrderState } from './states.js';

export type GasSettings = KioskConfig['gas'];
export type BusyReason = 'payment' | 'cardWrite' | 'printing';

/** What the engine needs from a receipt printer (PrinterDriver satisfies it). */
export interface SlipPrinter extends DeviceDriver {
  print(doc: ReceiptDocument): Promise<PrintResult>;
}

export function isSlipPrinter(d: DeviceDriver | undefined): d is SlipPrinter {
  return d !== undefined && d.kind === 'printer' && typeof (d as Partial<SlipPrinter>).print === 'function';
}

export interface AmountRules {
  minFen: number;
  maxFen: number;
  stepFen: number;
  /** The configured presets that fit this account's range. */
  presetsFen: number[];
}

export interface AccountView {
  accountNoMasked: string;
  holderNameMasked: string;
  address: string;
  company: string;
  meterType: 'iot' | 'ic-card';
  status: 'normal' | 'suspended';
  balanceFen: number | null;
  arrearsFen: number;
  purchaseCount: number | null;
  lastPurchase: GasAccount['lastPurchase'];
  unitPriceFen: number;
  allowanceFen: number | null;
  amounts: AmountRules;
  /** False with a reason when this account cannot be topped up here now. */
  canTopUp: boolean;
  reason: { reason: string; citizen: CitizenMessage } | null;
  /** IC-card meters: the top-up is written to the card, which must be in the reader. */
  needsCard: boolean;
}

export interface CardView {
  cardNoMasked: string;
  purchaseCount: number;
  storedPurchase: GasCardData['storedPurchase'];
  /** Pending or unfinished orders of this kiosk for this card: offer 补写卡 first. */
  pendingOrders: string[];
}

export type OrderStage =
  | 'created'
  | 'awaitingPayment'
  | 'paymentUnknown'
  | 'paymentExpired'
  | 'paymentClosed'
  | 'crediting'
  | 'writingCard'
  | 'credited'
  | 'creditPending'
  | 'needsAttention'
  | 'refundRequested'
  | 'refunded'
  | 'done';

export interface OrderView {
  orderNo: string;
  state: OrderState;
  phase: OrderPhase;
  stage: OrderStage;
  meterType: 'iot' | 'ic-card';
  accountNoMasked: string;
  holderNameMasked: string;
  cardNoMasked: string | null;
  amountFen: number;
  volumeM3: number | null;
  payment: { codeUrl: string | null; deadline: string | null; secondsLeft: number; tradeState: string | null } | null;
  balanceAfterFen: number | null;
  /** IC cards: the card's purchase counter after the write. */
  purchaseCount: number | null;
  receiptPrinted: boolean;
  pendingSlipPrinted: boolean;
  /** What to tell the citizen about this outcome, if anything. */
  message: CitizenMessage | null;
  /** A money step of this order is running right now. */
  busy: BusyReason | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedOrder {
  order: OrderView;
  /** The payment QR code as an SVG document (encodes order.payment.codeUrl). */
  qrSvg: string;
}

export interface PaymentTick {
  orderNo: string;
  tradeState: string;
  secondsLeft: number;
}

export interface GasAlert {
  kind: 'gas.needs_attention';
  orderNo: string;
  /** The state the order was stuck in. */
  from: OrderState | null;
  amountFen: number;
  meterType: 'iot' | 'ic-card';
  reason: string | null;
  at: string;
}

export interface PrintOutcome {
  printed: boolean;
  kind: 'receipt' | 'pending' | null;
  reason: string | null;
  order: OrderView;
}

export interface GasEngineEvents {
  order: [view: OrderView];
  payment: [tick: PaymentTick];
  counts: [counts: OrderCounts];
  alert: [alert: GasAlert];
}
