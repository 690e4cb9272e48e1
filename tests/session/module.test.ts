/**
 * The session module inside a real agent: real ID card and printer drivers over socat ptys
 * against their simulators, the simulated camera, and a test client on the real WebSocket.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowFactory } from '../../apps/agent/src/session/flow.js';
import { tempDir } from '../helpers/config.js';
import { moneyStandInFlow } from './money-flow.js';
import { slipFlow, startRig, SessionClient, shortCountdowns, type Rig } from './rig.js';

const fullId = '421202198503120610';
const fullName = '孙测试';

/** A gas "flow" with a money step: `pay` asks for persistence, `paid` ends without a slip. */
const moneyFlow: FlowFactory = () =>
  moneyStandInFlow({
    payingData: { order: 'T0001', amount: '50.00' },
    done: { outcome: 'done', result: { kind: 'success', titleKey: 'result.placeholder.title' } },
  });

let rig: Rig;
let ui: SessionClient;

beforeAll(async () => {
  rig = await startRig({
    config: (c) => shortCountdowns(c, 60_000, 20_000),
    session: { flows: { tax: slipFlow } },
  });
  ui = await SessionClient.open(rig);
  await ui.until((v) => v.availability.notices.length === 0, 10_000, 'devices online');
});

afterEach(async () => {
  // Leave the kiosk idle for the next test.
  await rig.control('DELETE', '/idcard/card').catch(() => undefined);
  await rig.control('DELETE', '/idcard/fault').catch(() => undefined);
  const v = await ui.do('Session.GetState');
  if (v.screen !== 'attract' && v.screen !== 'outOfService') {
    await ui.command('Session.Cancel');
    await ui.command('Session.End');
  }
});

afterAll(async () => {
  // No message the UI ever received held a full name or ID number.
  const all = JSON.stringify(ui?.socket.messages ?? []);
  ui?.close();
  await rig?.stop();
  expect(all).not.toContain(fullId);
  expect(all).not.toContain(fullName);
});

async function toIdentity(service: 'tax' | 'social' | 'property'): Promise<void> {
  // Wait on the state, not the clock: on a loaded machine a device poll or an upstream breaker
  // may still be settling from the previous test, and the home screen greys the tile meanwhile.
  await vi.waitFor(
    async () => {
      const v = await ui.do('Session.GetState');
      expect(v.availability.services[service].available).toBe(true);
    },
    { timeout: 20_000, interval: 100 },
  );
  await ui.do('Session.Start');
  const v = await ui.do('Session.SelectService', { service });
  expect([v.screen, v.step]).toEqual(['identity', 'waitCard']);
}

describe('session module over real ptys', () => {
  it('runs a whole journey and prints the flow’s slip on the real printer', async () => {
    await rig.control('DELETE', '/printer/receipts');
    await toIdentity('tax');
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    let v = await ui.until((x) => x.step === 'confirmed', 8000, 'card read');
    expect(v.identity).toEqual({
      name: '孙*试',
      idNumber: '4212**********0610',
      cardType: 'resident',
      expired: false,
      validTo: '2036-05-20',
    });
    v = await ui.do('Session.Continue');
    expect(v.screen).toBe('service');
    expect(v.flow).toEqual({ step: 'ready', data: { holder: '孙*试' } });
    await ui.do('Session.Continue');
    v = await ui.until((x) => x.screen === 'result', 15_000, 'printed');
    expect(v.print).toEqual({ state: 'printed' });
    const receipts = (await rig.control('GET', '/printer/receipts')) as { text?: string }[];
    expect(receipts).toHaveLength(1);
    expect(JSON.stringify(receipts)).toContain('孙*试');
    expect(JSON.stringify(receipts)).not.toContain(fullName);
    v = await ui.do('Session.Continue');
    expect(v.screen).toBe('rating');
    v = await ui.do('Session.Rate', { rating: 'verySatisfied' });
    expect(v.screen).toBe('goodbye');
    v = await ui.do('Session.End');
    expect([v.screen, v.sessionId, v.identity]).toEqual(['attract', null, null]);
  });

  it('rejects what the current screen cannot do, and bad payloads, with a reason', async () => {
    const wrong = await ui.command('Session.SelectService', { service: 'tax' });
    expect(wrong.header.completionCode).toBe('sequenceError');
    expect(wrong.header.errorDescription).toMatch(/attract/);
    const bad = await ui.command('Session.Rate', { rating: 'wonderful' });
    expect(bad.header.completionCode).toBe('invalidData');
    const extra = await ui.command('Session.Start', { sneaky: 1 });
    expect(extra.header.completionCode).toBe('invalidData');
  });

  it('a card moved mid-read asks to place it again, then reads it', async () => {
    await toIdentity('social');
    const before = ui.latest()?.seq ?? 0;
    await rig.control('POST', '/idcard/fault', { kind: 'removed-mid-read', count: 1 });
    await rig.control('POST', '/idcard/card', { profile: 'chibi-resident' });
    // The "place it again" view may already have given way to the card wait when we look.
    await ui.saw((x) => x.step === 'replace', before, 15_000, 'replace');
    await rig.control('POST', '/idcard/card', { profile: 'chibi-resident' });
    const v = await ui.until((x) => x.step === 'confirmed', 15_000, 'read after re-placing');
    expect(v.identity?.name).toBe('李*例');
  });

  it('an expired card is stopped with a clear message', async () => {
    await toIdentity('tax');
    await rig.control('POST', '/idcard/card', { profile: 'jiayu-expired' });
    const v = await ui.until((x) => x.step === 'expired', 8000, 'expired');
    expect(v.identity).toMatchObject({ expired: true, validTo: '2025-07-01', idNumber: '4212**********0337' });
    expect((await ui.command('Session.Continue')).header.completionCode).toBe('sequenceError');
    expect((await ui.do('Session.Home')).screen).toBe('home');
  });

  it('the ID reader unplugged mid-flow: identity says so, tiles pause, and it recovers when plugged back', async () => {
    await toIdentity('property');
    await rig.control('POST', '/idcard/plug', { connected: false });
    let v = await ui.until((x) => x.step === 'readerDown', 8000, 'reader down');
    expect(v.availability.notices).toContain('idcardDown');
    expect(v.availability.services.tax).toEqual({ available: false, reasons: ['idcardDown'] });
    expect(v.availability.services.gas.available).toBe(true);
    await rig.control('POST', '/idcard/plug', { connected: true });
    v = await ui.until((x) => x.step === 'waitCard', 10_000, 'reader back');
    expect(v.availability.notices).toEqual([]);
  });

  it('printer out of paper: print services pause with the reason; a slip that fails says why and prints once after refill', async () => {
    await rig.control('DELETE', '/printer/receipts');
    await toIdentity('tax');
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await ui.until((x) => x.step === 'confirmed', 8000, 'card read');
    await ui.do('Session.Continue');
    await rig.control('POST', '/printer/state', { paper: 'out' });
    let v = await ui.until((x) => x.availability.notices.includes('paperOut'), 8000, 'paper out noticed');
    expect(v.availability.services.property).toEqual({ available: false, reasons: ['paperOut'] });
    await ui.do('Session.Continue');
    v = await ui.until((x) => x.screen === 'result', 8000, 'print failed');
    expect(v.print).toEqual({ state: 'failed', reason: 'paperOut' });
    expect(await rig.control('GET', '/printer/receipts')).toHaveLength(0);
    await rig.control('POST', '/printer/state', { paper: 'full' });
    await ui.until((x) => !x.availability.notices.includes('paperOut'), 8000, 'paper back');
    await ui.do('Session.Retry');
    await ui.until((x) => x.screen === 'result' && x.print?.state === 'printed', 15_000, 'printed after refill');
    expect(await rig.control('GET', '/printer/receipts')).toHaveLength(1);
  });

  it('a reconnecting UI (browser reload) gets the same screen and data', async () => {
    await toIdentity('social');
    await rig.control('POST', '/idcard/card', { profile: 'tongshan-long-term' });
    const before = await ui.until((x) => x.step === 'confirmed', 8000, 'card read');
    const reloaded = await SessionClient.open(rig);
    const after = await reloaded.do('Session.GetState');
    reloaded.close();
    expect({ ...after, seq: 0, countdown: null }).toEqual({ ...before, seq: 0, countdown: null });
    expect(after.identity?.idNumber).toBe('4212**********042X');
  });

  it('out of service from operations: the session ends, the page says so, and service resumes', async () => {
    await toIdentity('tax');
    rig.agent.context.mode.set('out-of-service', '系统维护中，请稍后再来');
    const v = await ui.until((x) => x.screen === 'outOfService', 8000, 'out of service');
    expect(v.availability.outOfService).toEqual({ reason: 'mode', message: '系统维护中，请稍后再来' });
    expect(v.sessionId).toBeNull();
    expect(v.contact.hotline).toBe('12345');
    expect((await ui.command('Session.Start')).header.completionCode).toBe('sequenceError');
    rig.agent.context.mode.set('in-service');
    await ui.until((x) => x.screen === 'attract', 8000, 'back in service');
  });
});

describe('session module: timeouts', () => {
  let short: Rig;
  let c: SessionClient;
  beforeAll(async () => {
    short = await startRig({ devices: ['idcard', 'printer'], config: (cfg) => shortCountdowns(cfg, 2500, 1500) });
    c = await SessionClient.open(short);
  });
  afterAll(async () => {
    c?.close();
    await short?.stop();
  });

  it('warns, extends on request, and at zero wipes the session', async () => {
    await c.do('Session.Start');
    await c.do('Session.SelectService', { service: 'tax' });
    await short.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await c.until((x) => x.step === 'confirmed', 8000, 'card read');
    let v = await c.until((x) => x.countdown?.warning === true, 5000, 'warning');
    expect(v.countdown?.remainingMs).toBeLessThanOrEqual(1500);
    v = await c.do('Session.Extend');
    expect(v.countdown?.warning).toBe(false);
    expect(v.step).toBe('confirmed');
    await c.until((x) => x.countdown?.warning === true, 5000, 'warning again');
    v = await c.do('Session.Extend');
    expect(v.step).toBe('confirmed');
    v = await c.until((x) => x.screen === 'attract', 8000, 'timed out');
    expect([v.sessionId, v.identity, v.countdown]).toEqual([null, null, null]);
    const end = short.agent.db
      .prepare(`SELECT detail FROM audit_log WHERE action = 'session.end' ORDER BY id DESC LIMIT 1`)
      .get() as { detail: string };
    expect(JSON.parse(end.detail)).toMatchObject({ reason: 'timeout' });
  });
});

describe('session module: snapshot kept only while money is in flight', () => {
  it('survives an agent restart mid-payment and is gone once the money step ends', async () => {
    const file = join(tempDir('kiosk-snap-'), 'session-snapshot.json');
    const opts = { devices: [] as [], session: { flows: { gas: moneyFlow }, snapshotFile: file } };
    const first = await startRig(opts);
    const a = await SessionClient.open(first);
    await a.do('Session.Start');
    await a.do('Session.SelectService', { service: 'gas' });
    expect(existsSync(file)).toBe(false);
    const paying = await a.do('Session.FlowEvent', { name: 'pay', data: {} });
    expect(paying.busy).toBe('payment');
    await a.until((x) => x.flow?.step === 'paying', 5000, 'paying');
    expect(existsSync(file)).toBe(true);
    a.close();
    await first.stop();

    const second = await startRig(opts);
    const b = await SessionClient.open(second);
    const resumed = await b.do('Session.GetState');
    expect(resumed.screen).toBe('service');
    expect(resumed.busy).toBe('payment');
    expect(resumed.flow).toEqual({ step: 'paying', data: { order: 'T0001', amount: '50.00' } });
    await b.do('Session.FlowEvent', { name: 'paid', data: {} });
    await b.until((x) => x.screen === 'result', 5000, 'result');
    expect(existsSync(file)).toBe(false);
    b.close();
    await second.stop();
  });

  it('a snapshot that does not fit the machine is dropped; the kiosk starts idle', async () => {
    const file = join(tempDir('kiosk-snap-'), 'session-snapshot.json');
    writeFileSync(file, JSON.stringify({ status: 'active', value: { nowhere: 'x' }, context: {}, children: {} }));
    const r = await startRig({ devices: [], session: { snapshotFile: file } });
    const c = await SessionClient.open(r);
    const v = await c.do('Session.GetState');
    expect(v.screen).toBe('attract');
    expect(existsSync(file)).toBe(false);
    c.close();
    await r.stop();
  });
});
