import { createHash } from 'node:crypto';
import { openDatabase, type Db } from '@kiosk/platform';
import { sandboxMigrations } from './migrations.js';
import { generateSyntheticData, DEFAULT_SEED, type ExtraPerson, type SyntheticData } from '@kiosk/synthetic';

export interface SeedOptions {
  seed?: string;
  /** Fixes the data's "today"; otherwise the date of the first seeding is kept in the file. */
  asOf?: string;
  extraPeople?: readonly ExtraPerson[];
}

export interface SandboxDb {
  db: Db;
  data: SyntheticData;
  /** True when this open (re)wrote the reference data. */
  reseeded: boolean;
}

function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

function fingerprint(data: SyntheticData): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex');
}

/**
 * Opens the sandbox file and makes sure its reference data matches what the generator produces
 * for the stored seed and date. Money state (credits, orders, slips) is never touched by reseeding;
 * gas accounts are inserted only when missing so balances survive restarts.
 */
export function openSandboxDb(file: string, today: string, opts: SeedOptions = {}): SandboxDb {
  const db = openDatabase(file, sandboxMigrations);
  const seed = opts.seed ?? getMeta(db, 'seed') ?? DEFAULT_SEED;
  const asOf = opts.asOf ?? getMeta(db, 'as_of') ?? today;
  const data = generateSyntheticData({ seed, asOf, extraPeople: opts.extraPeople ?? [] });
  const fp = fingerprint(data);
  let reseeded = false;
  if (getMeta(db, 'fingerprint') !== fp) {
    reseeded = true;
    db.transaction(() => {
      db.exec('DELETE FROM properties; DELETE FROM tax_records; DELETE FROM social_records; DELETE FROM people;');
      const person = db.prepare('INSERT INTO people (id_number, name, source) VALUES (?, ?, ?)');
      const property = db.prepare('INSERT INTO properties (certificate_no, id_number, position, data) VALUES (?, ?, ?, ?)');
      const tax = db.prepare(
        'INSERT INTO tax_records (voucher_no, id_number, period_year, paid_on, data) VALUES (?, ?, ?, ?, ?)',
      );
      const social = db.prepare(
        'INSERT INTO social_records (voucher_no, id_number, kind, period_year, paid_on, data) VALUES (?, ?, ?, ?, ?, ?)',
      );
      for (const p of data.people) {
        person.run(p.idNumber, p.name, p.source);
        p.properties.forEach((x, i) => property.run(x.certificateNo, p.idNumber, i, JSON.stringify(x)));
        for (const t of p.tax) tax.run(t.voucherNo, p.idNumber, Number(t.periodStart.slice(0, 4)), t.paidOn, JSON.stringify(t));
        for (const s of p.social)
          social.run(s.voucherNo, p.idNumber, s.kind, Number(s.periodStart.slice(0, 4)), s.paidOn, JSON.stringify(s));
      }
      const gas = db.prepare(`INSERT OR IGNORE INTO gas_accounts
        (account_no, card_no, holder_name, address, meter_type, status, balance_fen, arrears_fen, purchase_count,
         last_purchase_fen, last_purchase_m3, last_purchase_at, unit_price_fen, min_fen, max_fen, monthly_cap_fen)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const a of data.gasAccounts) {
        gas.run(
          a.accountNo,
          a.cardNo,
          a.holderName,
          a.address,
          a.meterType,
          a.status,
          a.balanceFen,
          a.arrearsFen,
          a.purchaseCount,
          a.lastPurchase?.amountFen ?? null,
          a.lastPurchase?.volumeM3 ?? null,
          a.lastPurchase?.purchasedAt ?? null,
          a.unitPriceFen,
          a.minAmountFen,
          a.maxAmountFen,
          a.monthlyCapFen,
        );
      }
      setMeta(db, 'seed', seed);
      setMeta(db, 'as_of', asOf);
      setMeta(db, 'fingerprint', fp);
    })();
  }
  return { db, data, reseeded };
}
