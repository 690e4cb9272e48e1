/**
 * What the gas top-up flow (flows/gas.ts) puts in `FlowView.data`, step by step. No imports, so
 * the kiosk UI (apps/kiosk-ui/src/flows/GasFlow.tsx) reads the same types. Everything is masked or
 * non-personal: account and card numbers and the holder's name arrive masked from the engine.
 *
 * Steps:
 * - `removeCard`  a gas card was in the reader before the citizen asked for one: take it out
 * - `start`       keypad for the account number (户号), "use the gas card", "finish a pending top-up"
 * - `lookingUp`   the account is being looked up
 * - `waitCard`    place the gas IC card (the reader is waiting)
 * - `account`     masked account details, amount choice (presets + custom)
 * - `confirm`     amount, account, meter type: "pay now?"
 * - `creating`    the payment order is being created
 * - `paying`      payment QR code, amount, merchant, countdown
 * - `crediting`   paid; gas is being credited (IoT) or the card written (IC: do not remove it)
 * - `printing`    credited or pending: the receipt / pending slip is printing
 * - `pendingEntry` type or scan the order number of a pending slip (补写卡)
 * - `finishing`   补写卡 in progress (IC: place the card)
 * - `error`       something the citizen must know; message from the engine's GasError
 */

export interface GasText {
  zh: string;
  en: string;
}

export interface GasAmounts {
  minFen: number;
  maxFen: number;
  stepFen: number;
  presetsFen: number[];
}

export interface GasAccountData {
  accountNoMasked: string;
  holderNameMasked: string;
  address: string;
  company: string;
  meterType: 'iot' | 'ic-card';
  balanceFen: number | null;
  arrearsFen: number;
  purchaseCount: number | null;
  lastPurchase: { amountFen: number; volumeM3: number; purchasedAt: string } | null;
  unitPriceFen: number;
  allowanceFen: number | null;
  amounts: GasAmounts;
  canTopUp: boolean;
  /** Why a top-up is not possible here now (canTopUp false). */
  reason: { reason: string; citizen: GasText } | null;
  /** IC card: the card in the reader (masked) and its purchase counter. */
  card: { cardNoMasked: string; purchaseCount: number; pendingOrders: string[] } | null;
}

export interface GasStartData {
  /** The gas card reader is there (the card option is offered). */
  cardReader: boolean;
  /** The last typed account was not found / invalid. */
  notice: GasText | null;
}

export interface GasRemoveCardData {
  /** Why the card must come out: it was there before the citizen asked for it. */
  reason: 'foreign';
}

export interface GasAccountStepData {
  account: GasAccountData;
  /** The amount the citizen picked last (fen), or null. */
  amountFen: number | null;
  /** The last amount tried was refused: 'range' or 'step'. */
  amountError: 'range' | 'step' | null;
  /** e.g. "order cancelled, nothing charged" after a cancelled QR. */
  notice: GasText | null;
}

export interface GasConfirmData {
  account: GasAccountData;
  amountFen: number;
  /** Approximate volume at the account's unit price (m³, two decimals). */
  volumeM3: number;
}

export interface GasPayingData {
  orderNo: string;
  amountFen: number;
  merchant: string;
  accountNoMasked: string;
  meterType: 'iot' | 'ic-card';
  /** The QR code as an SVG document (encodes `codeUrl`). */
  qrSvg: string;
  codeUrl: string;
  /** ISO time the kiosk closes the order; the UI counts down to it. */
  deadline: string | null;
  secondsLeft: number;
  totalSeconds: number;
  tradeState: string | null;
  /** Cancel requested; waiting for the provider to close. */
  cancelling: boolean;
}

export interface GasCreditingData {
  orderNo: string;
  amountFen: number;
  meterType: 'iot' | 'ic-card';
  /** The card is being written right now: do not remove it. */
  writingCard: boolean;
}

export interface GasPrintingData {
  orderNo: string;
  kind: 'receipt' | 'pending';
  meterType: 'iot' | 'ic-card';
  amountFen: number;
  /** Engine's citizen text for the outcome (credited / pending). */
  message: GasText | null;
}

export interface GasFinishingData {
  /** Masked order number being finished. */
  orderNo: string;
}

export interface GasErrorData {
  message: GasText;
  /** Continue goes back to the first step (try again). */
  retry: boolean;
}
