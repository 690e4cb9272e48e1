import { afterEach, describe, expect, it } from 'vitest';
import { receipt } from '../../apps/agent/src/receipts/document.js';
import type { ReceiptView } from '../../apps/simulators/src/printer/index.js';
import { p58, p80, rig, stripedLogo, waitFor, type Rig } from './helpers.js';

/**
 * Issue 21 item 10: a real printer keeps what it received while the paper is out and prints it
 * after the refill, to whoever stands there. The driver must clear it (DLE DC4 fn=8) or make it
 * unmistakably void, report the job not printed, and let the session print again.
 */

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const slip = (logoRows: number, width: number) => {
  const b = receipt('gas-topup', { ref: 'GT-20260101-0001' }).title('天然气充值凭条', 'Gas top-up receipt');
  if (logoRows) b.image(stripedLogo(width, logoRows));
  return b
    .rows({ 户号: '0101****23', 金额: '￥50.00' })
    .qr('https://zwfw.example.cn/v?o=GT-20260101-0001')
    .footer('请妥善保管')
    .build();
};

const resumed = (rs: ReceiptView[]) => rs.filter((x) => x.resumedFromBuffer);

async function refillAndSettle(rg: Rig): Promise<void> {
  rg.sim.setSensors({ paper: 'full' });
  await waitFor(() => rg.driver.status().device === 'online', 'online after refill');
  // Let the idle poll run a few rounds (it is what sends a VOID mark).
  const polls = rg.sim.emulator.counters.realtimeRequests;
  await waitFor(() => rg.sim.emulator.counters.realtimeRequests >= polls + 12, 'a few status polls');
}

describe('paper out mid-job on a printer with a receive buffer', () => {
  it('clears the printer buffer where the profile has DLE DC4 fn=8; nothing of the slip prints after the refill', async () => {
    r = await rig({ profile: p80(), personality: { receiveBufferBytes: 8192 } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    r.sim.setSensors({ paperOutAfter: 3000 });
    const doc = slip(400, 576);
    const res = await r.driver.print(doc);
    expect(res).toMatchObject({ outcome: 'failed', reason: 'paperOut', incomplete: true, remainder: 'cleared' });
    expect(r.sim.emulator.counters.bufferClears).toBe(1);
    expect(r.sim.emulator.counters.bufferedBytes).toBe(0);
    await refillAndSettle(r);
    expect(resumed(r.sim.receipts())).toEqual([]);
    // The citizen prints again within the session: a new job, whole.
    const again = await r.driver.print(doc);
    expect(again).toMatchObject({ outcome: 'printed' });
    expect(again.jobId).not.toBe(res.jobId);
    const whole = r.sim.receipts().filter((x) => x.cut && !x.interrupted);
    expect(whole).toHaveLength(1);
    expect(whole[0]!.resumedFromBuffer).toBe(false);
    expect(whole[0]!.text).toContain('天然气充值凭条');
    expect(whole[0]!.images[0]).toMatchObject({ width: 576, height: 400 });
  });

  for (const c of [
    { name: 'a profile without the clear command', profile: p58, personality: {} },
    {
      name: 'a printer that ignores DLE DC4 fn=8 although its profile claims it',
      profile: p80,
      personality: { realtimeClear: false },
    },
  ]) {
    it(`marks the remainder VOID, on the same piece of paper, before anything else prints (${c.name})`, async () => {
      const profile = c.profile();
      r = await rig({ profile, personality: { receiveBufferBytes: 4096, ...c.personality } });
      await waitFor(() => r!.driver.status().device === 'online', 'online');
      r.sim.setSensors({ paperOutAfter: 2500 });
      const doc = slip(300, profile.dotsPerLine);
      const res = await r.driver.print(doc);
      expect(res).toMatchObject({ outcome: 'failed', reason: 'paperOut', incomplete: true, remainder: 'voidMarked' });
      expect(r.sim.emulator.counters.bufferedBytes).toBeGreaterThan(0);
      await refillAndSettle(r);
      const rest = resumed(r.sim.receipts());
      expect(rest).toHaveLength(1);
      // The remainder came out, and the VOID mark is under it on the same cut piece.
      expect(rest[0]!.cut).not.toBeNull();
      expect(rest[0]!.text).toMatch(/作废\s+VOID/);
      expect(rest[0]!.text).toContain('以上为中断的小票，无效');
      expect(rest[0]!.text.indexOf('作废')).toBeGreaterThan(0);
      const again = await r.driver.print(doc);
      expect(again.outcome).toBe('printed');
      const last = r.sim.receipts().at(-1)!;
      expect(last).toMatchObject({ resumedFromBuffer: false, interrupted: false });
      expect(last.text).not.toContain('作废');
      expect(last.text).toContain('天然气充值凭条');
    });
  }

  it('never lets the remainder carry the cut: paper out in the last window leaves an uncut remainder', async () => {
    // 80 mm: native QR, so the whole slip is one write window and no status check between windows helps.
    r = await rig({ profile: p80(), personality: { receiveBufferBytes: 4096, realtimeClear: false } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    r.sim.setSensors({ paperOutAfter: 120 });
    const res = await r.driver.print(slip(0, 576));
    expect(res).toMatchObject({ outcome: 'failed', reason: 'paperOut', incomplete: true, remainder: 'voidMarked' });
    await refillAndSettle(r);
    const rest = resumed(r.sim.receipts());
    expect(rest).toHaveLength(1);
    expect(rest[0]!.text).toContain('请妥善保管'); // the slip's own last line is in the remainder …
    expect(rest[0]!.text).toMatch(/请妥善保管[\s\S]*作废\s+VOID/); // … and the VOID mark follows it before the cut
  });
});
