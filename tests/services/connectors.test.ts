import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import {
  CircuitBreaker,
  createServices,
  defaultTaxYears,
  UpstreamClient,
  UpstreamError,
  type BreakerChange,
  type Services,
} from '../../apps/agent/src/services/index.js';
import { healthSchema } from '@kiosk/contracts/upstream';
import { hasNoRecords, personWith, postJson, sandboxForFile } from '../sandbox/fixture.js';
import { rejectedWith } from '../helpers/rejection.js';

const t = sandboxForFile({ clearFaults: true });

/** A clock the breaker reads, moved by hand so no test waits for a cool-down. */
function fakeClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

function services(extra: Partial<Parameters<typeof createServices>[0]> = {}): Services {
  return createServices({
    baseUrl: t.url,
    timeoutMs: 2_000,
    kioskId: 'TEST-KIOSK-02',
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
}

async function inject(spec: Record<string, unknown>): Promise<void> {
  const r = await postJson(`${t.url}/admin/faults`, spec);
  expect(r.status).toBe(201);
}

async function remaining(): Promise<number[]> {
  const r = (await (await fetch(`${t.url}/admin/faults`)).json()) as { faults: { remaining: number }[] };
  return r.faults.map((f) => f.remaining);
}

const failure = (p: Promise<unknown>): Promise<UpstreamError> => rejectedWith(UpstreamError, p);

describe('connectors: happy paths against the sandbox', () => {
  const s = () => services();

  it('property: lists properties with statuses', async () => {
    const p = personWith(t.data, (x) => x.properties.some((pr) => pr.statuses.some((st) => st.type === 'mortgage')));
    const r = await s().property.queryProperties(p.idNumber);
    expect(r.properties).toEqual(p.properties);
    expect(r.registry).toBe('咸宁市不动产登记中心');
    const mortgage = r.properties.flatMap((x) => x.statuses).find((x) => x.type === 'mortgage');
    expect(mortgage?.type === 'mortgage' && mortgage.amountFen > 0 && mortgage.mortgagee.length > 0).toBe(true);
  });

  it('property/tax/social: a person with no records gets empty lists, not errors', async () => {
    const p = personWith(t.data, hasNoRecords);
    const sv = s();
    expect((await sv.property.queryProperties(p.idNumber)).properties).toEqual([]);
    expect((await sv.tax.queryRecords({ idNumber: p.idNumber, fromYear: 2020, toYear: 2026 })).records).toEqual([]);
    expect(
      (await sv.social.queryPayments({ idNumber: p.idNumber, kind: 'flexible', fromYear: 2020, toYear: 2026 })).records,
    ).toEqual([]);
  });

  it('tax: records in the default three-year range', async () => {
    const p = personWith(t.data, (x) => x.profile === 'many');
    const years = defaultTaxYears(new Date('2026-06-30T04:00:00Z'));
    expect(years).toEqual({ fromYear: 2024, toYear: 2026 });
    const r = await s().tax.queryRecords({ idNumber: p.idNumber, ...years });
    expect(r.records.length).toBe(p.tax.filter((x) => x.periodStart >= '2024').length);
    expect(r.records[0]).toMatchObject({
      taxType: expect.any(String),
      verificationCode: expect.stringMatching(/^[A-Z0-9]{12}$/),
    });
  });

  it('social: both kinds', async () => {
    const p = personWith(t.data, (x) => x.profile === 'many');
    const sv = s();
    const resident = await sv.social.queryPayments({ idNumber: p.idNumber, kind: 'resident', fromYear: 2020, toYear: 2026 });
    const flexible = await sv.social.queryPayments({ idNumber: p.idNumber, kind: 'flexible', fromYear: 2020, toYear: 2026 });
    expect(resident.records.length).toBeGreaterThan(0);
    expect(flexible.records.length).toBeGreaterThan(0);
    expect(resident.records.every((r) => r.baseFen === null && r.grade !== null)).toBe(true);
    expect(flexible.records.every((r) => r.baseFen !== null && r.amountFen > 0)).toBe(true);
  });

  it('slips: register then verify returns what was printed; unknown serial is null', async () => {
    const sv = s();
    const content = {
      kind: 'property' as const,
      title: '不动产登记信息查询结果',
      holder: { nameMasked: '孙*试', idNumberMasked: '4212**********0610' },
      printedAt: '2026-06-30T09:00:00.000Z',
      records: [{ 不动产权证号: '鄂(2019)咸宁市不动产权第0012345号', 状态: '抵押' }],
    };
    const reg = await sv.slips.register(content, { idempotencyKey: 'print-job-0001' });
    const again = await sv.slips.register(content, { idempotencyKey: 'print-job-0001' });
    expect(again.serial).toBe(reg.serial);
    const v = await sv.slips.verify(reg.serial);
    expect(v?.slip).toEqual(content);
    expect(v?.kioskId).toBe('TEST-KIOSK-02');
    expect(await sv.slips.verify('XN20260630-0000000000')).toBeNull();
  });

  it('sends the kiosk id and a request id, keeping a caller-supplied one', async () => {
    const seen: Array<Record<string, string | string[] | undefined>> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({ requestId: 'x', registry: 'r', holder: null, queriedAt: new Date().toISOString(), properties: [] }),
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sv = services({ baseUrl: url });
      await sv.property.queryProperties('11010519491231002X', { requestId: 'session-7-step-3' });
      await sv.property.queryProperties('11010519491231002X');
      expect(seen[0]?.['x-kiosk-id']).toBe('TEST-KIOSK-02');
      expect(seen[0]?.['x-request-id']).toBe('session-7-step-3');
      expect(seen[1]?.['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      server.close();
    }
  });

  it('rejects a malformed request before sending it', async () => {
    const sv = s();
    const err = await failure(sv.tax.queryRecords({ idNumber: '421202198503120610', fromYear: 2024.5, toYear: 2026 }));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(sv.breakers.tax.state).toBe('closed');
  });
});

describe('connectors: failures', () => {
  const id = () => t.data.people[0]!.idNumber;

  it('times out a hanging upstream with a typed, citizen-readable error', async () => {
    await inject({ operation: 'property.query', kind: 'timeout', count: 5 });
    const sv = services({ timeoutMs: 200, retry: { maxAttempts: 1 } });
    const err = await failure(sv.property.queryProperties(id()));
    expect(err.code).toBe('TIMEOUT');
    expect(err.retryable).toBe(true);
    expect(err.citizen.zh).toContain('不动产登记系统');
    expect(err.citizen.zh).toMatch(/超时/);
    expect(err.citizen.en).toMatch(/did not answer in time/);
    expect(JSON.stringify(err)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('retries a timed-out idempotent read and succeeds on the next attempt', async () => {
    await inject({ operation: 'property.query', kind: 'timeout', count: 1 });
    const sv = services({ timeoutMs: 1500 });
    const r = await sv.property.queryProperties(id());
    expect(r.holder).not.toBeNull();
    expect(await remaining()).toEqual([]);
  });

  it('maps 5xx to SERVER_ERROR and stops after maxAttempts', async () => {
    await inject({ operation: 'tax.query', kind: 'error', status: 503, count: 10 });
    const err = await failure(services().tax.queryRecords({ idNumber: id(), fromYear: 2024, toYear: 2026 }));
    expect(err.code).toBe('SERVER_ERROR');
    expect(err.status).toBe(503);
    expect(err.upstreamCode).toBe('INJECTED_FAULT');
    expect(err.citizen.en).toContain('temporarily unavailable');
    // Exactly 3 attempts reached the sandbox.
    expect(await remaining()).toEqual([7]);
  });

  it('recovers within the retry budget when the upstream comes back', async () => {
    await inject({ operation: 'social.query', kind: 'error', status: 500, count: 2 });
    const r = await services().social.queryPayments({ idNumber: id(), kind: 'resident', fromYear: 2020, toYear: 2026 });
    expect(r.kind).toBe('resident');
    expect(await remaining()).toEqual([]);
  });

  it('does not retry a call that is not marked safe to repeat', async () => {
    await inject({ operation: 'property.query', kind: 'error', status: 503, count: 5 });
    const breaker = new CircuitBreaker('property');
    const client = new UpstreamClient({
      upstream: 'property',
      baseUrl: t.url,
      timeoutMs: 2000,
      kioskId: 'K',
      logger: pino({ level: 'silent' }),
      breaker,
      retry: { maxAttempts: 3, baseDelayMs: 1 },
    });
    const err = await failure(
      client.request({
        operation: 'property.query',
        method: 'POST',
        path: '/property/v1/properties/query',
        body: { idNumber: id() },
        schema: healthSchema,
        retry: false,
      }),
    );
    expect(err.code).toBe('SERVER_ERROR');
    expect(await remaining()).toEqual([4]);
  });

  it('treats malformed JSON as BAD_RESPONSE (retried) and a wrong shape as BAD_RESPONSE (not retried)', async () => {
    await inject({ operation: 'property.query', kind: 'malformed', count: 10 });
    const err = await failure(services().property.queryProperties(id()));
    expect(err.code).toBe('BAD_RESPONSE');
    expect(err.message).toMatch(/not JSON/);
    expect(await remaining()).toEqual([7]);
    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });

    await inject({ operation: 'property.query', kind: 'invalid', count: 10 });
    const shape = await failure(services().property.queryProperties(id()));
    expect(shape.code).toBe('BAD_RESPONSE');
    expect(shape.message).toMatch(/contract/);
    expect(await remaining()).toEqual([9]);
  });

  it('reports UNREACHABLE when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const err = await failure(
      services({ baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 2, baseDelayMs: 1 } }).property.queryProperties(id()),
    );
    expect(err.code).toBe('UNREACHABLE');
  });

  it('maps business errors to their own message without tripping the breaker', async () => {
    const sv = services({ breaker: { failureThreshold: 1 } });
    const err = await failure(sv.property.queryProperties('110105194912310021'));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.upstreamCode).toBe('INVALID_ID_NUMBER');
    expect(err.citizen.zh).toBe('身份证号码无效，请重新读取身份证。');
    expect(sv.breakers.property.state).toBe('closed');
  });

  it('stops when the caller aborts', async () => {
    await inject({ operation: 'property.query', kind: 'timeout', count: 1 });
    const ac = new AbortController();
    const sv = services({ timeoutMs: 10_000 });
    const p = sv.property.queryProperties(id(), { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const err = await failure(p);
    expect(err.code).toBe('CANCELED');
    expect(sv.breakers.property.state).toBe('closed');
  });
});

describe('circuit breaker against the sandbox', () => {
  const id = () => t.data.people[0]!.idNumber;

  it('opens after N failures, fails fast while open, half-opens after the cool-down and closes on success', async () => {
    const clock = fakeClock();
    const sv = services({ retry: { maxAttempts: 1 }, breaker: { failureThreshold: 3, coolDownMs: 30_000, now: clock.now } });
    const changes: BreakerChange[] = [];
    sv.onAvailabilityChange((c) => changes.push(c));
    await inject({ operation: 'property.query', kind: 'error', status: 503, count: 100 });

    for (let i = 0; i < 3; i++) expect((await failure(sv.property.queryProperties(id()))).code).toBe('SERVER_ERROR');
    expect(sv.breakers.property.state).toBe('open');
    expect(changes.map((c) => `${c.upstream}:${c.from}->${c.to}`)).toEqual(['property:closed->open']);

    const row = sv.availability().find((a) => a.upstream === 'property')!;
    expect(row.available).toBe(false);
    expect(row.reason?.zh).toContain('暂时无法使用');
    expect(row.lastFailure).toBe('SERVER_ERROR');
    expect(sv.availability().find((a) => a.upstream === 'tax')?.available).toBe(true);

    // Open: no request reaches the sandbox.
    const fast = await failure(sv.property.queryProperties(id()));
    expect(fast.code).toBe('CIRCUIT_OPEN');
    expect(fast.citizen.en).toContain('temporarily unavailable');
    expect(await remaining()).toEqual([97]);

    clock.advance(30_000);
    expect(sv.breakers.property.state).toBe('half-open');
    // The trial fails: open again for another cool-down.
    expect((await failure(sv.property.queryProperties(id()))).code).toBe('SERVER_ERROR');
    expect(sv.breakers.property.state).toBe('open');

    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
    expect((await failure(sv.property.queryProperties(id()))).code).toBe('CIRCUIT_OPEN');
    clock.advance(30_000);
    const ok = await sv.property.queryProperties(id());
    expect(ok.holder).not.toBeNull();
    expect(sv.breakers.property.state).toBe('closed');
    expect(changes.map((c) => `${c.from}->${c.to}`)).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
      'half-open->closed',
    ]);
  });

  it('a success between failures resets the count', async () => {
    const sv = services({ retry: { maxAttempts: 1 }, breaker: { failureThreshold: 2 } });
    await inject({ operation: 'tax.query', kind: 'error', count: 1 });
    await failure(sv.tax.queryRecords({ idNumber: id(), fromYear: 2024, toYear: 2026 }));
    await sv.tax.queryRecords({ idNumber: id(), fromYear: 2024, toYear: 2026 });
    await inject({ operation: 'tax.query', kind: 'error', count: 1 });
    await failure(sv.tax.queryRecords({ idNumber: id(), fromYear: 2024, toYear: 2026 }));
    expect(sv.breakers.tax.state).toBe('closed');
  });

  it('lets only one trial call through while half-open', () => {
    const clock = fakeClock();
    const b = new CircuitBreaker('gas', { failureThreshold: 1, coolDownMs: 10, now: clock.now });
    expect(b.tryAcquire()).toBe(true);
    b.onFailure('TIMEOUT');
    expect(b.tryAcquire()).toBe(false);
    clock.advance(10);
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    b.onSuccess();
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });
});
