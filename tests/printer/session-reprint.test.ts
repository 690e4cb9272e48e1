import { afterEach, describe, expect, it } from 'vitest';
import { createActor, toPromise } from 'xstate';
import { receipt } from '../../apps/agent/src/receipts/document.js';
import type { ReceiptDocument } from '../../apps/agent/src/receipts/document.js';
import { PrintFailure } from '../../apps/agent/src/session/machine.js';
import { createPrintActor } from '../../apps/agent/src/session/printing.js';
import { p58, rig, stripedLogo, waitFor, type Rig } from './helpers.js';

/**
 * The session's print step (the same actor the session machine invokes, RETRY runs it again) on
 * the real driver: paper out mid-slip is a failure the citizen is told about (paperOut), and once
 * the printer is back the same document prints whole as a new job, after the VOID-marked rest.
 */

let r: Rig | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

async function runPrint(rg: Rig, document: ReceiptDocument): Promise<unknown> {
  const actor = createActor(
    createPrintActor(() => rg.driver),
    { input: { document, sessionId: 's-1' } },
  );
  actor.start();
  try {
    await toPromise(actor);
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('session print step over the real driver', () => {
  it('paper out mid-slip fails with paperOut; after the refill RETRY prints the slip whole', async () => {
    r = await rig({ profile: p58(), personality: { receiveBufferBytes: 4096 } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const doc = receipt('tax', { ref: 'T-1' })
      .title('个人所得税纳税记录')
      .image(stripedLogo(384, 240))
      .rows({ 纳税人: '孙*试' })
      .footer('请妥善保管')
      .build();
    r.sim.setSensors({ paperOutAfter: 2000 });
    const err = await runPrint(r, doc);
    expect(err).toBeInstanceOf(PrintFailure);
    expect((err as PrintFailure).reason).toBe('paperOut');
    const first = r.driver.lastJob()!;
    expect(first.state).toBe('failed');

    // RETRY while still out: refused up front, nothing sent.
    const sentBefore = r.sim.emulator.counters.printDataBytes;
    expect(((await runPrint(r, doc)) as PrintFailure).reason).toBe('paperOut');
    expect(r.sim.emulator.counters.printDataBytes).toBe(sentBefore);

    r.sim.setSensors({ paper: 'full' });
    await waitFor(() => r!.driver.status().device === 'online', 'online after refill');
    expect(await runPrint(r, doc)).toBeUndefined();
    const last = r.driver.lastJob()!;
    expect(last.id).not.toBe(first.id);
    expect(last.state).toBe('printed');
    const pieces = r.sim.receipts();
    // The rest of the first attempt came out VOID-marked; the new slip is whole and separate.
    const rest = pieces.filter((p) => p.resumedFromBuffer);
    expect(rest).toHaveLength(1);
    expect(rest[0]!.text).toMatch(/作废\s+VOID/);
    const whole = pieces.filter((p) => p.cut && !p.interrupted && !p.resumedFromBuffer);
    expect(whole).toHaveLength(1);
    expect(whole[0]!.text.replace(/\s+/g, '')).toContain('个人所得税纳税记录');
    expect(whole[0]!.text).toContain('请妥善保管');
    expect(whole[0]!.images[0]).toMatchObject({ width: 384, height: 240 });
  });

  it('a RETRY re-checks the printer at once: a refill between polls prints without waiting for the next poll', async () => {
    // No idle poll within the test: only the retry itself can learn that the paper is back.
    r = await rig({ profile: p58(), driver: { statusPollMs: 600_000 } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const doc = receipt('tax', { ref: 'T-2' }).title('个人所得税纳税记录').rows({ 纳税人: '孙*试' }).build();
    r.sim.setSensors({ paper: 'out' });
    await r.driver.refreshStatus();
    expect(r.driver.status().paper).toBe('out');
    expect(((await runPrint(r, doc)) as PrintFailure).reason).toBe('paperOut');

    r.sim.setSensors({ paper: 'full' });
    // The driver still believes the paper is out (last read), the printer has paper again.
    expect(r.driver.status().paper).toBe('out');
    expect(await runPrint(r, doc)).toBeUndefined();
    expect(r.driver.lastJob()!.state).toBe('printed');
    expect(r.driver.status().device).toBe('online');
    expect(r.sim.receipts().filter((p) => p.cut && !p.interrupted)).toHaveLength(1);
  });

  it('a RETRY while the printer is still out is refused after the fresh check, nothing sent', async () => {
    r = await rig({ profile: p58(), driver: { statusPollMs: 600_000 } });
    await waitFor(() => r!.driver.status().device === 'online', 'online');
    const doc = receipt('tax', { ref: 'T-3' }).title('个人所得税纳税记录').build();
    r.sim.setSensors({ paper: 'out' });
    // The driver has not seen it yet (no poll): the print step finds out itself and sends nothing.
    expect(((await runPrint(r, doc)) as PrintFailure).reason).toBe('paperOut');
    expect(r.sim.emulator.counters.printDataBytes).toBe(0);
  });
});
