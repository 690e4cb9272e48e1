import { afterEach, describe, expect, it } from 'vitest';
import { receipt } from '../../apps/agent/src/receipts/document.js';
import { decodePaperStatusReply, isPaperStatusReply } from '@kiosk/protocol-escpos';
import { rig, waitFor, type Rig } from './helpers.js';

/**
 * Issue 21 item 8: "printed" only when the GS r 1 reply we asked for arrives and says the paper
 * was there. Each personality below is a real printer behaviour (docs/printer.md).
 */

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

// Small enough for one write window: no DLE EOT check between windows can save the driver.
const smallSlip = () =>
  receipt('gas-topup', { ref: 'GT-1' })
    .title('天然气充值凭条')
    .rows({ 户号: '0101****23', 金额: '￥50.00' })
    .footer('请妥善保管')
    .build();

describe('GS r 1 reply decoding', () => {
  it('accepts only the GS r pattern 0xx0xxxx and reads paper end from bits 2–3', () => {
    expect(isPaperStatusReply(0x00)).toBe(true);
    expect(isPaperStatusReply(0x0f)).toBe(true);
    for (const b of [0x12, 0x10, 0x11, 0x13, 0x80, 0xff, 0x37]) expect(isPaperStatusReply(b), `0x${b.toString(16)}`).toBe(false);
    expect(decodePaperStatusReply(0x0c)).toEqual({ nearEnd: false, paperEnd: true });
    expect(decodePaperStatusReply(0x03)).toEqual({ nearEnd: true, paperEnd: false });
    expect(() => decodePaperStatusReply(0xff)).toThrow(/not a GS r/);
  });
});

describe('a job is printed only when the printer confirms it', () => {
  for (const stray of [[0xff], [0x00], [0x80, 0x13, 0x11]]) {
    const name = stray.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    it(`a stray ${name} from the printer is not the end-of-job reply (paper runs out mid-slip)`, async () => {
      r = await rig({ personality: { strayBytes: stray } });
      await waitFor(() => r!.driver.status().device === 'online', 'online');
      r.sim.setSensors({ paperOutAfter: 80 });
      const res = await r.driver.print(smallSlip());
      expect(res).toMatchObject({ outcome: 'failed', reason: 'paperOut', incomplete: true });
      expect(r.driver.job(res.jobId)!.state).toBe('failed');
      expect((r.sim.state().counters as { repliedBytes: number }).repliedBytes).toBeGreaterThan(0);
    });
  }

  it('a GS r 1 reply that says paper end is not "printed"', async () => {
    r = await rig({ personality: { paperStatusWhenOut: true } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    r.sim.setSensors({ paperOutAfter: 80 });
    const res = await r.driver.print(smallSlip());
    // The printer did answer GS r 1 (0x0f), so the reply arrived — and said the paper was gone.
    expect(r.sim.emulator.counters.paperStatusRequests).toBe(1);
    expect(res).toMatchObject({ outcome: 'failed', reason: 'paperOut', incomplete: true });
    expect(r.driver.job(res.jobId)!.state).toBe('failed');
  });

  it('stray bytes do not spoil a good job', async () => {
    // 0x30 looks like the first byte of an Automatic Status Back block: it must not swallow the
    // DLE EOT replies that follow it.
    r = await rig({ personality: { strayBytes: [0xff, 0x80, 0x13, 0x11, 0x30] } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const res = await r.driver.print(smallSlip());
    expect(res).toMatchObject({ outcome: 'printed' });
    expect(res.incomplete).toBeFalsy();
    expect(r.sim.receipts().filter((x) => x.cut && !x.interrupted)).toHaveLength(1);
  });
});
