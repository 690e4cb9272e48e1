import { afterEach, describe, expect, it } from 'vitest';
import { receipt } from '../../apps/agent/src/receipts/document.js';
import { testPage } from '../../apps/agent/src/receipts/test-page.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { p58, p80, rig, stripedLogo, waitFor, type Rig } from './helpers.js';

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const slip = (logoHeight = 0) => {
  const b = receipt('gas-topup', { ref: 'GT-20260101-0001' }).title('天然气充值凭条', 'Gas top-up receipt');
  if (logoHeight) b.image(stripedLogo(576, logoHeight));
  return b
    .rows({ 户号: '0101****23', 金额: '¥50.00', 时间: '2026-01-01 12:00:00' })
    .qr('https://zwfw.example.cn/v?o=GT-20260101-0001')
    .footer('请妥善保管 / Keep this slip')
    .build();
};

describe('printer driver over a real pty', () => {
  it('checks status, prints, confirms, and records the job', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const res = await r.driver.print(testPage(p80(), { now: new Date(2026, 0, 1) }));
    expect(res.outcome).toBe('printed');
    const receipts = r.sim.receipts();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]!.cut).toBe('partial');
    expect(receipts[0]!.interrupted).toBe(false);
    expect(receipts[0]!.text).toContain('测试页');
    expect(receipts[0]!.qr[0]!.data).toBe('https://zwfw.example.cn/verify?code=TEST-0001&t=测试');
    expect(receipts[0]!.errors).toEqual([]);
    const job = r.driver.job(res.jobId)!;
    expect(job.state).toBe('printed');
    expect(job.bytesSent).toBe(job.byteCount);
    expect(r.driver.lastJob()!.id).toBe(res.jobId);
    // Both GS r 1 (before the cut, and the closing one) were answered: "printed" was confirmed by the printer.
    expect((r.sim.state().counters as { paperStatusRequests: number }).paperStatusRequests).toBe(2);
  });

  it('refuses a job when the paper is out and sends no print data', async () => {
    r = await rig();
    r.sim.setSensors({ paper: 'out' });
    const res = await r.driver.print(slip());
    expect(res).toMatchObject({ outcome: 'refused', reason: 'paperOut' });
    expect(res.detail).toMatch(/缺纸.*out of paper/);
    expect(r.sim.emulator.counters.printDataBytes).toBe(0);
    expect(r.sim.receipts()).toHaveLength(0);
    expect(r.driver.job(res.jobId)!.state).toBe('refused');
    expect(r.driver.status()).toMatchObject({ device: 'userError', paper: 'out', action: 'clear' });
  });

  it('refuses on cover open (clear) and cutter error (maintenance) with precise reasons', async () => {
    r = await rig();
    r.sim.setSensors({ coverOpen: true });
    expect(await r.driver.print(slip())).toMatchObject({ outcome: 'refused', reason: 'coverOpen' });
    expect(r.driver.status()).toMatchObject({ device: 'userError', action: 'clear', extra: { coverOpen: true } });
    r.sim.setSensors({ coverOpen: false, cutterError: true });
    expect(await r.driver.print(slip())).toMatchObject({ outcome: 'refused', reason: 'cutterError' });
    expect(r.driver.status()).toMatchObject({ device: 'hardwareError', action: 'maintenance' });
    r.sim.setSensors({ cutterError: false, unrecoverableError: true });
    expect(await r.driver.print(slip())).toMatchObject({ outcome: 'refused', reason: 'unrecoverableError' });
    expect(r.driver.status()).toMatchObject({ device: 'hardwareError', action: 'maintenance' });
    expect(r.sim.emulator.counters.printDataBytes).toBe(0);
  });

  it('prints with a warning when the paper is near its end', async () => {
    r = await rig();
    r.sim.setSensors({ paper: 'low' });
    const res = await r.driver.print(slip());
    expect(res.outcome).toBe('printed');
    expect(res.warnings).toContain('paperLow');
    expect(r.driver.status()).toMatchObject({ device: 'online', paper: 'low' });
    expect(r.driver.status().action).toBeUndefined();
  });

  it('treats a silent printer as offline/unknown, never OK', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    r.sim.setSensors({ silent: true });
    const res = await r.driver.print(slip());
    expect(res).toMatchObject({ outcome: 'refused', reason: 'noReply' });
    expect(r.driver.status()).toMatchObject({ device: 'offline', paper: 'unknown' });
    expect(r.sim.emulator.counters.printDataBytes).toBe(0);
  });

  it('stops a job when the paper runs out mid-slip, marks it failed, and does not replay it after refill', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    r.sim.setSensors({ paperOutAfter: 3000 });
    const doc = slip(400); // a 576×400 logo: ~29 KB, many windows
    const res = await r.driver.print(doc);
    expect(res).toMatchObject({ outcome: 'failed', reason: 'paperOut' });
    const job = r.driver.job(res.jobId)!;
    expect(job.state).toBe('failed');
    expect(job.bytesSent).toBeLessThan(job.byteCount);
    // It stopped within about one window of the paper running out.
    expect(job.bytesSent).toBeLessThanOrEqual(3000 + 2 * 1024 + 16);
    const torn = r.sim.receipts();
    expect(torn).toHaveLength(1);
    expect(torn[0]).toMatchObject({ interrupted: true, cut: null, interruptedBy: 'paper out' });
    expect(r.driver.status()).toMatchObject({ paper: 'out', action: 'clear' });

    // A guide refills the paper: status recovers, nothing is printed again on its own.
    const statuses: DeviceStatus[] = [];
    r.driver.on('status', (s) => statuses.push(s));
    r.sim.setSensors({ paper: 'full' });
    await waitFor(() => r!.driver.status().device === 'online', 'online after refill');
    await new Promise((res) => setTimeout(res, 400)); // several poll rounds
    expect(r.sim.receipts().filter((x) => x.text.length > 0)).toHaveLength(1);
    expect(r.driver.job(res.jobId)!.state).toBe('failed');
    expect(statuses.some((s) => s.device === 'online' && s.paper === 'full')).toBe(true);

    // Explicit reprint: a new job, printed whole.
    const again = await r.driver.reprint(res.jobId);
    expect(again.outcome).toBe('printed');
    expect(again.jobId).not.toBe(res.jobId);
    expect(r.driver.job(again.jobId)!.reprintOf).toBe(res.jobId);
    const all = r.sim.receipts();
    const whole = all.filter((x) => x.cut !== null && !x.interrupted);
    expect(whole).toHaveLength(1);
    expect(whole[0]!.images[0]).toMatchObject({ width: 576, height: 400 });
    expect(whole[0]!.text).toContain('天然气充值凭条');
  });

  it('reports unplug, refuses while unplugged, and recovers after replug', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    await r.sim.unplug();
    await waitFor(() => r!.driver.status().device === 'noDevice', 'noDevice');
    expect(r.driver.status()).toMatchObject({ device: 'noDevice', paper: 'unknown' });
    const refused = await r.driver.print(slip());
    expect(refused).toMatchObject({ outcome: 'refused', reason: 'noDevice' });
    await r.sim.plug();
    await waitFor(() => r!.driver.status().device === 'online', 'online after replug');
    const ok = await r.driver.print(slip());
    expect(ok.outcome).toBe('printed');
    expect(r.sim.receipts().filter((x) => x.cut)).toHaveLength(1);
  });

  it('never counts a slip as printed when the printer is unplugged mid-job', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    let seen = 0;
    let pulled = false;
    let unplugged: Promise<void> = Promise.resolve();
    r.sim.emulator.on('data', (chunk) => {
      seen += chunk.length;
      if (seen > 5000 && !pulled) {
        pulled = true;
        // The cable is pulled now: from this byte on nothing comes back, then the port vanishes.
        r!.sim.emulator.setState({ silent: true });
        unplugged = r!.sim.unplug();
      }
    });
    const res = await r.driver.print(slip(600));
    expect(pulled).toBe(true);
    expect(['failed', 'unknown']).toContain(res.outcome);
    expect(r.driver.job(res.jobId)!.state).toBe(res.outcome);
    expect(r.sim.receipts().filter((x) => x.cut !== null)).toHaveLength(0);
    // Plugging back while the unplug is still tearing the pty down would lose the new link.
    await unplugged;
    await r.sim.plug();
    r.sim.setSensors({ silent: false });
    await waitFor(() => r!.driver.status().device === 'online', 'online after replug');
    await new Promise((res) => setTimeout(res, 300));
    // Not replayed: the only cut piece is the driver's VOID mark for whatever the printer might have kept.
    const cutPieces = r.sim.receipts().filter((x) => x.cut !== null);
    expect(cutPieces.every((x) => x.text.includes('作废') && !x.text.includes('天然气'))).toBe(true);
  });

  it('sends a large logo intact while the printer streams status bytes', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    r.sim.setSensors({ streamStatus: true });
    const logo = stripedLogo(576, 1200); // 86 KB of raster
    const res = await r.driver.print(receipt('logo-test').image(logo).text('LOGO OK').build());
    expect(res.outcome).toBe('printed');
    const rec = r.sim.emulator.receipts().at(-1)!;
    const img = rec.items.find((i) => i.kind === 'image');
    expect(img).toMatchObject({ width: 576, height: 1200 });
    expect(Buffer.from((img as { data: Uint8Array }).data).equals(Buffer.from(logo.data))).toBe(true);
    expect((r.sim.state().counters as { repliedBytes: number }).repliedBytes).toBeGreaterThan(1000);
  });

  it('polls while idle and emits status changes in the shared vocabulary', async () => {
    r = await rig();
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const seen: DeviceStatus[] = [];
    r.driver.on('status', (s) => seen.push(s));
    r.sim.setSensors({ paper: 'low' });
    await waitFor(() => seen.find((s) => s.paper === 'low'), 'paper low');
    r.sim.setSensors({ paper: 'out' });
    await waitFor(() => seen.find((s) => s.paper === 'out' && s.action === 'clear' && s.device === 'userError'), 'paper out');
    r.sim.setSensors({ paper: 'full', cutterError: true });
    await waitFor(() => seen.find((s) => s.device === 'hardwareError' && s.action === 'maintenance'), 'cutter');
    r.sim.setSensors({ cutterError: false, coverOpen: true });
    await waitFor(
      () => seen.find((s) => s.device === 'userError' && s.action === 'clear' && s.extra?.coverOpen === true),
      'cover',
    );
    r.sim.setSensors({ coverOpen: false });
    await waitFor(() => seen.at(-1)?.device === 'online' && seen.at(-1)?.paper === 'full', 'back online');
  });

  it('on restart marks leftover jobs failed/unknown and never re-sends them', async () => {
    r = await rig({ start: false });
    const { JobStore } = await import('../../apps/agent/src/devices/printer/jobs.js');
    const store = new JobStore(r.db);
    const data = { bytes: Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]), boundaries: [2, 3, 4], processedMarker: false };
    const a = store.create({ kind: 'x', profile: 'generic-80mm', data });
    const b = store.create({ kind: 'x', profile: 'generic-80mm', data });
    store.setState(b.id, 'sending');
    await r.driver.start();
    expect(store.get(a.id)).toMatchObject({ state: 'failed', reason: 'agentRestarted' });
    expect(store.get(b.id)).toMatchObject({ state: 'unknown', reason: 'agentRestarted' });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    expect(r.sim.emulator.counters.printDataBytes).toBe(0);
  });

  it('prints the 58 mm test page with a raster QR that fits the paper', async () => {
    r = await rig({ profile: p58() });
    const res = await r.driver.print(testPage(p58()));
    expect(res.outcome).toBe('printed');
    const rec = r.sim.receipts()[0]!;
    expect(rec.errors).toEqual([]);
    expect(rec.images[0]!.width).toBeLessThanOrEqual(384);
    expect(rec.cut).toBe('partial');
  });

  it('rejects documents that cannot print without creating a job; lists jobs; reprint needs kept bytes', async () => {
    r = await rig();
    await expect(r.driver.print(receipt('x').text('张🙂').build())).rejects.toThrow(/U\+1F642/);
    expect(r.driver.jobs()).toHaveLength(0);
    await expect(r.driver.reprint(999)).rejects.toThrow(/does not exist/);
    const a = await r.driver.print(slip());
    const b = await r.driver.print(slip());
    expect(r.driver.jobs().map((j) => j.id)).toEqual([b.jobId, a.jobId]);
    expect(r.driver.jobs()[0]).toMatchObject({ kind: 'gas-topup', ref: 'GT-20260101-0001', state: 'printed', reprintable: true });
    expect(r.driver.jobsStore.purgeData(0, Date.now() + 1000)).toBe(2);
    expect(r.driver.job(a.jobId)!.reprintable).toBe(false);
    await expect(r.driver.reprint(a.jobId)).rejects.toThrow(/erased/);
  });
});
