import type { Request, Router } from 'express';
import { z } from 'zod';
import {
  createOrderRequestSchema,
  refundRequestSchema,
  type PaymentBill,
  type PaymentOrder,
  type Refund,
  type TradeState,
} from '@kiosk/contracts/upstream';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpContext, type OpDeps } from '../http.js';
import { randomCode, randomDigits } from '../ids.js';
import type { MoneyFaults } from '../money-faults.js';
import { payNotFoundPage, payPage } from '../pages.js';
import { GAS_COMPANY } from '@kiosk/synthetic';
import { chinaDate, chinaDateCompact } from '@kiosk/platform';

interface OrderRow {
  order_id: string;
  out_trade_no: string;
  kiosk_id: string;
  amount_fen: number;
  description: string;
  trade_state: TradeState;
  created_at: string;
  expires_at: string;
  paid_at: string | null;
  closed_at: string | null;
  transaction_id: string | null;
  refunded_fen: number;
}

interface RefundRow {
  out_refund_no: string;
  refund_id: string;
  order_id: string;
  amount_fen: number;
  reason: string | null;
  created_at: string;
}

const settleRequestSchema = z.object({ result: z.enum(['pay', 'fail', 'close']) });
type SettleResult = z.infer<typeof settleRequestSchema>['result'];

const DEFAULT_EXPIRE_SECONDS = 600;
const UNPAID: readonly TradeState[] = ['NOTPAY', 'USERPAYING', 'PAYERROR'];
/**
 * PAYERROR is not final at a real provider: the buyer may try again (another card, more
 * balance) on the same code until the merchant closes the order or it expires. Only a close
 * makes an unpaid order final.
 */
const PAYABLE: readonly TradeState[] = ['NOTPAY', 'USERPAYING', 'PAYERROR'];
const ORDER_ID = /^PO\d{8}[0-9A-Z]{10}$/;

/**
 * The payment provider, modelled on WeChat Pay Native (trade_state vocabulary, close only unpaid,
 * refunds by out_refund_no) with Alipay precreate's habit of closing an order nobody paid in time.
 * The QR code points at this sandbox's own /pay/<orderId> page.
 */
class PaymentBook {
  private readonly byOrderId;
  private readonly byOutTradeNo;

  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly publicBaseUrl: () => string,
  ) {
    this.byOrderId = db.prepare('SELECT * FROM pay_orders WHERE order_id = ?');
    this.byOutTradeNo = db.prepare('SELECT * FROM pay_orders WHERE out_trade_no = ?');
  }

  /** Set by mountPayments: races staged by the money-fault admin. */
  moneyFaults: MoneyFaults | undefined;

  /** Unpaid orders past their expiry are closed when next looked at (Alipay's timeout close). */
  private refresh(row: OrderRow | undefined): OrderRow | undefined {
    if (!row || !PAYABLE.includes(row.trade_state)) return row;
    if (this.now().toISOString() < row.expires_at) return row;
    this.db
      .prepare(
        "UPDATE pay_orders SET trade_state = 'CLOSED', closed_at = ? WHERE order_id = ? AND trade_state IN ('NOTPAY', 'USERPAYING', 'PAYERROR')",
      )
      .run(row.expires_at, row.order_id);
    return this.byOrderId.get(row.order_id) as OrderRow;
  }

  order(row: OrderRow): PaymentOrder {
    return {
      orderId: row.order_id,
      outTradeNo: row.out_trade_no,
      merchant: GAS_COMPANY,
      description: row.description,
      amountFen: row.amount_fen,
      tradeState: row.trade_state,
      codeUrl: `${this.publicBaseUrl()}/pay/${row.order_id}`,
      kioskId: row.kiosk_id,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      paidAt: row.paid_at,
      closedAt: row.closed_at,
      transactionId: row.transaction_id,
      refundedFen: row.refunded_fen,
    };
  }

  findByOrderId(orderId: string): OrderRow | undefined {
    return ORDER_ID.test(orderId) ? this.refresh(this.byOrderId.get(orderId) as OrderRow | undefined) : undefined;
  }

  findByOutTradeNo(outTradeNo: string): OrderRow | undefined {
    return this.refresh(this.byOutTradeNo.get(outTradeNo) as OrderRow | undefined);
  }

  /** The order a route's `:outTradeNo` names, logged by that number (cut short); 404 ORDER_NOT_FOUND when none. */
  pathOrder(req: Request, ctx: OpContext): OrderRow {
    const outTradeNo = String(req.params.outTradeNo);
    ctx.logFields.outTradeNo = outTradeNo.slice(0, 40);
    const row = this.findByOutTradeNo(outTradeNo);
    if (!row) throw new ApiError(404, 'ORDER_NOT_FOUND', 'no such order');
    return row;
  }

  /** orderId or out_trade_no, for the control API. */
  find(id: string): OrderRow | undefined {
    return this.findByOrderId(id) ?? this.findByOutTradeNo(id);
  }

  create(kioskId: string, req: z.infer<typeof createOrderRequestSchema>): { created: boolean; row: OrderRow } {
    return this.db.transaction(() => {
      const existing = this.byOutTradeNo.get(req.outTradeNo) as OrderRow | undefined;
      if (existing) {
        if (existing.amount_fen !== req.amountFen || existing.description !== req.description || existing.kiosk_id !== kioskId) {
          throw new ApiError(409, 'OUT_TRADE_NO_USED', 'this out_trade_no was already used for a different order');
        }
        return { created: false, row: this.refresh(existing) as OrderRow };
      }
      const at = this.now();
      const row: OrderRow = {
        order_id: `PO${chinaDateCompact(at)}${randomCode(10)}`,
        out_trade_no: req.outTradeNo,
        kiosk_id: kioskId,
        amount_fen: req.amountFen,
        description: req.description,
        trade_state: 'NOTPAY',
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + (req.expireSeconds ?? DEFAULT_EXPIRE_SECONDS) * 1000).toISOString(),
        paid_at: null,
        closed_at: null,
        transaction_id: null,
        refunded_fen: 0,
      };
      this.db
        .prepare(
          `INSERT INTO pay_orders (order_id, out_trade_no, kiosk_id, amount_fen, description, trade_state, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          row.order_id,
          row.out_trade_no,
          row.kiosk_id,
          row.amount_fen,
          row.description,
          row.trade_state,
          row.created_at,
          row.expires_at,
        );
      return { created: true, row };
    })();
  }

  /** The buyer opened the pay page: WeChat reports USERPAYING while the buyer confirms. */
  markScanned(row: OrderRow): OrderRow {
    if (row.trade_state === 'NOTPAY') {
      this.db
        .prepare("UPDATE pay_orders SET trade_state = 'USERPAYING' WHERE order_id = ? AND trade_state = 'NOTPAY'")
        .run(row.order_id);
    }
    return this.byOrderId.get(row.order_id) as OrderRow;
  }

  /** pay → SUCCESS, fail → PAYERROR, close → CLOSED. Throws ApiError when the order's state forbids it. */
  settle(orderId: string, result: SettleResult): OrderRow {
    return this.db.transaction(() => {
      const row = this.find(orderId);
      if (!row) throw new ApiError(404, 'ORDER_NOT_FOUND', 'no such order');
      if (result === 'close') return this.closeRow(row);
      if (result === 'pay' && (row.trade_state === 'SUCCESS' || row.trade_state === 'REFUND')) return row;
      if (!PAYABLE.includes(row.trade_state)) {
        throw new ApiError(
          409,
          'ORDER_NOT_PAYABLE',
          `the order is ${row.trade_state} and cannot be ${result === 'pay' ? 'paid' : 'failed'}`,
        );
      }
      const at = this.now();
      if (result === 'pay') {
        this.db
          .prepare(
            "UPDATE pay_orders SET trade_state = 'SUCCESS', paid_at = ?, pay_date = ?, transaction_id = ? WHERE order_id = ?",
          )
          .run(at.toISOString(), chinaDate(at), `4200${chinaDateCompact(at)}${randomDigits(16)}`, row.order_id);
      } else {
        this.db.prepare("UPDATE pay_orders SET trade_state = 'PAYERROR' WHERE order_id = ?").run(row.order_id);
      }
      return this.byOrderId.get(row.order_id) as OrderRow;
    })();
  }

  closeRow(row: OrderRow): OrderRow {
    if (row.trade_state === 'CLOSED') return row;
    if (!UNPAID.includes(row.trade_state)) {
      throw new ApiError(409, 'ORDER_PAID', 'a paid order cannot be closed; refund it instead');
    }
    this.db
      .prepare('UPDATE pay_orders SET trade_state = ?, closed_at = ? WHERE order_id = ?')
      .run('CLOSED', this.now().toISOString(), row.order_id);
    return this.byOrderId.get(row.order_id) as OrderRow;
  }

  refund(req: z.infer<typeof refundRequestSchema>): { created: boolean; refund: RefundRow } {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT * FROM pay_refunds WHERE out_refund_no = ?').get(req.outRefundNo) as
        RefundRow | undefined;
      const row = this.findByOutTradeNo(req.outTradeNo);
      if (existing) {
        if (!row || existing.order_id !== row.order_id || existing.amount_fen !== req.amountFen) {
          throw new ApiError(409, 'OUT_REFUND_NO_USED', 'this out_refund_no was already used for a different refund');
        }
        return { created: false, refund: existing };
      }
      if (!row) throw new ApiError(404, 'ORDER_NOT_FOUND', 'no such order');
      if (row.trade_state !== 'SUCCESS' && row.trade_state !== 'REFUND') {
        throw new ApiError(409, 'ORDER_NOT_PAID', `the order is ${row.trade_state}; only paid orders can be refunded`);
      }
      if (req.amountFen > row.amount_fen - row.refunded_fen) {
        throw new ApiError(422, 'REFUND_EXCEEDS_PAID', 'refund amount exceeds what is left of the payment');
      }
      const at = this.now();
      const refund: RefundRow = {
        out_refund_no: req.outRefundNo,
        refund_id: `50${chinaDateCompact(at)}${randomDigits(18)}`,
        order_id: row.order_id,
        amount_fen: req.amountFen,
        reason: req.reason ?? null,
        created_at: at.toISOString(),
      };
      this.db
        .prepare(
          'INSERT INTO pay_refunds (out_refund_no, refund_id, order_id, amount_fen, reason, created_at, refund_date) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(
          refund.out_refund_no,
          refund.refund_id,
          refund.order_id,
          refund.amount_fen,
          refund.reason,
          refund.created_at,
          chinaDate(at),
        );
      this.db
        .prepare("UPDATE pay_orders SET trade_state = 'REFUND', refunded_fen = refunded_fen + ? WHERE order_id = ?")
        .run(req.amountFen, row.order_id);
      return { created: true, refund };
    })();
  }

  refundOut(r: RefundRow): Refund {
    const order = this.byOrderId.get(r.order_id) as OrderRow;
    return {
      refundId: r.refund_id,
      outRefundNo: r.out_refund_no,
      outTradeNo: order.out_trade_no,
      amountFen: r.amount_fen,
      status: 'SUCCESS',
      createdAt: r.created_at,
    };
  }

  openOrders(): OrderRow[] {
    const rows = this.db
      .prepare("SELECT * FROM pay_orders WHERE trade_state IN ('NOTPAY', 'USERPAYING', 'PAYERROR') ORDER BY created_at")
      .all() as OrderRow[];
    return rows.map((r) => this.refresh(r) as OrderRow).filter((r) => PAYABLE.includes(r.trade_state));
  }

  bill(date: string): PaymentBill {
    const paid = this.db
      .prepare('SELECT * FROM pay_orders WHERE pay_date = ? ORDER BY paid_at, order_id')
      .all(date) as OrderRow[];
    const refunds = this.db
      .prepare(
        `SELECT r.*, o.out_trade_no, o.transaction_id, o.kiosk_id FROM pay_refunds r JOIN pay_orders o ON o.order_id = r.order_id
         WHERE r.refund_date = ? ORDER BY r.created_at, r.out_refund_no`,
      )
      .all(date) as Array<RefundRow & { out_trade_no: string; transaction_id: string; kiosk_id: string }>;
    const rows: PaymentBill['rows'] = [
      ...paid.map((o) => ({
        type: 'payment' as const,
        at: o.paid_at as string,
        orderId: o.order_id,
        transactionId: o.transaction_id as string,
        outTradeNo: o.out_trade_no,
        outRefundNo: null,
        amountFen: o.amount_fen,
        kioskId: o.kiosk_id,
      })),
      ...refunds.map((r) => ({
        type: 'refund' as const,
        at: r.created_at,
        orderId: r.order_id,
        transactionId: r.transaction_id,
        outTradeNo: r.out_trade_no,
        outRefundNo: r.out_refund_no,
        amountFen: r.amount_fen,
        kioskId: r.kiosk_id,
      })),
    ].sort((a, b) => a.at.localeCompare(b.at));
    const pays = rows.filter((r) => r.type === 'payment');
    const refs = rows.filter((r) => r.type === 'refund');
    return {
      date,
      merchant: GAS_COMPANY,
      rows,
      totals: {
        paymentCount: pays.length,
        paymentFen: pays.reduce((s, r) => s + r.amountFen, 0),
        refundCount: refs.length,
        refundFen: refs.reduce((s, r) => s + r.amountFen, 0),
      },
    };
  }
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

export function mountPayments(
  router: Router,
  db: Db,
  deps: OpDeps,
  now: () => Date,
  publicBaseUrl: () => string,
  moneyFaults?: MoneyFaults,
): void {
  const book = new PaymentBook(db, now, publicBaseUrl);
  book.moneyFaults = moneyFaults;

  router.post(
    '/payment/v1/orders',
    operation(
      'payment.create',
      (req, ctx) => {
        const body = parseBody(createOrderRequestSchema, req.body);
        ctx.logFields.outTradeNo = body.outTradeNo;
        ctx.logFields.amountFen = body.amountFen;
        const { created, row } = book.create(ctx.kioskId, body);
        return { status: created ? 201 : 200, body: book.order(row) };
      },
      deps,
    ),
  );

  router.get(
    '/payment/v1/orders/:outTradeNo',
    operation(
      'payment.query',
      (req, ctx) => {
        const row = book.pathOrder(req, ctx);
        ctx.logFields.tradeState = row.trade_state;
        return { body: book.order(row) };
      },
      deps,
    ),
  );

  router.post(
    '/payment/v1/orders/:outTradeNo/close',
    operation(
      'payment.close',
      (req, ctx) => {
        const row = book.pathOrder(req, ctx);
        if (PAYABLE.includes(row.trade_state) && book.moneyFaults?.takePayOnClose(row.out_trade_no)) {
          // Staged race: the buyer's payment reaches the provider just before the close.
          book.settle(row.order_id, 'pay');
        }
        const fresh = book.findByOutTradeNo(row.out_trade_no) as OrderRow;
        return { body: book.order(db.transaction(() => book.closeRow(fresh))()) };
      },
      deps,
    ),
  );

  router.post(
    '/payment/v1/refunds',
    operation(
      'payment.refund',
      (req, ctx) => {
        const body = parseBody(refundRequestSchema, req.body);
        ctx.logFields.outTradeNo = body.outTradeNo;
        ctx.logFields.outRefundNo = body.outRefundNo;
        const { created, refund } = book.refund(body);
        return { status: created ? 201 : 200, body: book.refundOut(refund) };
      },
      deps,
    ),
  );

  router.get(
    '/payment/v1/refunds/:outRefundNo',
    operation(
      'payment.refund.get',
      (req) => {
        const r = db.prepare('SELECT * FROM pay_refunds WHERE out_refund_no = ?').get(String(req.params.outRefundNo)) as
          RefundRow | undefined;
        if (!r) throw new ApiError(404, 'REFUND_NOT_FOUND', 'no such refund');
        return { body: book.refundOut(r) };
      },
      deps,
    ),
  );

  router.get(
    '/payment/v1/bills',
    operation(
      'payment.bill',
      (req) => {
        const date = typeof req.query.date === 'string' ? req.query.date : '';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ApiError(400, 'INVALID_REQUEST', 'date=YYYY-MM-DD is required');
        return { body: book.bill(date) };
      },
      deps,
    ),
  );

  // The buyer's side: the page the QR code opens, and its "pay" button.
  router.get(
    '/pay/:orderId',
    operation(
      'pay.page',
      (req, ctx) => {
        const row = book.findByOrderId(String(req.params.orderId));
        if (!row) return { status: 404, body: null, html: payNotFoundPage() };
        ctx.logFields.orderId = row.order_id;
        return { body: null, html: payPage(book.order(book.markScanned(row))) };
      },
      deps,
      { public: true },
    ),
  );

  router.post(
    '/pay/:orderId',
    operation(
      'pay.confirm',
      (req, ctx) => {
        const orderId = String(req.params.orderId);
        ctx.logFields.orderId = orderId.slice(0, 40);
        const json = wantsJson(req);
        try {
          const row = book.settle(orderId, 'pay');
          if (json) return { body: book.order(row) };
          return {
            body: null,
            html: payPage(book.order(row), {
              ok: true,
              zh: '支付成功，请回到自助终端继续办理。',
              en: 'Payment successful. Please go back to the kiosk.',
            }),
          };
        } catch (err) {
          if (json || !(err instanceof ApiError)) throw err;
          const row = book.findByOrderId(orderId);
          if (!row) return { status: 404, body: null, html: payNotFoundPage() };
          return {
            status: 409,
            body: null,
            html: payPage(book.order(row), { ok: false, zh: '该订单已无法支付。', en: 'This order can no longer be paid.' }),
          };
        }
      },
      deps,
      { public: true },
    ),
  );

  // Control routes for the simulator control API (createPaymentsControlRouter) and tests.
  router.get('/admin/payments', (_req, res) => {
    res.json({ orders: book.openOrders().map((r) => book.order(r)) });
  });
  router.post(
    '/admin/payments/:orderId',
    operation(
      'admin.payments.settle',
      (req, ctx) => {
        const { result } = parseBody(settleRequestSchema, req.body);
        ctx.logFields.result = result;
        return { body: book.order(book.settle(String(req.params.orderId), result)) };
      },
      deps,
      { public: true },
    ),
  );
}
