/**
 * Issue 20, "PII test": journeys of every service (不动产, 个税, 社保, 燃气) with synthetic people
 * on the PRODUCTION composition (compose.ts) through the agent's WebSocket API with the simulators,
 * reporting to a real central. Afterwards the full names and full ID numbers of those people must
 * not appear in the agent's log, in any file of the kiosk's data dir (SQLite tables and the raw
 * bytes of every file, WAL included), in central's heartbeats and events (and central.db's
 * bytes), or on any printed receipt. Only masked forms and salted hashes may. The sandbox's own
 * database holds the people by design; it lives in its own data dir and is not searched.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePath } from '@kiosk/kiosk-config';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { findProfile } from '@kiosk/synthetic';
import type { ReceiptView } from '../../apps/simulators/src/printer/simulator.js';
import { tempDir } from '../helpers/config.js';
import { filesUnder } from '../helpers/files-under.js';
import { dumpSqlite } from '../helpers/sqlite-dump.js';
import { startProductionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { everyService, JourneyClient } from '../helpers/journeys.js';

let k: ProductionKiosk;
let client: JourneyClient;
let logFile: string;

const secrets: { what: string; value: string }[] = [];
/** Names the test could match wrongly inside other text are still full names: no exceptions. */
function findSecrets(text: string): string[] {
  const flat = text.replace(/\s+/g, '');
  return secrets.filter((s) => text.includes(s.value) || flat.includes(s.value)).map((s) => s.what);
}

beforeAll(async () => {
  logFile = join(tempDir('kiosk-pii-log-'), 'agent.log');
  k = await startProductionKiosk({
    central: true,
    logFile,
    logLevel: 'debug',
    config: (c) => {
      // The face check's own privacy is covered in tests/camera; here the record journeys.
      for (const s of ['property', 'tax', 'social', 'licence'] as const) c.session.services[s].face = 'off';
    },
  });
  client = await JourneyClient.open(k);
  for (const p of new Set(everyService.flatMap((j) => ('profile' in j ? [j.profile] : [])))) {
    const card = findProfile(p)!.card;
    secrets.push({ what: `${p} name`, value: card.name }, { what: `${p} ID number`, value: card.idNumber });
  }
  const gasHolder = k.sandbox.data.gasAccounts.find((a) => a.accountNo === DEMO_GAS_ACCOUNTS.iot.accountNo)!;
  secrets.push({ what: 'gas holder name', value: gasHolder.holderName });
  await client.until(
    'devices online',
    () => ['idcard', 'printer', 'gascard'].every((d) => k.agent.deviceStatuses()[d]?.device === 'online'),
    60_000,
  );
}, 120_000);

afterAll(async () => {
  client?.close();
  await k?.stop();
});

describe('no full names or ID numbers at rest or in transit after every service', () => {
  it('runs a journey of every service, then sweeps logs, data files, central and receipts', async () => {
    for (const j of everyService) await client.run(j);

    const receipts = (await k.control('GET', '/printer/receipts')) as ReceiptView[];
    expect(receipts.length).toBeGreaterThanOrEqual(everyService.length);
    // The sweep must be able to see what it looks for: masked forms are on the slips.
    const slips = receipts.map((r) => r.text).join('\n');
    expect(slips.replace(/\s+/g, '')).toContain('孙*试');
    expect(slips.replace(/\s+/g, '')).toContain('4212**********0610');
    for (const r of receipts)
      expect(findSecrets(`${r.text}\n${JSON.stringify(r.qr)}`), `receipt ${r.text.slice(0, 80)}`).toEqual([]);

    // Central has what the kiosk reported (the outbox drained) before it is searched.
    const centralDb = join(k.central!.dataDir, 'central.db');
    const outboxEmpty = (): boolean =>
      (k.agent.db.prepare('SELECT count(*) AS n FROM monitor_outbox').get() as { n: number }).n === 0;
    await client.until('outbox drained to central', outboxEmpty, 60_000);
    const central = dumpSqlite(centralDb);
    expect(central).toContain('agent.started');
    expect(central).toMatch(/^heartbeats:\n\d+\tXN-PROD-01\t/m);
    expect(findSecrets(central), 'central.db tables').toEqual([]);
    for (const f of filesUnder(k.central!.dataDir)) expect(findSecrets(readFileSync(f).toString('utf8')), f).toEqual([]);

    await k.stop();
    const log = readFileSync(logFile, 'utf8');
    expect(log.length).toBeGreaterThan(1000);
    expect(findSecrets(log), 'agent log').toEqual([]);

    const dataDir = resolvePath(k.config.dataDir);
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('agent.db'))).toBe(true);
    for (const f of files) {
      if (/\.db$/.test(f)) expect(findSecrets(dumpSqlite(f)), `${f} tables`).toEqual([]);
      expect(findSecrets(readFileSync(f).toString('utf8')), `${f} bytes`).toEqual([]);
    }
    // Ensure the sandbox (which must hold the people) is elsewhere.
    expect(k.sandbox.dir.startsWith(dataDir)).toBe(false);
  }, 300_000);
});
