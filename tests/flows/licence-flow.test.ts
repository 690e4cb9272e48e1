/**
 * 电子证照打印 flow on its own against the sandbox (issue 18): nothing is fetched without the
 * citizen's explicit consent; the purpose goes with the fetch and the print; every name, ID
 * number and home address is masked on screen and slip (a spouse's name too); a registration
 * that fails after the slip was stored retries to the same serial and records one print use; the
 * slip prints on 58 and 80 mm and its words fill every placeholder.
 */
import { createActor, waitFor } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { LicenceListData, LicencePreviewData } from '@kiosk/contracts/licence-views';
import type { SlipVerifyResponse } from '@kiosk/contracts/upstream';
import { createLicenceFlow } from '../../apps/agent/src/flows/licences.js';
import { maskIdentity } from '../../apps/agent/src/session/identity.js';
import type { FlowOutput } from '../../apps/agent/src/session/flow.js';
import type { FlowView } from '@kiosk/contracts/session-view';
import { fill, loadCatalogues } from '../helpers/catalogue.js';
import { postJson, sandboxForFile } from '../sandbox/fixture.js';
import { card, flat, KIOSK, NOW, printOn, testServices } from './harness.js';

const t = sandboxForFile({ clearFaults: true });

function run(profile: string, retry = 1) {
  const c = card(profile);
  const machine = createLicenceFlow(testServices(t.url, retry), { kiosk: KIOSK }, { now: () => NOW })({ identity: () => c });
  const actor = createActor(machine, { input: { serviceId: 'licence', identity: maskIdentity(c, false), lang: 'zh-CN' } });
  actor.start();
  const view = (): FlowView => (actor.getSnapshot() as { context: { view: FlowView } }).context.view;
  const step = async (s: string): Promise<FlowView> => {
    await waitFor(actor, () => view().step === s || actor.getSnapshot().status !== 'active', { timeout: 8000 });
    expect(view().step).toBe(s);
    return view();
  };
  return { actor, view, step, card: c };
}

const uses = async (licenceId: string) =>
  (
    (await (
      await fetch(`${t.url}/licences/v1/licences/${encodeURIComponent(licenceId)}/uses`, {
        headers: { 'x-kiosk-id': KIOSK.id, 'x-request-id': 'u' },
      })
    ).json()) as {
      uses: { action: string; purpose: string; slipSerial: string | null }[];
    }
  ).uses;

describe('电子证照打印 flow', () => {
  it('fetches nothing before an explicit agreement; the library refuses a query without consent', async () => {
    const f = run('xianan-resident');
    await f.step('consent');
    f.actor.send({ type: 'CONTINUE' });
    f.actor.send({ type: 'FLOW.EVENT', name: 'consent', data: { agree: false } });
    f.actor.send({ type: 'FLOW.EVENT', name: 'purpose', data: { purpose: 'bankLoan' } });
    expect(f.view().step).toBe('consent');
    const refused = await postJson(`${t.url}/licences/v1/licences/query`, { idNumber: f.card.idNumber, purpose: 'bankLoan' });
    expect(refused.status).toBe(400);
    f.actor.send({ type: 'BACK' });
    expect(((await waitFor(f.actor, (s) => s.status === 'done')).output as FlowOutput).outcome).toBe('back');
  });

  it('lists the four kinds masked, prints a 结婚证 copy with the purpose, and records the fetch and the print', async () => {
    const f = run('chibi-resident');
    await f.step('consent');
    f.actor.send({ type: 'FLOW.EVENT', name: 'consent', data: { agree: true } });
    await f.step('purpose');
    f.actor.send({ type: 'FLOW.EVENT', name: 'purpose', data: { purpose: 'housingFund' } });
    const list = (await f.step('list')).data as unknown as LicenceListData;
    expect(new Set(list.licences.map((l) => l.type))).toEqual(
      new Set(['householdRegister', 'realEstate', 'marriage', 'businessLicence']),
    );
    const text = JSON.stringify(list);
    expect(text).not.toContain(f.card.idNumber);
    expect(text).not.toContain(f.card.name);
    const marriage = list.licences.find((l) => l.type === 'marriage')!;
    // Every name on it masked, the spouse's too; the ID number too.
    for (const field of marriage.fields.filter((x) => /姓名|持证人$/.test(x.label))) expect(field.value).toContain('*');
    expect(marriage.fields.find((x) => x.label === '持证人身份证件号')!.value).toBe('4212**********0522');
    const home = list.licences.find((l) => l.type === 'householdRegister')!.fields.find((x) => x.label === '住址')!;
    expect(home.value).toMatch(/\*+号$/);

    f.actor.send({ type: 'FLOW.EVENT', name: 'select', data: { licenceId: 'no-such-licence' } });
    expect(f.view().step).toBe('list');
    f.actor.send({ type: 'FLOW.EVENT', name: 'select', data: { licenceId: marriage.licenceId } });
    const preview = (await f.step('preview')).data as unknown as LicencePreviewData;
    expect(preview.licence.licenceId).toBe(marriage.licenceId);
    f.actor.send({ type: 'CONTINUE' });
    const out = (await waitFor(f.actor, (s) => s.status === 'done', { timeout: 8000 })).output as FlowOutput;
    expect(out.outcome).toBe('done');
    const serial = String(out.result?.params?.['serial']);
    const catalogues = await loadCatalogues();
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const key of [out.result!.titleKey, out.result!.messageKey!]) {
        expect(fill(catalogues[lang][key] ?? `missing ${key}`, out.result!.params), `${lang} ${key}`).not.toMatch(/[{}]|missing/);
      }
    }
    for (const width of ['generic-58mm', 'generic-80mm'] as const) {
      const { view } = printOn(out.print!.document, width);
      expect(view.errors, width).toEqual([]);
      const printed = flat(view.text);
      expect(printed).toContain('电子证照用证凭证');
      expect(printed).toContain('结婚证');
      expect(printed).toContain('公积金提取');
      expect(printed).toContain(flat(marriage.number));
      expect(view.text).not.toContain(f.card.idNumber);
      expect(view.text).not.toContain(f.card.name);
      expect(printed).toContain('2026-06-30'); // print time, China time
      // 58 mm clones print QR codes as raster images; the 80 mm QR is decoded.
      if (width === 'generic-80mm') expect(view.qr.map((q) => q.data)).toEqual([`${t.sandbox.publicBaseUrl}/verify/${serial}`]);
      else expect(view.images.length).toBeGreaterThanOrEqual(1);
    }
    const v = (await (
      await fetch(`${t.url}/verify/${serial}`, { headers: { accept: 'application/json' } })
    ).json()) as SlipVerifyResponse;
    expect(v.slip.kind).toBe('licence-copy');
    expect(JSON.stringify(v)).not.toContain(f.card.idNumber);
    expect((await uses(marriage.licenceId)).map((u) => [u.action, u.purpose, u.slipSerial])).toEqual([
      ['fetch', 'housingFund', null],
      ['print', 'housingFund', serial],
    ]);
  });

  it('a lost answer from the use record is retried to the same serial and one print use', async () => {
    const f = run('xianan-resident');
    await f.step('consent');
    f.actor.send({ type: 'FLOW.EVENT', name: 'consent', data: { agree: true } });
    await f.step('purpose');
    f.actor.send({ type: 'FLOW.EVENT', name: 'purpose', data: { purpose: 'other' } });
    const list = (await f.step('list')).data as unknown as LicenceListData;
    const estate = list.licences.find((l) => l.type === 'realEstate')!;
    f.actor.send({ type: 'FLOW.EVENT', name: 'select', data: { licenceId: estate.licenceId } });
    await f.step('preview');
    // The library records the print, then its answer is lost.
    await postJson(`${t.url}/admin/faults`, { operation: 'licences.use', kind: 'error', status: 503, phase: 'after', count: 1 });
    f.actor.send({ type: 'CONTINUE' });
    const err = await f.step('error');
    expect(err.data['retryable']).toBe(true);
    f.actor.send({ type: 'CONTINUE' });
    const out = (await waitFor(f.actor, (s) => s.status === 'done', { timeout: 8000 })).output as FlowOutput;
    const serial = String(out.result?.params?.['serial']);
    const prints = (await uses(estate.licenceId)).filter((u) => u.action === 'print');
    expect(prints).toEqual([expect.objectContaining({ slipSerial: serial, purpose: 'other' })]);
  });

  it('a person the library holds nothing for gets the no-licences step', async () => {
    const f = run('urumqi-long-name');
    await f.step('consent');
    f.actor.send({ type: 'FLOW.EVENT', name: 'consent', data: { agree: true } });
    await f.step('purpose');
    f.actor.send({ type: 'FLOW.EVENT', name: 'purpose', data: { purpose: 'socialInsurance' } });
    await f.step('noLicences');
    f.actor.send({ type: 'CONTINUE' });
    const out = (await waitFor(f.actor, (s) => s.status === 'done')).output as FlowOutput;
    expect(out).toMatchObject({ outcome: 'done', result: { kind: 'info', titleKey: 'licence.none.title' } });
    expect(out.print).toBeUndefined();
  });
});
