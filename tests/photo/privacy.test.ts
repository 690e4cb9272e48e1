/**
 * 自助照相 privacy: after a photo session, no photo is left in the kiosk's data dir (every file's
 * raw bytes, SQLite rows, WAL included), in the agent's log (debug level), in what central got
 * (heartbeats, events: central.db and its files) or in the agent's memory. The needles are the
 * photo the platform received (its bytes and their base64) and JPEG signatures in general; the
 * same search finds the photo in the sandbox platform's own database, so it can see what it
 * looks for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePath } from '@kiosk/kiosk-config';
import type { ReceiptView } from '../../apps/simulators/src/printer/simulator.js';
import { tempDir } from '../helpers/config.js';
import { filesUnder } from '../helpers/files-under.js';
import { dumpSqlite } from '../helpers/sqlite-dump.js';
import { JourneyClient } from '../helpers/journeys.js';
import { startProductionKiosk, type ProductionKiosk } from '../helpers/production-kiosk.js';
import { HEADERS } from '../sandbox/fixture.js';

let k: ProductionKiosk;
let client: JourneyClient;
let logFile: string;

/** Needles: a slice of the uploaded photo (raw and base64) and any JPEG start (raw FF D8 FF, base64 "/9j/"). */
let needles: { what: string; value: string }[] = [];
function found(text: string): string[] {
  return needles.filter((n) => text.includes(n.value)).map((n) => n.what);
}

beforeAll(async () => {
  logFile = join(tempDir('kiosk-photo-log-'), 'agent.log');
  k = await startProductionKiosk({ photoCamera: true, central: true, logFile, logLevel: 'debug' });
  client = await JourneyClient.open(k);
}, 120_000);

afterAll(async () => {
  client?.close();
  await k?.stop();
}, 60_000);

describe('自助照相 leaves no photo behind', () => {
  it('sweeps the data dir, the log, central and memory after a photo session', async () => {
    await client.run({ service: 'photo', use: 'idcard' });
    const receipts = (await k.control('GET', '/printer/receipts')) as ReceiptView[];
    const code = /ZP\d{8}-[0-9A-Z]{10}/.exec(
      receipts
        .map((r) => r.text)
        .join('\n')
        .replace(/\s+/g, ''),
    )?.[0];
    expect(code, 'the slip carries the 回执号').toBeDefined();

    // The photo as the platform has it; slice at a multiple of 3 so its base64 is a substring of the whole's.
    const jpeg = Buffer.from(
      await (await fetch(`${k.sandbox.url}/photo/receipts/${code}/image.jpg`, { headers: HEADERS })).arrayBuffer(),
    );
    expect(jpeg.length).toBeGreaterThan(10_000);
    const off = Math.floor(jpeg.length / 2 / 3) * 3;
    const slice = jpeg.subarray(off, off + 48);
    needles = [
      { what: 'photo bytes', value: slice.toString('latin1') },
      { what: 'photo base64', value: slice.toString('base64') },
      { what: 'JPEG start (raw)', value: Buffer.from([0xff, 0xd8, 0xff]).toString('latin1') },
      { what: 'JPEG start (base64)', value: '/9j/' },
    ];
    // The search sees a stored photo where one is meant to be: the platform's own database.
    const platform = dumpSqlite(join(k.sandbox.dir, 'sandbox.db'));
    expect(found(platform)).toEqual(expect.arrayContaining(['photo bytes', 'JPEG start (raw)']));
    expect(found(jpeg.toString('base64'))).toContain('photo base64');

    // Memory: the booth and the orders hold nothing once the session is over.
    const api = k.agent.context.ports.get('photo')!;
    expect(api.orders.heldPhotos()).toBe(0);
    expect(api.booth.heldBuffers()).toBe(0);

    // Central has what the kiosk reported (outbox drained) before it is searched.
    await client.until(
      'outbox drained to central',
      () => (k.agent.db.prepare('SELECT count(*) AS n FROM monitor_outbox').get() as { n: number }).n === 0,
      60_000,
    );
    const central = dumpSqlite(join(k.central!.dataDir, 'central.db'));
    expect(central).toMatch(/^heartbeats:\n./m);
    expect(found(central), 'central.db').toEqual([]);
    for (const f of filesUnder(k.central!.dataDir)) expect(found(readFileSync(f).toString('latin1')), f).toEqual([]);

    await k.stop();
    const log = readFileSync(logFile, 'utf8');
    expect(log).toContain('photo order journaled');
    expect(found(log), 'agent log').toEqual([]);
    const dataDir = resolvePath(k.config.dataDir);
    const files = filesUnder(dataDir);
    expect(files.some((f) => f.endsWith('agent.db'))).toBe(true);
    for (const f of files) {
      if (/\.db$/.test(f)) expect(found(dumpSqlite(f)), `${f} rows`).toEqual([]);
      expect(found(readFileSync(f).toString('latin1')), `${f} bytes`).toEqual([]);
    }
    expect(k.sandbox.dir.startsWith(dataDir)).toBe(false);
  }, 300_000);
});
