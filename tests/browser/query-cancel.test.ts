/**
 * Issue 19 (low list): the record services' query spinner has a cancel (取消查询) that works while
 * the upstream hangs, in headless Chromium against the full stack.
 */
import { describe, expect, it } from 'vitest';
import { postJson } from '../sandbox/fixture.js';
import type { Stack } from '../flows/stack.js';
import { stackPerFile } from '../helpers/stack-per-file.js';
import { onScreen } from './kiosk.js';

let s: Stack;
stackPerFile((stack) => (s = stack));

describe('query spinner', () => {
  it('a hanging tax query can be cancelled from the spinner; the year choice comes back', async () => {
    await postJson(`${s.sandbox.url}/admin/faults`, { operation: 'tax.query', kind: 'delay', delayMs: 60_000, count: 5 });
    await s.begin('tax', 'xianan-resident');
    await onScreen(s.page, 'service', 'chooseYears');
    await s.tap('tax-query');
    await onScreen(s.page, 'service', 'loading');
    expect(await s.page.getByTestId('rf-cancel').textContent()).toContain('取消查询');
    await s.tap('rf-cancel');
    await onScreen(s.page, 'service', 'chooseYears');
    await fetch(`${s.sandbox.url}/admin/faults`, { method: 'DELETE' });
    await s.tap('rf-back');
    await onScreen(s.page, 'home');
    await s.rig.control('DELETE', '/idcard/card');
  }, 60_000);
});
