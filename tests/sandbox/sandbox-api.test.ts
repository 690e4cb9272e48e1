import { describe, expect, it } from 'vitest';
import { profiles } from '@kiosk/synthetic';
import { NO_RECORDS_PROFILE } from '../../apps/sandbox/src/profiles.js';
import {
  healthSchema,
  propertyQueryResponseSchema,
  slipRegisterResponseSchema,
  slipVerifyResponseSchema,
  socialQueryResponseSchema,
  taxQueryResponseSchema,
} from '@kiosk/contracts/upstream';
import { HEADERS, hasNoRecords, personWith, postJson, sandboxForFile, startTestSandbox } from './fixture.js';

const t = sandboxForFile();

describe('sandbox upstream over HTTP', () => {
  it('answers /healthz with the number of people', async () => {
    const res = await fetch(`${t.url}/healthz`);
    const body = healthSchema.parse(await res.json());
    expect(body.people).toBe(t.data.people.length);
    expect(body.people).toBeGreaterThanOrEqual(50);
  });

  it('requires X-Kiosk-Id and X-Request-Id and echoes the request id', async () => {
    const p = t.data.people[0]!;
    const missing = await postJson(
      `${t.url}/property/v1/properties/query`,
      { idNumber: p.idNumber },
      { 'content-type': 'application/json' },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('MISSING_HEADERS');
    const ok = await postJson(
      `${t.url}/property/v1/properties/query`,
      { idNumber: p.idNumber },
      { ...HEADERS, 'x-request-id': 'echo-me-42' },
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-request-id')).toBe('echo-me-42');
    expect(ok.body.requestId).toBe('echo-me-42');
  });

  it("lists a person's properties with statuses and a masked holder", async () => {
    const p = personWith(t.data, (x) => x.properties.some((pr) => pr.statuses.some((s) => s.type === 'seizure')));
    const r = await postJson(`${t.url}/property/v1/properties/query`, { idNumber: p.idNumber });
    const body = propertyQueryResponseSchema.parse(r.body);
    expect(body.properties).toEqual(p.properties);
    expect(body.holder?.idNumberMasked).toBe(`${p.idNumber.slice(0, 4)}**********${p.idNumber.slice(-4)}`);
    expect(body.holder?.nameMasked).toContain('*');
    expect(JSON.stringify(body)).not.toContain(p.idNumber);
    expect(JSON.stringify(body)).not.toContain(p.name);
    const seized = body.properties.flatMap((x) => x.statuses).find((s) => s.type === 'seizure');
    expect(seized).toMatchObject({ label: '查封', authority: expect.stringContaining('法院') });
  });

  it('answers an empty list for a person with no records and for an unknown but valid number', async () => {
    const none = personWith(t.data, hasNoRecords);
    const r = await postJson(`${t.url}/property/v1/properties/query`, { idNumber: none.idNumber });
    expect(r.status).toBe(200);
    expect(r.body.properties).toEqual([]);
    const unknown = await postJson(`${t.url}/tax/v1/records/query`, {
      idNumber: '11010519491231002X',
      fromYear: 2024,
      toYear: 2026,
    });
    expect(unknown.status).toBe(200);
    expect(unknown.body.holder).toBeNull();
    expect(unknown.body.records).toEqual([]);
  });

  it('rejects a number with a wrong check digit', async () => {
    const r = await postJson(`${t.url}/property/v1/properties/query`, { idNumber: '110105194912310021' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_ID_NUMBER');
  });

  it('filters tax records by year range', async () => {
    const p = personWith(t.data, (x) => x.profile === 'many');
    const r = await postJson(`${t.url}/tax/v1/records/query`, { idNumber: p.idNumber, fromYear: 2025, toYear: 2026 });
    const body = taxQueryResponseSchema.parse(r.body);
    const expected = p.tax.filter((x) => x.periodStart >= '2025' && x.periodStart < '2027');
    expect(body.records.map((x) => x.voucherNo).sort()).toEqual(expected.map((x) => x.voucherNo).sort());
    expect(body.records.length).toBeGreaterThan(0);
    const bad = await postJson(`${t.url}/tax/v1/records/query`, { idNumber: p.idNumber, fromYear: 2026, toYear: 2024 });
    expect(bad.body.error.code).toBe('INVALID_YEAR_RANGE');
  });

  it('returns the two kinds of social-insurance records separately', async () => {
    const p = personWith(
      t.data,
      (x) => x.social.some((s) => s.kind === 'resident') && x.social.some((s) => s.kind === 'flexible'),
    );
    for (const kind of ['resident', 'flexible'] as const) {
      const r = await postJson(`${t.url}/social/v1/payments/query`, { idNumber: p.idNumber, kind, fromYear: 2020, toYear: 2026 });
      const body = socialQueryResponseSchema.parse(r.body);
      expect(body.records.length).toBeGreaterThan(0);
      expect(body.records.every((x) => x.kind === kind)).toBe(true);
      expect(body.records.length).toBe(p.social.filter((x) => x.kind === kind && x.periodStart >= '2020').length);
    }
  });

  it('seeds the ID card simulator profiles, one of them with no records', async () => {
    for (const profile of profiles.filter((x) => x.card.cardType === 'resident')) {
      const id = profile.card.idNumber;
      const prop = await postJson(`${t.url}/property/v1/properties/query`, { idNumber: id });
      const tax = await postJson(`${t.url}/tax/v1/records/query`, { idNumber: id, fromYear: 2016, toYear: 2026 });
      const social = await postJson(`${t.url}/social/v1/payments/query`, {
        idNumber: id,
        kind: 'resident',
        fromYear: 2016,
        toYear: 2026,
      });
      expect(prop.body.holder, profile.name).not.toBeNull();
      if (profile.name === NO_RECORDS_PROFILE) {
        expect(prop.body.properties).toEqual([]);
        expect(tax.body.records).toEqual([]);
        expect(social.body.records).toEqual([]);
      } else {
        expect(prop.body.properties.length, profile.name).toBeGreaterThan(0);
        expect(tax.body.records.length, profile.name).toBeGreaterThan(0);
        expect(social.body.records.length, profile.name).toBeGreaterThan(0);
      }
    }
  });

  it('answers "no records" for a 2017 foreign permanent resident number', async () => {
    const foreign = profiles.find((x) => x.card.cardType === 'foreign-2017')!;
    const r = await postJson(`${t.url}/property/v1/properties/query`, { idNumber: foreign.card.idNumber });
    expect(r.status).toBe(200);
    expect(r.body.properties).toEqual([]);
  });

  it('registers a slip and /verify returns exactly what was printed, as JSON and as a page', async () => {
    const slip = {
      kind: 'tax',
      title: '个人所得税纳税记录',
      location: '咸宁市政务服务中心',
      holder: { nameMasked: '孙*试', idNumberMasked: '4212**********0610' },
      printedAt: '2026-06-30T08:00:00.000Z',
      records: [{ 税种: '个人所得税', 金额: '123.45', 验证码: 'ABCD1234EFGH' }],
      meta: { 年度: '2024–2026' },
      idempotencyKey: 'slip-key-0001',
    };
    const r = await postJson(`${t.url}/slips`, slip);
    expect(r.status).toBe(201);
    const reg = slipRegisterResponseSchema.parse(r.body);
    expect(reg.verifyUrl).toBe(`${t.url}/verify/${reg.serial}`);

    const again = await postJson(`${t.url}/slips`, slip);
    expect(again.status).toBe(200);
    expect(again.body.serial).toBe(reg.serial);
    const conflict = await postJson(`${t.url}/slips`, { ...slip, title: 'changed' });
    expect(conflict.status).toBe(409);

    const json = slipVerifyResponseSchema.parse(await (await fetch(reg.verifyUrl)).json());
    const { idempotencyKey: _key, ...printed } = slip;
    expect(json.slip).toEqual(printed);
    expect(json.kioskId).toBe(HEADERS['x-kiosk-id']);

    const page = await fetch(reg.verifyUrl, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('个人所得税纳税记录');
    expect(html).toContain('4212**********0610');
    expect(html).toContain('ABCD1234EFGH');

    const missing = await fetch(`${t.url}/verify/XN20260630-0000000000`);
    expect(missing.status).toBe(404);
  });

  it('refuses to register a slip carrying a full id number', async () => {
    const r = await postJson(`${t.url}/slips`, {
      kind: 'property',
      title: 't',
      printedAt: '2026-06-30T08:00:00.000Z',
      records: [{ note: `holder 421202198503120610` }],
      idempotencyKey: 'slip-key-0002',
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('UNMASKED_PERSONAL_DATA');
  });

  it('injects faults for the next N calls of one operation', async () => {
    const p = t.data.people[0]!;
    const add = await postJson(`${t.url}/admin/faults`, { operation: 'property.query', kind: 'error', status: 502, count: 2 });
    expect(add.status).toBe(201);
    const url = `${t.url}/property/v1/properties/query`;
    expect((await postJson(url, { idNumber: p.idNumber })).status).toBe(502);
    const list = (await (await fetch(`${t.url}/admin/faults`)).json()) as { faults: { remaining: number }[] };
    expect(list.faults[0]?.remaining).toBe(1);
    expect((await postJson(url, { idNumber: p.idNumber })).status).toBe(502);
    expect((await postJson(url, { idNumber: p.idNumber })).status).toBe(200);

    await postJson(`${t.url}/admin/faults`, { operation: 'tax.*', kind: 'malformed' });
    const res = await fetch(`${t.url}/tax/v1/records/query`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({ idNumber: p.idNumber, fromYear: 2025, toYear: 2026 }),
    });
    expect(res.status).toBe(200);
    await expect(res.json()).rejects.toThrow();
  });
});

describe('sandbox persistence and determinism', () => {
  it('serves the same people from two fresh sandboxes, and keeps them across a restart', async () => {
    const other = await startTestSandbox();
    try {
      const p = personWith(t.data, (x) => x.properties.length > 2);
      const a = await postJson(`${t.url}/property/v1/properties/query`, { idNumber: p.idNumber });
      const b = await postJson(`${other.url}/property/v1/properties/query`, { idNumber: p.idNumber });
      expect(b.body.properties).toEqual(a.body.properties);
      await other.sandbox.close();
      const again = await startTestSandbox({ dataDir: other.dir });
      try {
        const c = await postJson(`${again.url}/property/v1/properties/query`, { idNumber: p.idNumber });
        expect(c.body.properties).toEqual(a.body.properties);
      } finally {
        await again.close();
      }
    } finally {
      await other.close();
    }
  });
});
