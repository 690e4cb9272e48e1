/**
 * The UI catalogues against what the agent fills in (issue 19: literal "共 {n} 条记录" on screen).
 * Record-flow results are checked end to end in record-flows.test.ts; the browser sweep
 * (tests/browser/screen-sweep.test.ts) checks that no screen shows a `{`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogues, type Catalogue } from '../helpers/catalogue.js';

let zhCN: Catalogue;
let en: Catalogue;
beforeAll(async () => {
  ({ 'zh-CN': zhCN, en } = await loadCatalogues());
});

const placeholders = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();

describe('UI catalogues', () => {
  it('every key has the same placeholders in Chinese and English', () => {
    for (const [key, zh] of Object.entries(zhCN)) {
      // Singular forms (`<key>.one`, used when n is 1) may spell the number out ("once more").
      if (key.endsWith('.one')) continue;
      expect(placeholders(en[key] ?? ''), key).toEqual(placeholders(zh));
    }
  });

  it('gas results use only the parameters the gas flow sends', () => {
    // apps/agent/src/flows/gas.ts outcomeOf/closedOutcome and the 补写卡 "already" result.
    const sent = new Set(['amount', 'orderNo', 'account', 'volume', 'count']);
    for (const [key, text] of Object.entries(zhCN)) {
      if (!key.startsWith('gas.result.')) continue;
      for (const p of placeholders(text)) expect(sent.has(p), `${key} uses {${p}}`).toBe(true);
    }
  });
});
