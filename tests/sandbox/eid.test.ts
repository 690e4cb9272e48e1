/** The sandbox's e-ID platform and the agent's connector: codes are single use, live 60 s, forged ones are told apart. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEidConnector, type EidConnector } from '../../apps/agent/src/services/eid.js';
import { UpstreamError } from '../../apps/agent/src/services/errors.js';
import { HEADERS, postJson, startTestSandbox, type TestSandbox } from './fixture.js';

let clock = Date.parse('2026-06-30T02:00:00Z');
let s: TestSandbox;
let eid: EidConnector;
let sandboxLog = '';

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      sandboxLog += chunk.toString();
      done();
    },
  });
  s = await startTestSandbox({ now: () => new Date(clock), logger: pino({ level: 'info' }, sink) });
  eid = createEidConnector({ baseUrl: s.url, timeoutMs: 3000, kioskId: 'TEST-KIOSK-01', logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await s?.close();
});

const issue = async (profile: string): Promise<{ code: string; expiresAt: string }> => {
  const r = await postJson(`${s.url}/eid/codes`, { profile }, { 'content-type': 'application/json' });
  expect(r.status).toBe(201);
  return r.body as { code: string; expiresAt: string };
};

async function refusal(code: string): Promise<UpstreamError> {
  const err = await eid.redeem(code).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('e-ID platform (sandbox) through the connector', () => {
  it('a code for a simulated ID card person: valid 60 s, redeemed once to the same person as the card', async () => {
    const { code, expiresAt } = await issue('xianan-resident');
    expect(code).toMatch(/^EHBEID:1:[0-9A-Z]{20}:[0-9A-F]{16}$/);
    expect(Date.parse(expiresAt) - clock).toBe(60_000);
    const r = await eid.redeem(code);
    expect(r.identity).toEqual({
      name: '孙测试',
      idNumber: '421202198503120610',
      sex: 'male',
      birthDate: '1985-03-12',
      nationCode: '01',
      address: '湖北省咸宁市咸安区温泉街道测试路18号',
      issuer: '咸宁市公安局咸安分局',
      validFrom: '2016-05-20',
      validTo: '2036-05-20',
    });
    // The sandbox's registries know this person: the same people as the simulated cards.
    expect(s.data.people.some((p) => p.idNumber === r.identity.idNumber && p.name === r.identity.name)).toBe(true);

    const used = await refusal(code);
    expect(used.upstreamCode).toBe('EID_CODE_USED');
    expect(used.code).toBe('REJECTED');
    expect(used.citizen.zh).toBe('该电子证照码已使用过，请在鄂汇办中刷新后重新出示。');
  });

  it('expired after 60 s (not a second earlier), forged when the signature or shape is wrong: three distinct refusals', async () => {
    const { code } = await issue('chibi-resident');
    clock += 59_999;
    const { code: code2 } = await issue('chibi-resident');
    clock += 1;
    const expired = await refusal(code);
    expect([expired.status, expired.upstreamCode]).toEqual([410, 'EID_CODE_EXPIRED']);
    // The other one is still fresh.
    expect((await eid.redeem(code2)).identity.idNumber).toBe('421281199211080522');

    const { code: code3 } = await issue('xianan-resident');
    const last = code3.slice(-1) === '0' ? '1' : '0';
    const forgedSig = await refusal(code3.slice(0, -1) + last);
    expect([forgedSig.status, forgedSig.upstreamCode]).toEqual([422, 'EID_CODE_FORGED']);
    const forgedShape = await refusal('https://example.com/not-a-code');
    expect(forgedShape.upstreamCode).toBe('EID_CODE_FORGED');
    expect(new Set([expired.citizen.zh, forgedSig.citizen.zh, '该电子证照码已使用过，请在鄂汇办中刷新后重新出示。']).size).toBe(
      3,
    );
    // A forged try did not use up the real code.
    expect((await eid.redeem(code3)).identity.name).toBe('孙测试');
  });

  it('unknown profiles and cards without an electronic ID are refused; the redeem needs kiosk headers', async () => {
    const missing = await postJson(`${s.url}/eid/codes`, { profile: 'nobody' }, { 'content-type': 'application/json' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'PROFILE_NOT_FOUND']);
    const foreign = await postJson(`${s.url}/eid/codes`, { profile: 'foreign-2017' }, { 'content-type': 'application/json' });
    expect([foreign.status, foreign.body.error.code]).toEqual([422, 'PROFILE_NOT_ELIGIBLE']);
    const { code } = await issue('xianan-resident');
    const bare = await postJson(`${s.url}/eid/v1/codes/redeem`, { code }, { 'content-type': 'application/json' });
    expect([bare.status, bare.body.error.code]).toEqual([400, 'MISSING_HEADERS']);
    // Refused for headers: the code is still usable.
    const ok = await postJson(`${s.url}/eid/v1/codes/redeem`, { code }, HEADERS);
    expect(ok.status).toBe(200);
  });

  it("the platform's log has one masked line per call, never a code, a name or an ID number", async () => {
    const { code } = await issue('xianan-resident');
    await eid.redeem(code);
    await refusal(code);
    const lines = sandboxLog.split('\n').filter((l) => l.includes('"op":"eid.'));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(sandboxLog).toContain(`EHBEID:1:${'*'.repeat(33)}${code.slice(-4)}`);
    expect(sandboxLog).toContain('"result":"used"');
    expect(sandboxLog).not.toContain(code.slice(9, 29));
    expect(sandboxLog).not.toContain('421202198503120610');
    expect(sandboxLog).not.toContain('孙测试');
  });

  it('a failing platform is a SERVER_ERROR and a redeem is never retried', async () => {
    const { code } = await issue('xianan-resident');
    await postJson(`${s.url}/admin/faults`, { operation: 'eid.redeem', kind: 'error', status: 503, count: 1 });
    const err = await refusal(code);
    expect(err.code).toBe('SERVER_ERROR');
    // One attempt only: the fault took it, and the code was never reached, so it still works.
    expect((await eid.redeem(code)).identity.name).toBe('孙测试');
  });
});
