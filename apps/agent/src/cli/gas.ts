/**
 * `kiosk gas reconcile` (journal vs provider bill vs gas ledger for one day) and `kiosk gas
 * pending` (orders waiting for a credit or a person). Both read the agent's journal read-only, so
 * they run next to a live agent.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { ConfigError, configPathFrom, loadConfig, resolvePath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { GasJournal, type GasOrder } from '../gas/journal.js';
import { PhotoJournal } from '../photo/journal.js';
import { isPhotoOrderNo, reconcilePhoto } from '../photo/reconcile.js';
import { reconcile } from '../gas/reconcile.js';
import { maskAccountNo } from '../gas/receipts.js';
import { chinaDate, yuan } from '@kiosk/platform';
import { servicesFor, UpstreamError } from '../services/index.js';
import type { CliCommand } from '@kiosk/platform';

const reconcileUsage = [
  'Usage: kiosk gas reconcile --date YYYY-MM-DD [--config PATH] [--json]',
  '',
  '  Compares the kiosk journal with the payment provider bill and the gas company ledger for one',
  '  China-time day, order by order and by totals, and prints every difference (MISMATCH <kind>',
  '  <order>: …; kinds include paid-not-credited, credited-twice, credited-not-paid,',
  '  refunded-and-credited, amounts-differ, totals-differ), the open items (paid orders still',
  '  waiting for their credit) and a summary line; with differences also a TOTALS line.',
  '  --json prints the whole report (totals included).',
  '  Exit 0 clean, 1 mismatches, 2 usage error or an upstream that cannot be reached.',
].join('\n');

const pendingUsage = [
  'Usage: kiosk gas pending [--config PATH] [--json]',
  '',
  '  Lists gas orders in credit_pending (待写卡) or needs_attention, masked. Exit 0.',
].join('\n');

class UsageError extends Error {}

function config(args: string[]): KioskConfig {
  return loadConfig(configPathFrom(args, process.env));
}

/** The journal read-only; an agent that never ran has none, which is an empty journal. */
function openJournal(c: KioskConfig): { journal: GasJournal | null; photo: PhotoJournal | null; close(): void } {
  const file = join(resolvePath(c.dataDir), 'agent.db');
  if (!existsSync(file)) return { journal: null, photo: null, close() {} };
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const has = (name: string): boolean =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  return {
    journal: has('gas_orders') ? new GasJournal(db) : null,
    photo: has('photo_orders') ? new PhotoJournal(db) : null,
    close: () => db.close(),
  };
}

function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

async function runReconcile(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { date: { type: 'string' }, config: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const date = values.date;
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))) {
    throw new UsageError('--date YYYY-MM-DD is required');
  }
  const c = config(args);
  const services = servicesFor(c);
  const today = chinaDate(new Date());
  const ledgerDates = [shiftDate(date, -1), date, shiftDate(date, 1)].filter((d) => d <= today);
  const [bill, ...ledgers] = await Promise.all([services.payment.bill(date), ...ledgerDates.map((d) => services.gas.ledger(d))]);
  const j = openJournal(c);
  try {
    const journal: GasOrder[] = j.journal?.forDate(date) ?? [];
    const report = reconcile({
      date,
      kioskId: c.kiosk.id,
      journal,
      bill: bill,
      ledgers,
      journalLookup: (no) => j.journal?.get(no),
      otherProduct: isPhotoOrderNo,
    });
    // The same provider's bill carries the photo orders (自助照相): reconciled against their journal.
    const photo = reconcilePhoto({
      date,
      kioskId: c.kiosk.id,
      journal: j.photo?.forDate(date) ?? [],
      bill,
      lookup: (no) => j.photo?.get(no),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ ...report, photo }, null, 2)}\n`);
    } else {
      for (const m of photo.mismatches) process.stdout.write(`MISMATCH photo ${m.kind} ${m.orderNo}: ${m.detail}\n`);
      for (const o of photo.open) process.stdout.write(`OPEN photo ${o.state} ${o.orderNo} ${yuan(o.amountFen)}\n`);
      if (photo.paid.count > 0 || !photo.clean) process.stdout.write(`${photo.summary}\n`);
      for (const m of report.mismatches) process.stdout.write(`MISMATCH ${m.kind} ${m.orderNo}: ${m.detail}\n`);
      for (const o of report.open) process.stdout.write(`OPEN ${o.state} ${o.orderNo} ${yuan(o.amountFen)}: ${o.detail}\n`);
      // A clean day stays one summary line (issue 7); differences come with the day's totals.
      const tt = report.totals;
      if (!report.clean)
        process.stdout.write(
          `TOTALS bill ${tt.paymentCount} paid ${yuan(tt.paymentFen)}, ${tt.refundCount} refunded ${yuan(tt.refundFen)}; ledger ${tt.ledgerCount} delivered ${yuan(tt.ledgerFen)}; open ${yuan(tt.openFen)}\n`,
        );
      process.stdout.write(`${report.summary}\n`);
    }
    return report.clean && photo.clean ? 0 : 1;
  } finally {
    j.close();
  }
}

async function runPending(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const c = config(args);
  const j = openJournal(c);
  try {
    const orders = j.journal?.pending() ?? [];
    const rows = orders.map((o) => ({
      orderNo: o.orderNo,
      state: o.state,
      meterType: o.meterType,
      account: maskAccountNo(o.accountNo),
      amountFen: o.amountFen,
      paidAt: o.paidAt,
      lastError: o.lastError,
      createdAt: o.createdAt,
    }));
    if (values.json) process.stdout.write(`${JSON.stringify({ orders: rows }, null, 2)}\n`);
    else {
      for (const r of rows) {
        process.stdout.write(
          `${r.state.padEnd(15)} ${r.orderNo} ${r.meterType.padEnd(7)} ${r.account} ${yuan(r.amountFen).padStart(10)}  ${r.lastError ?? ''}\n`,
        );
      }
      const pending = rows.filter((r) => r.state === 'credit_pending').length;
      process.stdout.write(`${pending} credit pending, ${rows.length - pending} needs attention\n`);
    }
    return 0;
  } finally {
    j.close();
  }
}

function wrap(usage: string, fn: (args: string[]) => Promise<number>): (args: string[]) => Promise<number> {
  return async (args) => {
    try {
      return await fn(args);
    } catch (err) {
      if (
        err instanceof UsageError ||
        (err instanceof TypeError && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))
      ) {
        process.stderr.write(`${err.message}\n\n${usage}\n`);
        return 2;
      }
      if (err instanceof ConfigError) {
        process.stderr.write(`${err.message}\n`);
        return 2;
      }
      if (err instanceof UpstreamError) {
        process.stderr.write(`cannot reconcile: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  };
}

export const gasCommands: CliCommand[] = [
  {
    path: ['gas', 'reconcile'],
    summary: 'compare journal, payment bill and gas ledger for one day',
    usage: reconcileUsage,
    run: wrap(reconcileUsage, runReconcile),
  },
  {
    path: ['gas', 'pending'],
    summary: 'list gas orders waiting for a credit (待写卡) or an operator',
    usage: pendingUsage,
    run: wrap(pendingUsage, runPending),
  },
];
