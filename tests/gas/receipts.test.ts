import { describe, expect, it } from 'vitest';
import { getProfile } from '../../apps/agent/src/devices/printer/profiles/index.js';
import type { GasOrder } from '../../apps/agent/src/gas/journal.js';
import { gasReceipt, maskAccountNo, maskCardNo, orderNoFromScan, pendingSlip } from '../../apps/agent/src/gas/receipts.js';
import { yuan } from '@kiosk/platform';
import { renderReceipt } from '../../apps/agent/src/receipts/render.js';

const order = (over: Partial<GasOrder> = {}): GasOrder =>
  ({
    orderNo: 'GT20260630120000ABC123',
    kioskId: 'XN-01',
    originKioskId: 'XN-01',
    state: 'credited',
    meterType: 'ic-card',
    accountNo: '8800200001',
    holderMasked: '张*三',
    cardNo: '9100000000200001',
    amountFen: 5000,
    volumeM3: 17.36,
    balanceAfterFen: null,
    icTargetCount: 8,
    transactionId: '4200000000000001',
    creditedAt: '2026-06-30T04:00:00.000Z',
    updatedAt: '2026-06-30T04:00:00.000Z',
    ...over,
  }) as GasOrder;

describe('gas slips', () => {
  it('masks account and card numbers and formats yuan', () => {
    expect(maskAccountNo('8800100001')).toBe('88001***01');
    expect(maskCardNo('9100000000200001')).toBe('9100********0001');
    expect(yuan(5000)).toBe('¥50.00');
    expect(yuan(-2350)).toBe('-¥23.50');
    expect(orderNoFromScan(' KIOSK-GAS-PENDING:GT1 ')).toBe('GT1');
  });

  for (const profile of ['generic-58mm', 'generic-80mm']) {
    it(`the receipt and the pending slip render on ${profile}, with masked numbers only`, () => {
      const p = getProfile(profile);
      for (const doc of [
        gasReceipt(order(), { company: '昆仑燃气咸宁分公司', kioskId: 'XN-01', hotline: '12345' }),
        pendingSlip(order({ state: 'credit_pending' }), { company: 'c', kioskId: 'XN-01' }),
      ]) {
        const r = renderReceipt(doc, p);
        expect(r.bytes.length).toBeGreaterThan(100);
        const text = JSON.stringify(doc);
        expect(text).not.toContain('8800200001');
        expect(text).not.toContain('9100000000200001');
      }
      expect(JSON.stringify(pendingSlip(order(), { company: 'c', kioskId: 'K' }))).toContain(
        'KIOSK-GAS-PENDING:GT20260630120000ABC123',
      );
      expect(JSON.stringify(gasReceipt(order(), { company: 'c', kioskId: 'K' }))).toContain('购气次数');
      expect(
        JSON.stringify(
          gasReceipt(order({ meterType: 'iot', cardNo: null, balanceAfterFen: 13650 }), { company: 'c', kioskId: 'K' }),
        ),
      ).toContain('¥136.50');
    });
  }
});
