import { createHmac } from 'node:crypto';
import type { Router } from 'express';
import {
  gasAccountQuerySchema,
  icPurchaseRequestSchema,
  icWriteReportSchema,
  gasVoidRequestSchema,
  remoteCreditRequestSchema,
  type GasVoid,
  type GasAccount,
  type GasLedger,
  type IcPurchase,
  type IcPurchaseStatus,
  type RemoteCredit,
} from '@kiosk/contracts/upstream';
import type { Db } from '@kiosk/platform';
import { ApiError, operation, parseBody, type OpContext, type OpDeps } from '../http.js';
import { randomDigits } from '../ids.js';
import { maskName, maskNumber } from '../mask.js';
import { GAS_COMPANY } from '@kiosk/synthetic';
import { chinaDate, chinaDateCompact, chinaMonthStart } from '@kiosk/platform';

interface AccountRow {
  account_no: string;
  card_no: string | null;
  holder_name: string;
  address: string;
  meter_type: 'iot' | 'ic-card';
  status: 'normal' | 'suspended';
  balance_fen: number | null;
  arrears_fen: number;
  purchase_count: number | null;
  last_purchase_fen: number | null;
  last_purchase_m3: number | null;
  last_purchase_at: string | null;
  unit_price_fen: number;
  min_fen: number;
  max_fen: number;
  monthly_cap_fen: number | null;
}

interface CreditRow {
  serial_no: string;
  credit_id: string;
  account_no: string;
  amount_fen: number;
  volume_m3: number;
  payment_order_no: string;
  kiosk_id: string;
  balance_after_fen: number;
  credited_at: string;
}

interface PurchaseRow {
  serial_no: string;
  purchase_id: string;
  account_no: string;
  card_no: string;
  amount_fen: number;
  volume_m3: number;
  payment_order_no: string;
  kiosk_id: string;
  target_count: number;
  mac: string;
  status: IcPurchaseStatus;
  created_at: string;
  reported_at: string | null;
}

interface VoidRow {
  serial_no: string;
  kind: 'iot_credit' | 'ic_purchase' | null;
  result: 'voided' | 'never_credited';
  voided_at: string;
}

/** The sandbox's stand-in for the gas company's MAC key. */
const MAC_KEY = 'sandbox-gas-company-mac-key';
const SERIAL = /^[A-Za-z0-9_-]{8,64}$/;

const volumeOf = (amountFen: number, unitPriceFen: number) => Math.round((amountFen / unitPriceFen) * 100) / 100;

function creditOut(r: CreditRow, duplicate: boolean): RemoteCredit {
  return {
    serialNo: r.serial_no,
    creditId: r.credit_id,
    accountNo: r.account_no,
    amountFen: r.amount_fen,
    volumeM3: r.volume_m3,
    status: 'credited',
    balanceAfterFen: r.balance_after_fen,
    creditedAt: r.credited_at,
    duplicate,
  };
}

function purchaseOut(r: PurchaseRow, duplicate: boolean): IcPurchase {
  return {
    serialNo: r.serial_no,
    purchaseId: r.purchase_id,
    accountNo: r.account_no,
    cardNo: r.card_no,
    amountFen: r.amount_fen,
    volumeM3: r.volume_m3,
    status: r.status,
    write: { cardNo: r.card_no, purchaseCount: r.target_count, amountFen: r.amount_fen, volumeM3: r.volume_m3, mac: r.mac },
    createdAt: r.created_at,
    reportedAt: r.reported_at,
    duplicate,
  };
}

/** 昆仑燃气: account lookup, IoT remote credit, IC-card purchase + write report, daily ledger. */
export function mountGas(router: Router, db: Db, deps: OpDeps, now: () => Date): void {
  const byAccount = db.prepare('SELECT * FROM gas_accounts WHERE account_no = ?');
  const byCard = db.prepare('SELECT * FROM gas_accounts WHERE card_no = ?');
  const boughtSince = db.prepare(
    "SELECT COALESCE(SUM(amount_fen), 0) AS total FROM gas_ic_purchases WHERE account_no = ? AND created_at >= ? AND status != 'write_failed' AND serial_no NOT IN (SELECT serial_no FROM gas_voids)",
  );
  const creditBySerial = db.prepare('SELECT * FROM gas_iot_credits WHERE serial_no = ?');
  // A voided purchase keeps its row; the void shows as its status.
  const purchaseBySerial = db.prepare(
    "SELECT p.*, CASE WHEN v.serial_no IS NULL THEN p.status ELSE 'voided' END AS status FROM gas_ic_purchases p LEFT JOIN gas_voids v ON v.serial_no = p.serial_no WHERE p.serial_no = ?",
  );
  const pendingPurchase = db.prepare(
    `SELECT serial_no FROM gas_ic_purchases WHERE account_no = ? AND status IN ('awaiting_write', 'write_failed')
       AND serial_no NOT IN (SELECT serial_no FROM gas_voids) ORDER BY created_at LIMIT 1`,
  );
  const voidBySerial = db.prepare('SELECT * FROM gas_voids WHERE serial_no = ?');
  /** A voided serial number can never be credited again: the point of 冲正. */
  const refuseVoided = (serialNo: string): void => {
    if (voidBySerial.get(serialNo))
      throw new ApiError(409, 'SERIAL_VOIDED', 'this serial number was voided; nothing can be credited under it');
  };

  const allowance = (a: AccountRow): number | null => {
    if (a.monthly_cap_fen === null) return null;
    const bought = (boughtSince.get(a.account_no, chinaMonthStart(now())) as { total: number }).total;
    return Math.max(0, a.monthly_cap_fen - bought);
  };

  const accountOut = (a: AccountRow): GasAccount => ({
    company: GAS_COMPANY,
    accountNo: a.account_no,
    cardNo: a.card_no,
    holderNameMasked: maskName(a.holder_name),
    address: a.address,
    meterType: a.meter_type,
    status: a.status,
    balanceFen: a.meter_type === 'iot' ? a.balance_fen : null,
    lastPurchase:
      a.last_purchase_fen !== null && a.last_purchase_at !== null
        ? {
            amountFen: a.last_purchase_fen,
            volumeM3: a.last_purchase_m3 ?? 0,
            purchasedAt: a.last_purchase_at,
            purchaseCount: a.purchase_count ?? 0,
          }
        : null,
    purchaseCount: a.meter_type === 'ic-card' ? a.purchase_count : null,
    arrearsFen: a.meter_type === 'iot' ? Math.max(0, -(a.balance_fen ?? 0)) : a.arrears_fen,
    unitPriceFen: a.unit_price_fen,
    limits: { minAmountFen: a.min_fen, maxAmountFen: a.max_fen },
    allowanceFen: allowance(a),
  });

  const accountFor = (accountNo: string, ctx: OpContext): AccountRow => {
    ctx.logFields.account = maskNumber(accountNo);
    const a = byAccount.get(accountNo) as AccountRow | undefined;
    if (!a) throw new ApiError(404, 'ACCOUNT_NOT_FOUND', 'no gas account with this number');
    return a;
  };

  const checkAmount = (a: AccountRow, amountFen: number): void => {
    if (a.status !== 'normal') throw new ApiError(409, 'ACCOUNT_SUSPENDED', 'this gas account is suspended');
    if (amountFen < a.min_fen || amountFen > a.max_fen) {
      throw new ApiError(422, 'AMOUNT_OUT_OF_RANGE', `amount must be between ${a.min_fen} and ${a.max_fen} fen`);
    }
    const left = allowance(a);
    if (left !== null && amountFen > left) {
      throw new ApiError(422, 'ALLOWANCE_EXCEEDED', `amount exceeds this month's remaining allowance of ${left} fen`);
    }
  };

  const serialParam = (raw: unknown, ctx: OpContext): string => {
    const s = String(raw);
    if (!SERIAL.test(s)) throw new ApiError(400, 'INVALID_REQUEST', 'serialNo must be 8–64 letters, digits, _ or -');
    ctx.logFields.serialNo = s;
    return s;
  };

  router.post(
    '/gas/v1/accounts/query',
    operation(
      'gas.account.query',
      (req, ctx) => {
        const q = parseBody(gasAccountQuerySchema, req.body);
        let a: AccountRow | undefined;
        if ('accountNo' in q) {
          ctx.logFields.account = maskNumber(q.accountNo);
          a = byAccount.get(q.accountNo) as AccountRow | undefined;
        } else {
          ctx.logFields.card = maskNumber(q.cardNo);
          a = byCard.get(q.cardNo) as AccountRow | undefined;
        }
        if (!a) throw new ApiError(404, 'ACCOUNT_NOT_FOUND', 'no gas account with this number');
        return { body: accountOut(a) };
      },
      deps,
    ),
  );

  const credit = db.transaction(
    (body: { serialNo: string; accountNo: string; amountFen: number; paymentOrderNo: string }, ctx: OpContext) => {
      const existing = creditBySerial.get(body.serialNo) as CreditRow | undefined;
      if (existing) {
        if (
          existing.account_no !== body.accountNo ||
          existing.amount_fen !== body.amountFen ||
          existing.payment_order_no !== body.paymentOrderNo
        ) {
          throw new ApiError(409, 'SERIAL_CONFLICT', 'this serial number was already used for a different credit');
        }
        return { status: 200, body: creditOut(existing, true) };
      }
      refuseVoided(body.serialNo);
      const a = accountFor(body.accountNo, ctx);
      if (a.meter_type !== 'iot')
        throw new ApiError(409, 'NOT_IOT_METER', 'this account has an IC-card meter; use a card purchase');
      checkAmount(a, body.amountFen);
      const at = now();
      const row: CreditRow = {
        serial_no: body.serialNo,
        credit_id: `GC${chinaDateCompact(at)}${randomDigits(10)}`,
        account_no: a.account_no,
        amount_fen: body.amountFen,
        volume_m3: volumeOf(body.amountFen, a.unit_price_fen),
        payment_order_no: body.paymentOrderNo,
        kiosk_id: ctx.kioskId,
        balance_after_fen: (a.balance_fen ?? 0) + body.amountFen,
        credited_at: at.toISOString(),
      };
      db.prepare(
        `INSERT INTO gas_iot_credits (serial_no, credit_id, account_no, amount_fen, volume_m3, payment_order_no, kiosk_id,
        balance_after_fen, credited_at, business_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        row.serial_no,
        row.credit_id,
        row.account_no,
        row.amount_fen,
        row.volume_m3,
        row.payment_order_no,
        row.kiosk_id,
        row.balance_after_fen,
        row.credited_at,
        chinaDate(at),
      );
      db.prepare('UPDATE gas_accounts SET balance_fen = ? WHERE account_no = ?').run(row.balance_after_fen, a.account_no);
      return { status: 201, body: creditOut(row, false) };
    },
  );

  router.post(
    '/gas/v1/iot/credits',
    operation(
      'gas.iot.credit',
      (req, ctx) => {
        const body = parseBody(remoteCreditRequestSchema, req.body);
        ctx.logFields.serialNo = body.serialNo;
        ctx.logFields.amountFen = body.amountFen;
        return credit(body, ctx);
      },
      deps,
    ),
  );

  router.get(
    '/gas/v1/iot/credits/:serialNo',
    operation(
      'gas.iot.credit.get',
      (req, ctx) => {
        const serial = serialParam(req.params.serialNo, ctx);
        const row = creditBySerial.get(serial) as CreditRow | undefined;
        if (!row) throw new ApiError(404, 'CREDIT_NOT_FOUND', 'no credit with this serial number');
        return { body: creditOut(row, false) };
      },
      deps,
    ),
  );

  const purchase = db.transaction(
    (
      body: {
        serialNo: string;
        accountNo: string;
        cardNo: string;
        amountFen: number;
        cardPurchaseCount: number;
        paymentOrderNo: string;
      },
      ctx: OpContext,
    ) => {
      const existing = purchaseBySerial.get(body.serialNo) as PurchaseRow | undefined;
      if (existing) {
        if (
          existing.account_no !== body.accountNo ||
          existing.card_no !== body.cardNo ||
          existing.amount_fen !== body.amountFen ||
          existing.payment_order_no !== body.paymentOrderNo
        ) {
          throw new ApiError(409, 'SERIAL_CONFLICT', 'this serial number was already used for a different purchase');
        }
        return { status: 200, body: purchaseOut(existing, true) };
      }
      refuseVoided(body.serialNo);
      const a = accountFor(body.accountNo, ctx);
      if (a.meter_type !== 'ic-card')
        throw new ApiError(409, 'NOT_IC_CARD_METER', 'this account has an IoT meter; use a remote credit');
      if (a.card_no !== body.cardNo) throw new ApiError(409, 'CARD_MISMATCH', 'this card does not belong to this account');
      const pending = pendingPurchase.get(a.account_no) as { serial_no: string } | undefined;
      if (pending) {
        throw new ApiError(
          409,
          'PENDING_CARD_WRITE',
          `a paid purchase is still waiting to be written to this card (serial ${pending.serial_no})`,
        );
      }
      if (body.cardPurchaseCount !== (a.purchase_count ?? 0)) {
        throw new ApiError(
          409,
          'CARD_COUNTER_MISMATCH',
          `the card's purchase counter does not match the gas company's (${a.purchase_count ?? 0})`,
        );
      }
      checkAmount(a, body.amountFen);
      const at = now();
      const target = body.cardPurchaseCount + 1;
      const volume = volumeOf(body.amountFen, a.unit_price_fen);
      const row: PurchaseRow = {
        serial_no: body.serialNo,
        purchase_id: `GP${chinaDateCompact(at)}${randomDigits(10)}`,
        account_no: a.account_no,
        card_no: body.cardNo,
        amount_fen: body.amountFen,
        volume_m3: volume,
        payment_order_no: body.paymentOrderNo,
        kiosk_id: ctx.kioskId,
        target_count: target,
        mac: createHmac('sha256', MAC_KEY)
          .update(`${body.cardNo}|${target}|${body.amountFen}|${body.serialNo}`)
          .digest('hex')
          .slice(0, 16)
          .toUpperCase(),
        status: 'awaiting_write',
        created_at: at.toISOString(),
        reported_at: null,
      };
      db.prepare(
        `INSERT INTO gas_ic_purchases (serial_no, purchase_id, account_no, card_no, amount_fen, volume_m3, payment_order_no,
        kiosk_id, target_count, mac, status, created_at, reported_at, business_date)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)`,
      ).run(
        row.serial_no,
        row.purchase_id,
        row.account_no,
        row.card_no,
        row.amount_fen,
        row.volume_m3,
        row.payment_order_no,
        row.kiosk_id,
        row.target_count,
        row.mac,
        row.status,
        row.created_at,
        chinaDate(at),
      );
      return { status: 201, body: purchaseOut(row, false) };
    },
  );

  router.post(
    '/gas/v1/ic/purchases',
    operation(
      'gas.ic.purchase',
      (req, ctx) => {
        const body = parseBody(icPurchaseRequestSchema, req.body);
        ctx.logFields.serialNo = body.serialNo;
        ctx.logFields.amountFen = body.amountFen;
        ctx.logFields.card = maskNumber(body.cardNo);
        return purchase(body, ctx);
      },
      deps,
    ),
  );

  router.get(
    '/gas/v1/ic/purchases/:serialNo',
    operation(
      'gas.ic.purchase.get',
      (req, ctx) => {
        const serial = serialParam(req.params.serialNo, ctx);
        const row = purchaseBySerial.get(serial) as PurchaseRow | undefined;
        if (!row) throw new ApiError(404, 'PURCHASE_NOT_FOUND', 'no purchase with this serial number');
        return { body: purchaseOut(row, false) };
      },
      deps,
    ),
  );

  const report = db.transaction(
    (serial: string, r: { result: 'written' | 'failed'; purchaseCountAfter: number | null; cardImage?: string | undefined }) => {
      const row = purchaseBySerial.get(serial) as PurchaseRow | undefined;
      if (!row) throw new ApiError(404, 'PURCHASE_NOT_FOUND', 'no purchase with this serial number');
      if (row.status === 'voided')
        throw new ApiError(409, 'PURCHASE_VOIDED', 'this purchase was voided; its card write is not valid any more');
      const at = now().toISOString();
      if (r.result === 'written') {
        if (r.purchaseCountAfter !== row.target_count) {
          throw new ApiError(409, 'COUNTER_MISMATCH', `a written card must show purchase count ${row.target_count}`);
        }
        if (row.status === 'written') return { body: purchaseOut(row, true) };
        db.prepare("UPDATE gas_ic_purchases SET status = 'written', reported_at = ?, card_image = ? WHERE serial_no = ?").run(
          at,
          r.cardImage ?? null,
          serial,
        );
        db.prepare(
          'UPDATE gas_accounts SET purchase_count = ?, last_purchase_fen = ?, last_purchase_m3 = ?, last_purchase_at = ? WHERE account_no = ?',
        ).run(row.target_count, row.amount_fen, row.volume_m3, at, row.account_no);
      } else {
        if (row.status === 'written') throw new ApiError(409, 'ALREADY_WRITTEN', 'this purchase was already reported as written');
        db.prepare(
          "UPDATE gas_ic_purchases SET status = 'write_failed', reported_at = ?, card_image = ? WHERE serial_no = ?",
        ).run(at, r.cardImage ?? null, serial);
      }
      return { body: purchaseOut(purchaseBySerial.get(serial) as PurchaseRow, false) };
    },
  );

  router.post(
    '/gas/v1/ic/purchases/:serialNo/report',
    operation(
      'gas.ic.report',
      (req, ctx) => {
        const serial = serialParam(req.params.serialNo, ctx);
        const body = parseBody(icWriteReportSchema, req.body);
        ctx.logFields.result = body.result;
        return report(serial, body);
      },
      deps,
    ),
  );

  /**
   * 冲正: make a serial number impossible to credit. Nothing under it → `never_credited` (and a
   * credit that arrives later is refused); an IC purchase not written to a card → `voided`; a
   * credit already applied or a purchase reported written → 409 ALREADY_CREDITED. Repeating a
   * void answers the same.
   */
  const voidSerial = db.transaction((body: { serialNo: string; reason?: string | undefined }, ctx: OpContext) => {
    const known = voidBySerial.get(body.serialNo) as VoidRow | undefined;
    const at = now();
    const out = (v: VoidRow, duplicate: boolean): { body: GasVoid } => ({
      body: { serialNo: v.serial_no, result: v.result, kind: v.kind, voidedAt: v.voided_at, duplicate },
    });
    if (known) return out(known, true);
    const credit = creditBySerial.get(body.serialNo) as CreditRow | undefined;
    if (credit)
      throw new ApiError(409, 'ALREADY_CREDITED', 'gas was already credited under this serial number; it cannot be voided');
    const purchase = purchaseBySerial.get(body.serialNo) as PurchaseRow | undefined;
    if (purchase?.status === 'written') {
      throw new ApiError(409, 'ALREADY_CREDITED', 'this purchase was reported written to the card; it cannot be voided');
    }
    const row: VoidRow = {
      serial_no: body.serialNo,
      kind: purchase ? 'ic_purchase' : null,
      result: purchase ? 'voided' : 'never_credited',
      voided_at: at.toISOString(),
    };
    db.prepare(
      'INSERT INTO gas_voids (serial_no, kind, result, reason, kiosk_id, voided_at, business_date) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ).run(row.serial_no, row.kind, row.result, body.reason ?? null, ctx.kioskId, row.voided_at, chinaDate(at));
    return { status: 201, ...out(row, false) };
  });

  router.post(
    '/gas/v1/voids',
    operation(
      'gas.void',
      (req, ctx) => {
        const body = parseBody(gasVoidRequestSchema, req.body);
        ctx.logFields.serialNo = body.serialNo;
        return voidSerial(body, ctx);
      },
      deps,
    ),
  );

  router.get(
    '/gas/v1/ledger',
    operation(
      'gas.ledger',
      (req) => {
        const date = typeof req.query.date === 'string' ? req.query.date : '';
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new ApiError(400, 'INVALID_REQUEST', 'date=YYYY-MM-DD is required');
        const credits = db
          .prepare('SELECT * FROM gas_iot_credits WHERE business_date = ? ORDER BY credited_at, serial_no')
          .all(date) as CreditRow[];
        const purchases = db
          .prepare(
            `SELECT p.*, CASE WHEN v.serial_no IS NULL THEN p.status ELSE 'voided' END AS status FROM gas_ic_purchases p
             LEFT JOIN gas_voids v ON v.serial_no = p.serial_no WHERE p.business_date = ? ORDER BY p.created_at, p.serial_no`,
          )
          .all(date) as PurchaseRow[];
        const entries: GasLedger['entries'] = [
          ...credits.map((c) => ({
            serialNo: c.serial_no,
            kind: 'iot_credit' as const,
            accountNo: c.account_no,
            amountFen: c.amount_fen,
            volumeM3: c.volume_m3,
            status: 'credited' as const,
            paymentOrderNo: c.payment_order_no,
            kioskId: c.kiosk_id,
            at: c.credited_at,
          })),
          ...purchases.map((p) => ({
            serialNo: p.serial_no,
            kind: 'ic_purchase' as const,
            accountNo: p.account_no,
            amountFen: p.amount_fen,
            volumeM3: p.volume_m3,
            status: p.status,
            paymentOrderNo: p.payment_order_no,
            kioskId: p.kiosk_id,
            at: p.created_at,
          })),
        ].sort((a, b) => a.at.localeCompare(b.at) || a.serialNo.localeCompare(b.serialNo));
        const out: GasLedger = {
          company: GAS_COMPANY,
          date,
          entries,
          totals: { count: entries.length, amountFen: entries.reduce((s, e) => s + e.amountFen, 0) },
        };
        return { body: out };
      },
      deps,
    ),
  );
}
