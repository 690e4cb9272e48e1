// The slip registration the record flows and the licence flow share (flows/record-steps.ts
// registerSlip, slipVerifyBase) and the flows' "done with a result" output (session/flow.ts doneWith).
import { describe, expect, it } from 'vitest';
import { registerSlip, slipVerifyBase } from '../../apps/agent/src/flows/record-steps.js';
import type { SlipDraft } from '../../apps/agent/src/receipts/slips/index.js';
import type { RecordServices } from '../../apps/agent/src/flows/record-steps.js';
import { doneWith } from '../../apps/agent/src/session/flow.js';

const draft: SlipDraft = {
  kind: 'property',
  title: '不动产登记信息查询结果',
  subtitle: 'Property records',
  kioskId: 'K1',
  location: '咸宁市政务服务中心',
  holder: { nameMasked: '张*', idNumberMasked: '4201**********1234' },
  source: '咸宁市不动产登记中心',
  summary: [],
  records: [],
  printedAt: new Date('2026-12-03T08:00:00Z'),
  notes: [],
};

function registry() {
  const calls: { key: string | undefined; title: string }[] = [];
  const slips = {
    register: (content: { title: string }, opts?: { idempotencyKey?: string }) => {
      calls.push({ key: opts?.idempotencyKey, title: content.title });
      return Promise.resolve({
        serial: 'S-1',
        verifyUrl: 'http://127.0.0.1:8080/verify/S-1',
        registeredAt: '2026-12-03T08:00:00Z',
      });
    },
  } as unknown as RecordServices['slips']; // only register is called
  return { slips, calls };
}

describe('registerSlip', () => {
  it('registers the slip once with its idempotency key and keeps the registry address without a public base', async () => {
    const { slips, calls } = registry();
    const reg = await registerSlip(slips, undefined, { draft, key: 'k-1' }, new AbortController().signal);
    expect(calls).toEqual([{ key: 'k-1', title: draft.title }]);
    expect(reg.verifyUrl).toBe('http://127.0.0.1:8080/verify/S-1');
    expect(reg.serial).toBe('S-1');
  });

  it('with a public base the QR points there, the serial escaped', async () => {
    const { slips } = registry();
    const base = slipVerifyBase({ slips: { verifyBaseUrl: 'https://verify.example.gov.cn//' } });
    expect(base).toBe('https://verify.example.gov.cn');
    const reg = await registerSlip(slips, base, { draft, key: 'k-2' }, new AbortController().signal);
    expect(reg.verifyUrl).toBe('https://verify.example.gov.cn/verify/S-1');
    expect(slipVerifyBase({})).toBeUndefined();
  });
});

describe('doneWith', () => {
  it('ends a flow on the result given, with nothing to print', () => {
    const result = { kind: 'info' as const, titleKey: 't', messageKey: 'm' };
    expect(doneWith(result)).toEqual({ outcome: 'done', result });
  });
});
