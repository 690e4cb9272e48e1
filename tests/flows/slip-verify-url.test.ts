/**
 * Issue 19 (low list): the QR on a printed slip points at a configurable public verification base
 * (`slips.verifyBaseUrl`), not at the registry's loopback address (http://127.0.0.1:…) that no
 * phone can open. Property flow against the sandbox, slip decoded like the printer does.
 */
import { describe, expect, it } from 'vitest';
import { createActor, waitFor } from 'xstate';
import { createRecordFlows } from '../../apps/agent/src/flows/index.js';
import { configSchema } from '@kiosk/kiosk-config';
import type { FlowOutput } from '../../apps/agent/src/session/flow.js';
import { maskIdentity } from '../../apps/agent/src/session/identity.js';
import { sandboxForFile } from '../sandbox/fixture.js';
import { card, KIOSK, NOW, printOn, testServices } from './harness.js';

const t = sandboxForFile();

async function slipQr(slips: { verifyBaseUrl?: string } | undefined): Promise<{ qr: string; text: string; serial: string }> {
  const c = card('chibi-resident');
  const flows = createRecordFlows(testServices(t.url), { kiosk: KIOSK, ...(slips ? { slips } : {}) }, { now: () => NOW });
  const actor = createActor(flows.property!({ identity: () => c }), {
    input: { serviceId: 'property', identity: maskIdentity(c, false), lang: 'zh-CN' },
  });
  actor.start();
  const step = (): string => (actor.getSnapshot() as { context: { view: { step: string } } }).context.view.step;
  await waitFor(actor, () => step() === 'list', { timeout: 8000 });
  actor.send({ type: 'CONTINUE' });
  await waitFor(actor, () => step() === 'confirm', { timeout: 8000 });
  actor.send({ type: 'CONTINUE' });
  const done = await waitFor(actor, (s) => s.status === 'done', { timeout: 8000 });
  const out = done.output as FlowOutput;
  const { view } = printOn(out.print!.document, 'generic-80mm');
  return { qr: view.qr[0]!.data, text: view.text, serial: String(out.result?.params?.['serial']) };
}

describe('slip verification URL', () => {
  it('the config key exists and must be a URL', () => {
    expect(configSchema.shape.slips.parse({})).toEqual({});
    expect(configSchema.shape.slips.safeParse({ verifyBaseUrl: 'not a url' }).success).toBe(false);
  });

  it('with slips.verifyBaseUrl the QR and the printed link use the public base', async () => {
    const { qr, text, serial } = await slipQr({ verifyBaseUrl: 'https://zwfw.xianning.gov.cn/kiosk/' });
    expect(qr).toBe(`https://zwfw.xianning.gov.cn/kiosk/verify/${serial}`);
    expect(text.replace(/\s+/g, '')).toContain(`zwfw.xianning.gov.cn/kiosk/verify/${serial}`);
    expect(qr).not.toContain('127.0.0.1');
  });

  it('without it the registry’s URL is kept (the sandbox answers on loopback)', async () => {
    const { qr, serial } = await slipQr(undefined);
    expect(qr).toBe(`${t.sandbox.publicBaseUrl}/verify/${serial}`);
  });
});
