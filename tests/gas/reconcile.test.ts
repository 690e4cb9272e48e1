import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gasCommands } from '../../apps/agent/src/cli/gas.js';
import { projectRoot } from '@kiosk/kiosk-config';
import type { GasOrder } from '../../apps/agent/src/gas/journal.js';
import { reconcile } from '../../apps/agent/src/gas/reconcile.js';
import type { GasLedger, PaymentBill } from '@kiosk/contracts/upstream';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { testConfig } from '../helpers/config.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { FakeGasCardReader } from './fake-card.js';
import { fault, clearFaults, KIOSK, pay, startEngine, type EngineRig } from './harness.js';

const DAY = '2026-06-30';
const at = (hhmm: string) => new Date(`${DAY}T${hhmm}:00+08:00`).toISOString();

function jOrder(orderNo: string, over: Partial<GasOrder> = {}): GasOrder {
  return {
    orderNo,
    kioskId: 'K1',
    originKioskId: 'K1',
    sessionId: null,
    state: 'done',
    step: null,
    attentionFrom: null,
    meterType: 'iot',
    accountNo: '8800100001',
    holderMasked: '',
    cardNo: null,
    cardCountBefore: null,
    amountFen: 5000,
    unitPriceFen: 288,
    volumeM3: 17.36,
    payDeadline: null,
    payOrderId: `PO-${orderNo}`,
    payCodeUrl: null,
    payExpiresAt: null,
    tradeState: 'SUCCESS',
    transactionId: 'T1',
    paidAt: at('10:00'),
    creditId: 'C1',
    balanceAfterFen: 10000,
    icPurchaseId: null,
    icTargetCount: null,
    icMac: null,
    icWriteAttempts: 0,
    gasReport: 'none',
    refundNo: null,
    refundId: null,
    refundReason: null,
    receiptJobId: null,
    receiptPrinted: true,
    pendingSlipPrinted: false,
    lastError: null,
    createdAt: at('09:59'),
    updatedAt: at('10:01'),
    businessDate: DAY,
    creditedAt: at('10:01'),
    finishedAt: at('10:02'),
    ...over,
  };
}

const payment = (no: string, amountFen = 5000, kioskId = 'K1'): PaymentBill['rows'][number] => ({
  type: 'payment',
  at: at('10:00'),
  orderId: `PO-${no}`,
  transactionId: 'T1',
  outTradeNo: no,
  outRefundNo: null,
  amountFen,
  kioskId,
});
const refundRow = (no: string, amountFen = 5000): PaymentBill['rows'][number] => ({
  ...payment(no, amountFen),
  type: 'refund',
  outRefundNo: `${no}R`,
});
const entry = (no: string, over: Partial<GasLedger['entries'][number]> = {}): GasLedger['entries'][number] => ({
  serialNo: no,
  kind: 'iot_credit',
  accountNo: '8800100001',
  amountFen: 5000,
  volumeM3: 17.36,
  status: 'credited',
  paymentOrderNo: `PO-${no}`,
  kioskId: 'K1',
  at: at('10:01'),
  ...over,
});
const sumFen = (xs: { amountFen: number }[]) => xs.reduce((s, x) => s + x.amountFen, 0);
const bill = (rows: PaymentBill['rows']): PaymentBill => {
  const pays = rows.filter((r) => r.type === 'payment');
  const refs = rows.filter((r) => r.type === 'refund');
  return {
    date: DAY,
    merchant: 'm',
    rows,
    totals: { paymentCount: pays.length, paymentFen: sumFen(pays), refundCount: refs.length, refundFen: sumFen(refs) },
  };
};
const ledger = (entries: GasLedger['entries']): GasLedger => ({
  company: 'c',
  date: DAY,
  entries,
  totals: { count: entries.length, amountFen: sumFen(entries) },
});

describe('reconcile (pure)', () => {
  it('a clean day: one summary line, pending credits listed as open items', () => {
    const r = reconcile({
      date: DAY,
      kioskId: 'K1',
      journal: [
        jOrder('A'),
        jOrder('B', { meterType: 'ic-card', icTargetCount: 8, gasReport: 'done' }),
        jOrder('P', { state: 'credit_pending', creditedAt: null, lastError: 'gas:TIMEOUT' }),
        jOrder('R', { state: 'refunded', creditedAt: null }),
        jOrder('X', { state: 'payment_expired', paidAt: null, creditedAt: null }),
      ],
      bill: bill([payment('A'), payment('B'), payment('P'), payment('R'), refundRow('R'), payment('OTHER-KIOSK', 100, 'K2')]),
      ledgers: [ledger([entry('A'), entry('B', { kind: 'ic_purchase', status: 'written' }), entry('Z', { kioskId: 'K2' })])],
    });
    expect(r.mismatches).toEqual([]);
    expect(r.clean).toBe(true);
    expect(r.open.map((o) => o.orderNo)).toEqual(['P']);
    expect(r.paid).toEqual({ count: 4, fen: 20000 });
    expect(r.credited).toEqual({ count: 2, fen: 10000 });
    expect(r.refunded).toEqual({ count: 1, fen: 5000 });
    expect(r.summary).toBe(
      'gas 2026-06-30 kiosk K1: 4 paid ¥200.00, 2 credited ¥100.00, 1 pending credit ¥50.00, 1 refunded ¥50.00; journal, payment bill and gas ledger agree',
    );
  });

  it('names every kind of mismatch', () => {
    const r = reconcile({
      date: DAY,
      kioskId: 'K1',
      journal: [
        jOrder('CLOSED-BUT-PAID', { state: 'payment_closed', creditedAt: null }),
        jOrder('NOT-IN-BILL'),
        jOrder('AMOUNT', { amountFen: 6000 }),
        jOrder('NO-LEDGER'),
        jOrder('UNREPORTED', { meterType: 'ic-card', gasReport: 'pending' }),
        jOrder('PENDING-BUT-CREDITED', { state: 'credit_pending', creditedAt: null }),
        jOrder('REFUND-NOT-BILLED', { state: 'refunded', creditedAt: null }),
        jOrder('REFUNDED-CREDITED', { state: 'refunded', creditedAt: null }),
        jOrder('UNPAID-CREDIT', { state: 'payment_expired', paidAt: null, creditedAt: null }),
      ],
      bill: bill([
        payment('CLOSED-BUT-PAID'),
        payment('AMOUNT'),
        payment('NO-LEDGER'),
        payment('UNREPORTED'),
        payment('PENDING-BUT-CREDITED'),
        payment('REFUNDED-CREDITED'),
        refundRow('REFUNDED-CREDITED'),
        payment('UNKNOWN'),
        refundRow('PENDING-BUT-CREDITED'),
      ]),
      ledgers: [
        ledger([
          entry('NOT-IN-BILL'),
          entry('AMOUNT', { amountFen: 6000 }),
          entry('UNREPORTED', { kind: 'ic_purchase', status: 'awaiting_write' }),
          entry('PENDING-BUT-CREDITED'),
          entry('REFUNDED-CREDITED'),
          entry('UNPAID-CREDIT'),
          entry('GHOST'),
        ]),
      ],
    });
    const kinds = r.mismatches.map((m) => `${m.kind} ${m.orderNo}`).sort();
    expect(kinds).toEqual(
      [
        'amounts-differ AMOUNT',
        'card-write-not-reported UNREPORTED',
        'credited-not-in-ledger NO-LEDGER',
        'credited-not-paid GHOST',
        'credited-not-paid UNPAID-CREDIT',
        'paid-not-credited CLOSED-BUT-PAID',
        'paid-not-credited NO-LEDGER',
        'paid-not-credited UNKNOWN',
        'paid-not-credited UNREPORTED',
        'journal-not-paid CLOSED-BUT-PAID',
        'ledger-but-journal-not-credited PENDING-BUT-CREDITED',
        'ledger-but-journal-not-credited REFUNDED-CREDITED',
        'ledger-but-journal-not-credited UNPAID-CREDIT',
        'ledger-not-in-journal GHOST',
        'paid-not-in-bill NOT-IN-BILL',
        'paid-not-in-bill REFUND-NOT-BILLED',
        'payment-not-in-journal UNKNOWN',
        'refund-not-in-journal PENDING-BUT-CREDITED',
        'refunded-and-credited PENDING-BUT-CREDITED',
        'refunded-and-credited REFUNDED-CREDITED',
        'totals-differ *',
        'refunded-not-in-bill REFUND-NOT-BILLED',
      ].sort(),
    );
    expect(r.clean).toBe(false);
    expect(r.summary).toMatch(/^gas 2026-06-30 kiosk K1: 22 mismatches; /);
  });
});

describe('reconcile: differences by kind and by totals (issue 12)', () => {
  it('sees a double credit under two serial numbers of one order', () => {
    const r = reconcile({
      date: DAY,
      kioskId: 'K1',
      journal: [jOrder('D')],
      bill: bill([payment('D')]),
      ledgers: [ledger([entry('D'), entry('D-AGAIN', { paymentOrderNo: 'PO-D' })])],
    });
    expect(r.mismatches.map((m) => `${m.kind} ${m.orderNo}`)).toContain('credited-twice D');
    expect(r.clean).toBe(false);
    expect(r.totals).toMatchObject({ paymentFen: 5000, refundFen: 0, ledgerFen: 10000 });
  });

  it('names each difference the issue lists', () => {
    const r = reconcile({
      date: DAY,
      kioskId: 'K1',
      journal: [
        jOrder('PAID-NOT-CREDITED', { state: 'payment_closed', creditedAt: null }),
        jOrder('NOT-PAID', { state: 'payment_expired', paidAt: null, creditedAt: null }),
        jOrder('BOTH', { state: 'refunded', creditedAt: null }),
        jOrder('AMOUNTS'),
      ],
      bill: bill([payment('PAID-NOT-CREDITED'), payment('BOTH'), refundRow('BOTH'), payment('AMOUNTS', 5000)]),
      ledgers: [ledger([entry('NOT-PAID'), entry('BOTH'), entry('AMOUNTS', { amountFen: 4000 })])],
    });
    const kinds = new Set(r.mismatches.map((m) => `${m.kind} ${m.orderNo}`));
    for (const k of [
      'paid-not-credited PAID-NOT-CREDITED',
      'credited-not-paid NOT-PAID',
      'refunded-and-credited BOTH',
      'amounts-differ AMOUNTS',
    ]) {
      expect(kinds, k).toContain(k);
    }
  });

  it('a payment refunded on a later day is accounted for, not paid-not-credited', () => {
    const next = new Date(`${DAY}T10:00:00+08:00`).getTime() + 86_400_000;
    const r = reconcile({
      date: DAY,
      kioskId: 'K1',
      journal: [jOrder('LATER', { state: 'refunded', creditedAt: null, finishedAt: new Date(next).toISOString() })],
      bill: bill([payment('LATER')]),
      ledgers: [ledger([])],
    });
    expect(r.mismatches).toEqual([]);
  });

  it('totals that do not add up are a difference of their own', () => {
    // Per order everything matches, but the bill's total is not what its rows add up to.
    const b = bill([payment('A')]);
    b.totals = { paymentCount: 2, paymentFen: 10000, refundCount: 0, refundFen: 0 };
    const r = reconcile({ date: DAY, kioskId: 'K1', journal: [jOrder('A')], bill: b, ledgers: [ledger([entry('A')])] });
    expect(r.mismatches.map((m) => m.kind)).toContain('totals-differ');
  });
});

describe('kiosk gas reconcile (against the sandbox)', () => {
  let t: TestSandbox;
  let rig: EngineRig;
  let configFile: string;
  let creditedNo = '';
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestSandbox();
    const card = new FakeGasCardReader();
    rig = await startEngine(t, { card });
    const e = rig.engine;
    // An IoT top-up, a card top-up, and one whose credit is pending.
    const a = await e.createOrder({ accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo, amountFen: 5000 });
    await pay(t, a.order.orderNo);
    await e.waitForRest(a.order.orderNo);
    await e.printSlip(a.order.orderNo);
    creditedNo = a.order.orderNo;
    card.insert('icCard');
    await e.readCard();
    const b = await e.createOrder({ amountFen: 3000 });
    await pay(t, b.order.orderNo);
    await e.waitForRest(b.order.orderNo);
    await fault(t, { operation: 'gas.iot.credit*', kind: 'error', status: 503, count: 50 });
    const c = await e.createOrder({ accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo, amountFen: 2000 });
    await pay(t, c.order.orderNo);
    expect((await e.waitForRest(c.order.orderNo)).state).toBe('credit_pending');
    await clearFaults(t);
    const config = testConfig((cfg) => {
      cfg.dataDir = rig.dir;
      cfg.upstream.baseUrl = t.url;
      cfg.kiosk.id = KIOSK;
    });
    configFile = join(rig.dir, 'kiosk.json');
    writeFileSync(configFile, JSON.stringify(config));
  });
  afterAll(async () => {
    await rig?.close();
    await t?.close();
  });

  async function cli(args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      const code = await gasCommands.find((c) => c.path[1] === args[0])!.run(args.slice(1));
      return { code, out };
    } finally {
      spy.mockRestore();
    }
  }

  it('a clean day exits 0 with the summary (and the open pending credit)', async () => {
    const r = await cli(['reconcile', '--date', today, '--config', configFile]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^gas ${today} kiosk ${KIOSK}: 3 paid ¥100\\.00, 2 credited ¥80\\.00, 1 pending credit ¥20\\.00, 0 refunded ¥0\\.00; journal, payment bill and gas ledger agree$`,
      ),
    );
    expect(lines.filter((l) => l.startsWith('OPEN credit_pending'))).toHaveLength(1);
    expect(lines).toHaveLength(2);
  });

  it('lists pending orders', async () => {
    const r = await cli(['pending', '--config', configFile]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/credit_pending\s+GT\d+\w+ iot\s+88001\*\*\*01\s+¥20\.00/);
    expect(r.out).not.toContain(DEMO_GAS_ACCOUNTS.iot.accountNo);
  });

  it('a credit the journal does not know is a mismatch (exit 1)', async () => {
    await rig.services.gas.remoteCredit({
      serialNo: 'GT-NOT-IN-JOURNAL-1',
      accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo,
      amountFen: 1000,
      paymentOrderNo: 'PO-NONE',
    });
    const r = await cli(['reconcile', '--date', today, '--config', configFile]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('MISMATCH ledger-not-in-journal GT-NOT-IN-JOURNAL-1');
    expect(r.out).toContain('MISMATCH credited-not-paid GT-NOT-IN-JOURNAL-1');
    expect(r.out).toMatch(/^TOTALS bill \d+ paid/m);
    const json = await cli(['reconcile', '--date', today, '--config', configFile, '--json']);
    expect(JSON.parse(json.out)).toMatchObject({ clean: false, kioskId: KIOSK });
  });

  it('a second credit for a paid order under another serial is credited-twice (exit 1, --json)', async () => {
    const o = rig.journal.require(creditedNo);
    // What a kiosk without a stable credit key would cause: the gas company credits again.
    await rig.services.gas.remoteCredit({
      serialNo: `${creditedNo}X`,
      accountNo: o.accountNo,
      amountFen: o.amountFen,
      paymentOrderNo: o.payOrderId!,
    });
    const json = await cli(['reconcile', '--date', today, '--config', configFile, '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out) as {
      mismatches: { kind: string; orderNo: string }[];
      totals: { ledgerFen: number; paymentFen: number };
    };
    expect(report.mismatches).toContainEqual(expect.objectContaining({ kind: 'credited-twice', orderNo: creditedNo }));
    expect(report.mismatches.map((m) => m.kind)).toContain('totals-differ');
  });

  it('refuses a bad date with usage (exit 2)', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect((await cli(['reconcile', '--date', '30/06/2026', '--config', configFile])).code).toBe(2);
      expect((await cli(['reconcile', '--config', configFile])).code).toBe(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('runs as `npx kiosk gas reconcile`', async () => {
    const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [join(projectRoot, 'bin/kiosk.js'), 'gas', 'reconcile', '--date', '2026-01-01', '--config', configFile],
        {
          cwd: projectRoot,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let o = '';
      child.stdout.on('data', (d: Buffer) => (o += d.toString()));
      child.once('error', reject);
      child.once('exit', (c) => resolve({ code: c, out: o }));
    });
    expect(out.trim()).toBe(
      `gas 2026-01-01 kiosk ${KIOSK}: 0 paid ¥0.00, 0 credited ¥0.00, 0 pending credit ¥0.00, 0 refunded ¥0.00; journal, payment bill and gas ledger agree`,
    );
    expect(code).toBe(0);
  });
});
