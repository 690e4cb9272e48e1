/**
 * The property, tax and social-insurance flows on their own, against the sandbox over HTTP:
 * lists, no records, upstream errors as citizen text, and the slip each hands to the session
 * (registered with the upstream, printable on 80 and 58 mm, QR pointing at /verify/<serial>).
 */
import { describe, expect, it } from 'vitest';
import type { SlipVerifyResponse } from '@kiosk/contracts/upstream';
import type {
  ConfirmData,
  ErrorData,
  PropertyListData,
  SocialListData,
  SocialYearsData,
  TaxListData,
  TaxYearsData,
} from '@kiosk/contracts/record-views';
import { groupDigits, yuan } from '../../apps/agent/src/receipts/slips/index.js';
import { TAX_DETAIL_MAX } from '../../apps/agent/src/flows/present.js';
import type { FlowOutput } from '../../apps/agent/src/session/flow.js';
import { personWith, postJson, sandboxForFile } from '../sandbox/fixture.js';
import { flat, KIOSK, printOn, runFlow, testServices } from './harness.js';
import { fill, loadCatalogues } from '../helpers/catalogue.js';

const t = sandboxForFile({ clearFaults: true });

const person = (id: string) => personWith(t.data, (p) => p.idNumber === id);

async function verify(serial: string): Promise<SlipVerifyResponse> {
  const res = await fetch(`${t.url}/verify/${serial}`, { headers: { accept: 'application/json' } });
  expect(res.status).toBe(200);
  return (await res.json()) as SlipVerifyResponse;
}

/** Prints on both widths and checks what every slip must carry; returns the 80 mm text. */
async function checkSlip(
  out: FlowOutput,
  expect_: { title: string; holderName: string; holderId: string; values: string[] },
): Promise<{ serial: string; verified: SlipVerifyResponse }> {
  expect(out.outcome).toBe('done');
  const doc = out.print?.document;
  expect(doc, 'a slip to print').toBeDefined();
  const serial = String(out.result?.params?.['serial']);
  expect(serial).toMatch(/^XN\d{8}-[0-9A-Z]{10}$/);
  // The result screen's words have every placeholder filled (issue 19: "共 {n} 条记录").
  const catalogues = await loadCatalogues();
  for (const lang of ['zh-CN', 'en'] as const) {
    for (const key of [out.result!.titleKey, out.result!.messageKey!]) {
      const text = fill(catalogues[lang][key] ?? `missing ${key}`, out.result!.params);
      expect(text, `${lang} ${key}`).not.toMatch(/[{}]|missing/);
    }
    expect(fill(catalogues[lang][out.result!.messageKey!]!, out.result!.params)).toContain(serial);
  }
  let qr80 = '';
  for (const profile of ['generic-80mm', 'generic-58mm'] as const) {
    const { view, columns } = printOn(doc!, profile);
    expect(view.errors, profile).toEqual([]);
    expect(view.interrupted).toBe(false);
    for (const line of view.text.split('\n'))
      expect(
        line.length <= columns || [...line].reduce((n, c) => n + (c.charCodeAt(0) < 128 ? 1 : 2), 0) <= columns,
        `${profile}: "${line}"`,
      ).toBe(true);
    const text = flat(view.text);
    expect(text).toContain(flat(expect_.title));
    expect(text).toContain(expect_.holderName);
    expect(text).toContain(expect_.holderId);
    expect(text).toContain(serial);
    expect(text).toContain(KIOSK.id);
    expect(text).toContain(flat(KIOSK.location));
    expect(text).toContain('2026-06-30'); // print time, China time
    for (const v of expect_.values) expect(text, `${profile} shows ${v}`).toContain(flat(v));
    if (profile === 'generic-80mm') {
      expect(view.qr).toHaveLength(1);
      qr80 = view.qr[0]!.data;
    } else {
      // 58 mm clones print QR codes as raster images.
      expect(view.images.length).toBeGreaterThanOrEqual(1);
    }
  }
  // Nothing personal in full on the paper: the 18-digit number never appears.
  expect(qr80).toBe(`${t.sandbox.publicBaseUrl}/verify/${serial}`);
  const verified = await verify(serial);
  expect(verified.kioskId).toBe(KIOSK.id);
  expect(verified.slip.title).toBe(expect_.title);
  expect(verified.slip.holder).toEqual({ nameMasked: expect_.holderName, idNumberMasked: expect_.holderId });
  return { serial, verified };
}

describe('property flow', () => {
  it('lists every property with its status, confirms, registers and hands over a verifiable slip', async () => {
    const p = person('421281199211080522'); // 李样例: mortgaged and seized
    const run = runFlow(testServices(t.url), 'property', 'chibi-resident');
    const list = (await run.step('list')).data as unknown as PropertyListData;
    expect(list.holder).toEqual({ name: '李*例', idNumber: '4212**********0522' });
    expect(list.properties.map((x) => x.certificateNo)).toEqual(p.properties.map((x) => x.certificateNo));
    const statuses = list.properties.flatMap((x) => x.statuses);
    const mortgage = p.properties.flatMap((x) => x.statuses).find((s) => s.type === 'mortgage');
    const seizure = p.properties.flatMap((x) => x.statuses).find((s) => s.type === 'seizure');
    expect(mortgage && seizure).toBeTruthy();
    expect(statuses).toContainEqual(
      expect.objectContaining({
        type: 'mortgage',
        label: '抵押',
        mortgagee: mortgage!.type === 'mortgage' ? mortgage!.mortgagee : '',
        amount: yuan(mortgage!.type === 'mortgage' ? mortgage!.amountFen : 0),
      }),
    );
    expect(statuses).toContainEqual(
      expect.objectContaining({
        type: 'seizure',
        label: '查封',
        authority: seizure!.type === 'seizure' ? seizure!.authority : '',
      }),
    );
    expect(JSON.stringify(run.view())).not.toContain('421281199211080522');

    run.send({ type: 'CONTINUE' });
    const confirm = (await run.step('confirm')).data as unknown as ConfirmData;
    expect(confirm.count).toBe(p.properties.length);
    expect(confirm.title).toBe('不动产登记信息查询结果');
    run.send({ type: 'CONTINUE' });
    const out = await run.done();
    const { verified } = await checkSlip(out, {
      title: '不动产登记信息查询结果',
      holderName: '李*例',
      holderId: '4212**********0522',
      values: [...p.properties.map((x) => x.certificateNo), ...p.properties.map((x) => x.location), '抵押', '查封'],
    });
    expect(verified.slip.records).toHaveLength(p.properties.length);
    expect(verified.slip.records[0]!['不动产权证号']).toBe(p.properties[0]!.certificateNo);
    expect(out.result?.kind).toBe('success');
  });

  it('a property with no encumbrance shows 无', async () => {
    const run = runFlow(testServices(t.url), 'property', 'tongshan-long-term');
    const list = (await run.step('list')).data as unknown as PropertyListData;
    expect(
      list.properties.some((x) => x.statuses.length === 1 && x.statuses[0]!.type === 'none' && x.statuses[0]!.label === '无'),
    ).toBe(true);
  });

  it('no records: a clear step, and continuing ends without anything to print', async () => {
    const run = runFlow(testServices(t.url), 'property', 'urumqi-long-name');
    const v = await run.step('noRecords');
    expect(v.data['service']).toBe('property');
    run.send({ type: 'CONTINUE' });
    const out = await run.done();
    expect(out.outcome).toBe('done');
    expect(out.print).toBeUndefined();
    expect(out.result).toMatchObject({ kind: 'info', titleKey: 'flows.noRecords.title.property' });
  });

  it('an upstream failure shows the citizen text from UpstreamError (no stack), and a retry recovers', async () => {
    await postJson(`${t.url}/admin/faults`, { operation: 'property.query', kind: 'error', status: 503, count: 1 });
    const run = runFlow(testServices(t.url), 'property', 'xianan-resident');
    const e = (await run.step('error')).data as unknown as ErrorData;
    expect(e.message.zh).toBe('不动产登记系统暂时无法使用，请稍后再试或咨询工作人员。');
    expect(e.message.en).toContain('The property registry is temporarily unavailable');
    expect(e.retryable).toBe(true);
    const json = JSON.stringify(run.view());
    expect(json).not.toMatch(/\bat \S+:\d+|Error:|503|stack/);
    run.send({ type: 'CONTINUE' });
    await run.step('list');
  });

  it('malformed upstream JSON and timeouts are citizen text too', async () => {
    await postJson(`${t.url}/admin/faults`, { operation: 'property.query', kind: 'malformed', count: 1 });
    const run = runFlow(testServices(t.url), 'property', 'xianan-resident');
    const e = (await run.step('error')).data as unknown as ErrorData;
    expect(e.message.zh).toBe('不动产登记系统返回异常，请稍后再试。');
    await postJson(`${t.url}/admin/faults`, { operation: 'property.query', kind: 'timeout', delayMs: 5000, count: 1 });
    run.send({ type: 'CONTINUE' });
    await run.step('loading');
    const e2 = (await run.step('error', 10_000)).data as unknown as ErrorData;
    expect(e2.message.zh).toBe('不动产登记系统响应超时，请稍后再试。');
  });

  it('a failed slip registration can be retried and keeps one serial for one slip', async () => {
    await postJson(`${t.url}/admin/faults`, {
      operation: 'slips.register',
      kind: 'error',
      status: 502,
      phase: 'after',
      count: 1,
    });
    const run = runFlow(testServices(t.url), 'property', 'xianan-resident');
    await run.step('list');
    run.send({ type: 'CONTINUE' });
    await run.step('confirm');
    run.send({ type: 'CONTINUE' });
    const e = (await run.step('error')).data as unknown as ErrorData;
    expect(e.message.zh).toContain('凭证核验服务');
    run.send({ type: 'CONTINUE' });
    const out = await run.done();
    expect(out.print).toBeDefined();
    // The first attempt was stored upstream before its reply was lost: the retry got the same serial.
    await verify(String(out.result?.params?.['serial']));
  });

  it('without an identity the flow says so instead of querying', async () => {
    const run = runFlow(testServices(t.url), 'property', null);
    const e = (await run.step('error')).data as unknown as ErrorData;
    expect(e.message.zh).toContain('身份证');
    expect(e.retryable).toBe(false);
    run.send({ type: 'BACK' });
    expect((await run.done()).outcome).toBe('back');
  });
});

describe('tax flow', () => {
  it('offers the current and two previous years by default, lists and prints the records with verification codes', async () => {
    const p = person('421202198503120610');
    const run = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    const years = (await run.step('chooseYears')).data as unknown as TaxYearsData;
    expect(years).toMatchObject({ fromYear: 2024, toYear: 2026 });
    expect(years.years.slice(0, 3)).toEqual([2026, 2025, 2024]);
    run.send({ type: 'FLOW.EVENT', name: 'years', data: { fromYear: 2025, toYear: 2025 } });
    expect(run.view().data).toMatchObject({ fromYear: 2025, toYear: 2025 });
    // Out of range or reversed: ignored.
    run.send({ type: 'FLOW.EVENT', name: 'years', data: { fromYear: 2026, toYear: 2025 } });
    run.send({ type: 'FLOW.EVENT', name: 'years', data: { fromYear: 1999, toYear: 2025 } });
    expect(run.view().data).toMatchObject({ fromYear: 2025, toYear: 2025 });
    run.send({ type: 'CONTINUE' });
    const list = (await run.step('list')).data as unknown as TaxListData;
    const expected = p.tax.filter((r) => r.periodStart.startsWith('2025'));
    expect(list.records.map((r) => r.voucherNo)).toEqual(expected.map((r) => groupDigits(r.voucherNo)));
    expect(list.records[0]).toMatchObject({
      taxType: expected[0]!.taxType,
      amount: yuan(expected[0]!.amountFen),
      taxAuthority: expected[0]!.taxAuthority,
    });
    expect(list.total).toBe(yuan(expected.reduce((s, r) => s + r.amountFen, 0)));
    run.send({ type: 'CONTINUE' });
    await run.step('confirm');
    run.send({ type: 'CONTINUE' });
    const { verified } = await checkSlip(await run.done(), {
      title: '个人所得税纳税记录',
      holderName: '孙*试',
      holderId: '4212**********0610',
      values: [...expected.map((r) => r.verificationCode), ...expected.map((r) => groupDigits(r.voucherNo)), '2025–2025'],
    });
    expect(verified.slip.records.map((r) => r['验证码'])).toEqual(expected.map((r) => r.verificationCode));
  });

  it('the citizen chooses which records print; a long choice prints per-year totals, not every voucher (issue 19)', async () => {
    const run = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    await run.step('chooseYears');
    run.send({ type: 'CONTINUE' });
    const list = (await run.step('list')).data as unknown as TaxListData;
    expect(list.records.length).toBeGreaterThan(TAX_DETAIL_MAX);
    expect(list.selected).toEqual(list.records.map((r) => r.voucherNo));
    // Nothing chosen: nothing to print. Unknown vouchers: ignored.
    run.send({ type: 'FLOW.EVENT', name: 'select', data: { voucherNos: [] } });
    run.send({ type: 'CONTINUE' });
    expect(run.view().step).toBe('list');
    run.send({ type: 'FLOW.EVENT', name: 'select', data: { voucherNos: ['nope'] } });
    expect((run.view().data as unknown as TaxListData).selected).toEqual([]);
    const two = [list.records[3]!, list.records[0]!];
    run.send({ type: 'FLOW.EVENT', name: 'select', data: { voucherNos: two.map((r) => r.voucherNo) } });
    expect((run.view().data as unknown as TaxListData).selected).toEqual([two[1]!.voucherNo, two[0]!.voucherNo]);
    run.send({ type: 'CONTINUE' });
    const confirm = (await run.step('confirm')).data as unknown as ConfirmData;
    expect(confirm).toMatchObject({ count: 2, summarised: false });
    run.send({ type: 'CONTINUE' });
    const out = await run.done();
    const { verified } = await checkSlip(out, {
      title: '个人所得税纳税记录',
      holderName: '孙*试',
      holderId: '4212**********0610',
      values: [two[0]!.verificationCode, two[1]!.verificationCode],
    });
    expect(verified.slip.records.map((r) => r['完税凭证号'])).toEqual([two[1]!.voucherNo, two[0]!.voucherNo]);
    expect(out.result?.params?.['count']).toBe(2);

    // All of them: the slip summarises by year (count and total), and says so.
    const all = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    await all.step('chooseYears');
    all.send({ type: 'CONTINUE' });
    await all.step('list');
    all.send({ type: 'CONTINUE' });
    const sum = (await all.step('confirm')).data as unknown as ConfirmData;
    const byYear = new Map<number, { n: number; fen: number }>();
    for (const r of list.records)
      byYear.set(r.year, { n: (byYear.get(r.year)?.n ?? 0) + 1, fen: (byYear.get(r.year)?.fen ?? 0) + r.amountFen });
    expect(sum).toMatchObject({ count: list.records.length, summarised: true });
    expect(sum.lines).toHaveLength(byYear.size);
    all.send({ type: 'CONTINUE' });
    const allOut = await all.done();
    const slip = await checkSlip(allOut, {
      title: '个人所得税纳税记录',
      holderName: '孙*试',
      holderId: '4212**********0610',
      values: ['按年度汇总', ...[...byYear.values()].map((y) => yuan(y.fen))],
    });
    expect(slip.verified.slip.records).toHaveLength(byYear.size);
    expect(allOut.result?.params?.['count']).toBe(list.records.length);
    // Far less paper than one block per voucher.
    expect(printOn(allOut.print!.document, 'generic-80mm').view.text.split('\n').length).toBeLessThan(60);
  });

  it('no records in the chosen years: the no-records step, and Back returns to the year choice', async () => {
    const run = runFlow(testServices(t.url), 'tax', 'urumqi-long-name');
    await run.step('chooseYears');
    run.send({ type: 'CONTINUE' });
    const v = await run.step('noRecords');
    expect(v.data).toMatchObject({ service: 'tax', fromYear: 2024, toYear: 2026 });
    run.send({ type: 'BACK' });
    await run.step('chooseYears');
  });

  it('tax bureau down: citizen text naming the tax service', async () => {
    await postJson(`${t.url}/admin/faults`, { operation: 'tax.query', kind: 'error', status: 500, count: 1 });
    const run = runFlow(testServices(t.url), 'tax', 'xianan-resident');
    await run.step('chooseYears');
    run.send({ type: 'CONTINUE' });
    const e = (await run.step('error')).data as unknown as ErrorData;
    expect(e.message.zh).toBe('税务系统暂时无法使用，请稍后再试或咨询工作人员。');
  });
});

describe('social-insurance flow', () => {
  for (const [kind, profile, id, title] of [
    ['resident', 'chibi-resident', '421281199211080522', '城乡居民社保费缴款凭单'],
    ['flexible', 'xianan-resident', '421202198503120610', '灵活就业人员社保票据'],
  ] as const) {
    it(`${kind}: years → a year's payments → one chosen slip`, async () => {
      const p = person(id);
      const run = runFlow(testServices(t.url), 'social', profile);
      await run.step('chooseKind');
      run.send({ type: 'FLOW.EVENT', name: 'kind', data: { kind } });
      const years = (await run.step('years')).data as unknown as SocialYearsData;
      const mine = p.social.filter((r) => r.kind === kind && Number(r.periodStart.slice(0, 4)) >= 2022);
      const expectedYears = [...new Set(mine.map((r) => Number(r.periodStart.slice(0, 4))))].sort((a, b) => b - a);
      expect(years.years.map((y) => y.year)).toEqual(expectedYears);
      const year = expectedYears[0]!;
      const ofYear = mine.filter((r) => r.periodStart.startsWith(String(year)));
      expect(years.years[0]).toMatchObject({ count: ofYear.length, total: yuan(ofYear.reduce((s, r) => s + r.amountFen, 0)) });
      run.send({ type: 'FLOW.EVENT', name: 'year', data: { year } });
      const list = (await run.step('list')).data as unknown as SocialListData;
      expect(list.records).toHaveLength(ofYear.length);
      const chosen = list.records[list.records.length - 1]!;
      // A voucher not in the list is ignored.
      run.send({ type: 'FLOW.EVENT', name: 'select', data: { voucherNo: 'nope' } });
      expect(run.view().step).toBe('list');
      run.send({ type: 'FLOW.EVENT', name: 'select', data: { voucherNo: chosen.voucherNo } });
      const confirm = (await run.step('confirm')).data as unknown as ConfirmData;
      expect(confirm).toMatchObject({ title, count: 1 });
      run.send({ type: 'CONTINUE' });
      const { verified } = await checkSlip(await run.done(), {
        title,
        holderName: p.name.length > 2 ? `${p.name[0]}*${p.name[p.name.length - 1]}` : `${p.name[0]}*`,
        holderId: `${id.slice(0, 4)}**********${id.slice(-4)}`,
        values: [
          chosen.voucherNo,
          chosen.insuranceType,
          chosen.amount,
          chosen.paidOn,
          kind === 'flexible' ? chosen.base : chosen.grade,
        ],
      });
      expect(verified.slip.kind).toBe(`social-${kind}`);
      expect(verified.slip.records).toEqual([expect.objectContaining({ 票据号码: chosen.voucherNo, 缴费金额: chosen.amount })]);
    });
  }

  it('a whole year on one slip: every payment of the year, with count and total (issue 19)', async () => {
    const p = person('421281199211080522');
    const run = runFlow(testServices(t.url), 'social', 'chibi-resident');
    run.send({ type: 'FLOW.EVENT', name: 'kind', data: { kind: 'resident' } });
    const years = (await run.step('years')).data as unknown as SocialYearsData;
    const year = years.years[0]!;
    run.send({ type: 'FLOW.EVENT', name: 'year', data: { year: year.year } });
    const list = (await run.step('list')).data as unknown as SocialListData;
    run.send({ type: 'FLOW.EVENT', name: 'wholeYear', data: {} });
    const confirm = (await run.step('confirm')).data as unknown as ConfirmData;
    expect(confirm).toMatchObject({ count: list.records.length });
    expect(confirm.lines).toHaveLength(list.records.length);
    run.send({ type: 'CONTINUE' });
    const out = await run.done();
    const { verified } = await checkSlip(out, {
      title: '城乡居民社保费缴款凭单',
      holderName: `${p.name[0]}*${p.name.length > 2 ? p.name[p.name.length - 1] : ''}`,
      holderId: '4212**********0522',
      values: [...list.records.map((r) => r.voucherNo), year.total],
    });
    expect(verified.slip.records.map((r) => r['票据号码'])).toEqual(list.records.map((r) => r.voucherNo));
    expect(out.result?.params?.['count']).toBe(list.records.length);
  });

  it('no payments of that kind: no-records step; Back returns to the kind choice', async () => {
    const run = runFlow(testServices(t.url), 'social', 'urumqi-long-name');
    run.send({ type: 'FLOW.EVENT', name: 'kind', data: { kind: 'flexible' } });
    const v = await run.step('noRecords');
    expect(v.data).toMatchObject({ service: 'social', kind: 'flexible' });
    run.send({ type: 'BACK' });
    await run.step('chooseKind');
    run.send({ type: 'BACK' });
    expect((await run.done()).outcome).toBe('back');
  });
});
