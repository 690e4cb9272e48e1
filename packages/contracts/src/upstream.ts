import { z } from 'zod';

/**
 * The wire contract between the kiosk's connectors and its upstream systems (or a bridge to the
 * real ones). docs/sandbox-api.openapi.yaml describes the same shapes for integrators; the
 * connectors validate every response against these schemas, and the sandbox builds its
 * responses with these types so the two cannot drift apart silently.
 *
 * Conventions: money is integer fen (分) — never floating yuan; calendar dates are
 * `YYYY-MM-DD` in China time; instants are ISO 8601 strings.
 */

const fen = z.number().int();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const month = z.string().regex(/^\d{4}-\d{2}$/, 'YYYY-MM');
const instant = z.string().min(10);

/** Everything that names a person leaves the upstream masked. */
export const maskedHolderSchema = z.object({
  nameMasked: z.string(),
  idNumberMasked: z.string(),
});
export type MaskedHolder = z.infer<typeof maskedHolderSchema>;

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  requestId: z.string().optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

// ---------------------------------------------------------------- property registry

export const propertyStatusSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('mortgage'),
    label: z.literal('抵押'),
    mortgagee: z.string(),
    amountFen: fen,
    /** 不动产登记证明号 of the mortgage registration. */
    certificateNo: z.string(),
    registeredOn: date,
    termStart: date,
    termEnd: date,
  }),
  z.object({
    type: z.literal('seizure'),
    label: z.literal('查封'),
    authority: z.string(),
    documentNo: z.string(),
    registeredOn: date,
    termEnd: date,
  }),
  z.object({
    type: z.literal('objection'),
    label: z.literal('异议'),
    registeredOn: date,
    note: z.string(),
  }),
  z.object({
    type: z.literal('advance_notice'),
    label: z.literal('预告'),
    registeredOn: date,
    note: z.string(),
  }),
]);
export type PropertyStatus = z.infer<typeof propertyStatusSchema>;
export type PropertyStatusType = PropertyStatus['type'];

export const propertySchema = z.object({
  /** 不动产权证号, e.g. 鄂(2019)咸宁市不动产权第0012345号. */
  certificateNo: z.string(),
  /** 不动产单元号 (28 characters). */
  unitNumber: z.string(),
  /** 坐落. */
  location: z.string(),
  district: z.object({ code: z.string(), name: z.string() }),
  areaM2: z.number().positive(),
  /** 用途: 住宅, 商业, 车位, 办公 … */
  usage: z.string(),
  /** 权利类型, e.g. 国有建设用地使用权/房屋所有权. */
  rightType: z.string(),
  /** 共有情况: 单独所有, 共同共有, 按份共有. */
  ownership: z.string(),
  registeredOn: date,
  /** Empty when the property carries no encumbrance (无). */
  statuses: z.array(propertyStatusSchema),
});
export type Property = z.infer<typeof propertySchema>;

export const propertyQueryRequestSchema = z.object({ idNumber: z.string() });
export type PropertyQueryRequest = z.infer<typeof propertyQueryRequestSchema>;

export const propertyQueryResponseSchema = z.object({
  requestId: z.string(),
  registry: z.string(),
  holder: maskedHolderSchema.nullable(),
  queriedAt: instant,
  properties: z.array(propertySchema),
});
export type PropertyQueryResponse = z.infer<typeof propertyQueryResponseSchema>;

// ---------------------------------------------------------------- tax bureau

export const taxRecordSchema = z.object({
  /** 完税凭证号 / 电子税票号. */
  voucherNo: z.string(),
  taxType: z.string(),
  taxItem: z.string(),
  periodStart: date,
  periodEnd: date,
  amountFen: fen,
  taxAuthority: z.string(),
  paidOn: date,
  /** Printed on the record; lets anyone check it with the tax bureau. */
  verificationCode: z.string(),
});
export type TaxRecord = z.infer<typeof taxRecordSchema>;

export const taxQueryRequestSchema = z.object({
  idNumber: z.string(),
  fromYear: z.number().int(),
  toYear: z.number().int(),
});
export type TaxQueryRequest = z.infer<typeof taxQueryRequestSchema>;

export const taxQueryResponseSchema = z.object({
  requestId: z.string(),
  holder: maskedHolderSchema.nullable(),
  fromYear: z.number().int(),
  toYear: z.number().int(),
  queriedAt: instant,
  records: z.array(taxRecordSchema),
});
export type TaxQueryResponse = z.infer<typeof taxQueryResponseSchema>;

// ---------------------------------------------------------------- social insurance

/** resident = 城乡居民社保费缴款凭单; flexible = 灵活就业人员社保票据. */
export const socialKindSchema = z.enum(['resident', 'flexible']);
export type SocialKind = z.infer<typeof socialKindSchema>;

export const socialRecordSchema = z.object({
  voucherNo: z.string(),
  kind: socialKindSchema,
  insuranceType: z.string(),
  periodStart: month,
  periodEnd: month,
  /** Contribution base (缴费基数); null for residents, who choose a grade instead. */
  baseFen: fen.nullable(),
  /** 缴费档次 for residents; null for flexible employment. */
  grade: z.string().nullable(),
  amountFen: fen,
  paidOn: date,
  /** The collecting authority (since 2019 the tax bureau collects social-insurance fees). */
  collector: z.string(),
});
export type SocialRecord = z.infer<typeof socialRecordSchema>;

export const socialQueryRequestSchema = z.object({
  idNumber: z.string(),
  kind: socialKindSchema,
  fromYear: z.number().int(),
  toYear: z.number().int(),
});
export type SocialQueryRequest = z.infer<typeof socialQueryRequestSchema>;

export const socialQueryResponseSchema = z.object({
  requestId: z.string(),
  holder: maskedHolderSchema.nullable(),
  kind: socialKindSchema,
  fromYear: z.number().int(),
  toYear: z.number().int(),
  queriedAt: instant,
  records: z.array(socialRecordSchema),
});
export type SocialQueryResponse = z.infer<typeof socialQueryResponseSchema>;

// ---------------------------------------------------------------- printed slips

export const slipKindSchema = z.enum([
  'property',
  'tax',
  'social-resident',
  'social-flexible',
  'gas-receipt',
  'gas-pending',
  /** 电子证照用证凭证 (issue 18). */
  'licence-copy',
  'other',
]);
export type SlipKind = z.infer<typeof slipKindSchema>;

const slipCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const slipContentSchema = z.object({
  kind: slipKindSchema,
  title: z.string().min(1).max(200),
  location: z.string().max(200).optional(),
  holder: maskedHolderSchema.optional(),
  printedAt: instant,
  /** The rows as printed, one object per record. */
  records: z.array(z.record(z.string(), slipCell)).max(500),
  meta: z.record(z.string(), z.string()).optional(),
});
export type SlipContent = z.infer<typeof slipContentSchema>;

export const slipRegisterRequestSchema = slipContentSchema.extend({
  /** Makes registration safe to retry: the same key from the same kiosk returns the same serial. */
  idempotencyKey: z.string().min(8).max(100),
});
export type SlipRegisterRequest = z.infer<typeof slipRegisterRequestSchema>;

export const slipRegisterResponseSchema = z.object({
  serial: z.string(),
  verifyUrl: z.string(),
  registeredAt: instant,
});
export type SlipRegisterResponse = z.infer<typeof slipRegisterResponseSchema>;

export const slipVerifyResponseSchema = z.object({
  serial: z.string(),
  kioskId: z.string(),
  registeredAt: instant,
  slip: slipContentSchema,
});
export type SlipVerifyResponse = z.infer<typeof slipVerifyResponseSchema>;

// ---------------------------------------------------------------- gas company

export const meterTypeSchema = z.enum(['iot', 'ic-card']);
export type MeterType = z.infer<typeof meterTypeSchema>;

export const gasAccountQuerySchema = z.union([
  z.object({ accountNo: z.string().regex(/^\d{6,20}$/) }).strict(),
  z.object({ cardNo: z.string().regex(/^\d{6,24}$/) }).strict(),
]);
export type GasAccountQuery = z.infer<typeof gasAccountQuerySchema>;

export const gasAccountSchema = z.object({
  company: z.string(),
  accountNo: z.string(),
  /** IC-card meters only. */
  cardNo: z.string().nullable(),
  holderNameMasked: z.string(),
  address: z.string(),
  meterType: meterTypeSchema,
  status: z.enum(['normal', 'suspended']),
  /** IoT meters: prepaid balance held by the gas company. */
  balanceFen: fen.nullable(),
  /** IC-card meters: the last purchase written to the card. */
  lastPurchase: z
    .object({ amountFen: fen, volumeM3: z.number(), purchasedAt: instant, purchaseCount: z.number().int() })
    .nullable(),
  /** IC-card meters: purchases written so far (the card's 购气次数 should match). */
  purchaseCount: z.number().int().nullable(),
  arrearsFen: fen,
  unitPriceFen: fen,
  limits: z.object({ minAmountFen: fen, maxAmountFen: fen }),
  /** What may still be bought this month; null when there is no cap. */
  allowanceFen: fen.nullable(),
});
export type GasAccount = z.infer<typeof gasAccountSchema>;

const serialNo = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8–64 letters, digits, _ or -');

export const remoteCreditRequestSchema = z.object({
  /** The terminal's business serial number: the idempotency key. */
  serialNo,
  accountNo: z.string(),
  amountFen: fen.positive(),
  paymentOrderNo: z.string().min(1),
});
export type RemoteCreditRequest = z.infer<typeof remoteCreditRequestSchema>;

export const remoteCreditSchema = z.object({
  serialNo: z.string(),
  creditId: z.string(),
  accountNo: z.string(),
  amountFen: fen,
  volumeM3: z.number(),
  status: z.literal('credited'),
  balanceAfterFen: fen,
  creditedAt: instant,
  /** True when this serial number had already been credited: nothing was credited again. */
  duplicate: z.boolean(),
});
export type RemoteCredit = z.infer<typeof remoteCreditSchema>;

export const icPurchaseRequestSchema = z.object({
  serialNo,
  accountNo: z.string(),
  cardNo: z.string(),
  amountFen: fen.positive(),
  /** The purchase counter read from the card just before. */
  cardPurchaseCount: z.number().int().min(0),
  paymentOrderNo: z.string().min(1),
});
export type IcPurchaseRequest = z.infer<typeof icPurchaseRequestSchema>;

/** voided: cancelled by a void (冲正) before it was written; its write data is no longer valid. */
export const icPurchaseStatusSchema = z.enum(['awaiting_write', 'written', 'write_failed', 'voided']);
export type IcPurchaseStatus = z.infer<typeof icPurchaseStatusSchema>;

export const icPurchaseSchema = z.object({
  serialNo: z.string(),
  purchaseId: z.string(),
  accountNo: z.string(),
  cardNo: z.string(),
  amountFen: fen,
  volumeM3: z.number(),
  status: icPurchaseStatusSchema,
  /** What the kiosk writes to the card. A card whose counter already equals purchaseCount has it. */
  write: z.object({
    cardNo: z.string(),
    purchaseCount: z.number().int(),
    amountFen: fen,
    volumeM3: z.number(),
    /** Gas-company MAC over the write; the card (or meter) checks it. */
    mac: z.string(),
  }),
  createdAt: instant,
  reportedAt: instant.nullable(),
  duplicate: z.boolean(),
});
export type IcPurchase = z.infer<typeof icPurchaseSchema>;

export const icWriteReportSchema = z.object({
  result: z.enum(['written', 'failed']),
  /** The card's counter read back after writing; required when result is written. */
  purchaseCountAfter: z.number().int().nullable(),
  /** Hex image of the card after writing, as gas-kiosk host protocols report it. */
  cardImage: z
    .string()
    .regex(/^[0-9A-Fa-f]*$/)
    .max(4096)
    .optional(),
});
export type IcWriteReport = z.infer<typeof icWriteReportSchema>;

/** 冲正 request: make this serial number impossible to credit (before refunding its payment). */
export const gasVoidRequestSchema = z.object({
  serialNo: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  reason: z.string().max(80).optional(),
});
export type GasVoidRequest = z.infer<typeof gasVoidRequestSchema>;

/**
 * A definite void. `never_credited`: nothing existed under the serial and nothing ever will be;
 * `voided`: an IC purchase that was not written was cancelled. A serial whose gas was already
 * credited cannot be voided (409 ALREADY_CREDITED).
 */
export const gasVoidSchema = z.object({
  serialNo: z.string(),
  result: z.enum(['voided', 'never_credited']),
  kind: z.enum(['iot_credit', 'ic_purchase']).nullable(),
  voidedAt: instant,
  duplicate: z.boolean(),
});
export type GasVoid = z.infer<typeof gasVoidSchema>;

export const gasLedgerSchema = z.object({
  company: z.string(),
  date,
  entries: z.array(
    z.object({
      serialNo: z.string(),
      kind: z.enum(['iot_credit', 'ic_purchase']),
      accountNo: z.string(),
      amountFen: fen,
      volumeM3: z.number(),
      status: z.enum(['credited', 'awaiting_write', 'written', 'write_failed', 'voided']),
      paymentOrderNo: z.string(),
      kioskId: z.string(),
      at: instant,
    }),
  ),
  totals: z.object({ count: z.number().int(), amountFen: fen }),
});
export type GasLedger = z.infer<typeof gasLedgerSchema>;

// ---------------------------------------------------------------- payment provider

/** WeChat Pay trade_state vocabulary (REVOKED is micropay-only and never produced here). */
export const tradeStateSchema = z.enum(['NOTPAY', 'USERPAYING', 'SUCCESS', 'CLOSED', 'REFUND', 'PAYERROR']);
export type TradeState = z.infer<typeof tradeStateSchema>;

export const createOrderRequestSchema = z.object({
  /** The kiosk's order number: the idempotency key. */
  outTradeNo: z.string().regex(/^[A-Za-z0-9_-]{6,32}$/, '6–32 letters, digits, _ or -'),
  amountFen: fen.positive(),
  description: z.string().min(1).max(127),
  /** After this the order can no longer be paid; default 600. */
  expireSeconds: z.number().int().min(10).max(7200).optional(),
});
export type CreateOrderRequest = z.infer<typeof createOrderRequestSchema>;

export const paymentOrderSchema = z.object({
  orderId: z.string(),
  outTradeNo: z.string(),
  merchant: z.string(),
  description: z.string(),
  amountFen: fen,
  tradeState: tradeStateSchema,
  /** What the QR code encodes: the provider's pay page for this order. */
  codeUrl: z.string(),
  kioskId: z.string(),
  createdAt: instant,
  expiresAt: instant,
  paidAt: instant.nullable(),
  closedAt: instant.nullable(),
  /** Provider transaction id, set once paid. */
  transactionId: z.string().nullable(),
  refundedFen: fen,
});
export type PaymentOrder = z.infer<typeof paymentOrderSchema>;

export const refundRequestSchema = z.object({
  outTradeNo: z.string(),
  /** The idempotency key of the refund. */
  outRefundNo: z.string().regex(/^[A-Za-z0-9_-]{6,64}$/),
  amountFen: fen.positive(),
  reason: z.string().max(80).optional(),
});
export type RefundRequest = z.infer<typeof refundRequestSchema>;

export const refundSchema = z.object({
  refundId: z.string(),
  outRefundNo: z.string(),
  outTradeNo: z.string(),
  amountFen: fen,
  status: z.literal('SUCCESS'),
  createdAt: instant,
});
export type Refund = z.infer<typeof refundSchema>;

export const paymentBillSchema = z.object({
  date,
  merchant: z.string(),
  rows: z.array(
    z.object({
      type: z.enum(['payment', 'refund']),
      at: instant,
      orderId: z.string(),
      transactionId: z.string(),
      outTradeNo: z.string(),
      outRefundNo: z.string().nullable(),
      amountFen: fen,
      kioskId: z.string(),
    }),
  ),
  totals: z.object({
    paymentCount: z.number().int(),
    paymentFen: fen,
    refundCount: z.number().int(),
    refundFen: fen,
  }),
});
export type PaymentBill = z.infer<typeof paymentBillSchema>;

export const healthSchema = z.object({
  status: z.literal('ok'),
  service: z.string(),
  people: z.number().int(),
  startedAt: instant,
});
export type Health = z.infer<typeof healthSchema>;
