/**
 * Issue 20, PII test, browser part: during and after a citizen's journey in the kiosk UI (real
 * Chromium against the full stack) no full name or ID number is in the page's storage (local and
 * session storage, IndexedDB, Cache Storage, cookies), and after the session none is anywhere in
 * the browser's profile on disk (UTF-8 or UTF-16, as Chromium's LevelDB stores strings).
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProfile } from '@kiosk/synthetic';
import { onScreen } from '../browser/kiosk.js';
import { startStack, type Stack } from '../flows/stack.js';
import { tempDir } from '../helpers/config.js';
import { filesUnder } from '../helpers/files-under.js';

const card = findProfile('xianan-resident')!.card;
const secrets = [card.name, card.idNumber];
let s: Stack;
let profileDir: string;

async function pageStorage(): Promise<string> {
  const inPage = await s.page.evaluate(async () => {
    const dump = (st: Storage): Record<string, string | null> =>
      Object.fromEntries(Object.keys(st).map((k) => [k, st.getItem(k)]));
    const dbs = (await indexedDB.databases?.()) ?? [];
    const cacheKeys = 'caches' in window ? await caches.keys() : [];
    return JSON.stringify({ local: dump(localStorage), session: dump(sessionStorage), dbs, cacheKeys, cookie: document.cookie });
  });
  return inPage + JSON.stringify(await s.browser.cookies());
}

const found = (text: string): string[] => secrets.filter((x) => text.includes(x));

beforeAll(async () => {
  profileDir = tempDir('kiosk-pii-chromium-');
  s = await startStack({ browserDataDir: profileDir });
}, 60_000);

afterAll(async () => {
  await s?.stop();
});

describe('browser storage after a citizen journey', () => {
  it('holds no full name or ID number, in the page or on disk', async () => {
    await s.begin('property', 'xianan-resident');
    await onScreen(s.page, 'service', 'list');
    expect(found(await pageStorage()), 'storage during the session').toEqual([]);
    await s.tap('rf-print');
    await onScreen(s.page, 'service', 'confirm');
    await s.tap('rf-confirm-print');
    await onScreen(s.page, 'result', undefined, 30_000);
    await s.finish();
    expect(found(await pageStorage()), 'storage after the session').toEqual([]);

    // Closing the browser flushes its profile to disk.
    await s.browser.close();
    const files = filesUnder(profileDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(f);
      expect(found(bytes.toString('utf8')), `${f} (UTF-8)`).toEqual([]);
      expect(found(bytes.toString('utf16le')), `${f} (UTF-16)`).toEqual([]);
      expect(found(bytes.subarray(1).toString('utf16le')), `${f} (UTF-16, odd offset)`).toEqual([]);
    }
  }, 120_000);
});
