/**
 * The staff module in a whole kiosk (real ID card and printer drivers over ptys, simulators,
 * session module): PIN login, lockout + alert + audit (never the PIN), staff ID card entry,
 * vendor-mode entry that waits for the session's busy step, assisted actions and exit wipe.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Rig } from '../session/rig.js';
import { SessionClient } from '../session/rig.js';
import type { StaffAlert } from '../../apps/agent/src/staff/module.js';
import type { StaffView } from '@kiosk/contracts/staff-view';
import { auditRows, demoPin, staffCardId, staffCardProfile, startStaffRig } from './helpers.js';

let rig: Rig | undefined;
let client: SessionClient | undefined;
afterEach(async () => {
  client?.close();
  await rig?.stop();
  rig = undefined;
  client = undefined;
});

async function open(opts: Parameters<typeof startStaffRig>[0] = {}): Promise<{ rig: Rig; c: SessionClient }> {
  rig = await startStaffRig(opts);
  client = await SessionClient.open(rig);
  return { rig, c: client };
}

/** A citizen's gas payment holds the session busy; staff then opens the prompt and logs in with the PIN. */
async function staffLoggedInDuringPayment(): Promise<{ rig: Rig; c: SessionClient }> {
  const { rig, c } = await open();
  await c.do('Session.Start');
  await c.do('Session.SelectService', { service: 'gas' });
  await c.until((v) => v.busy === 'payment', 5000, 'payment busy');
  await c.do('Staff.OpenPrompt');
  await c.do('Staff.Login', { pin: demoPin });
  return { rig, c };
}

const staffView = (m: { payload: Record<string, unknown> }): StaffView => m.payload as unknown as StaffView;

describe('staff authentication', () => {
  it('refuses a PIN before the prompt is open; the demo PIN logs in staff XN-G01', async () => {
    const { rig, c } = await open();
    expect((await c.command('Staff.Login', { pin: demoPin })).header.completionCode).toBe('sequenceError');
    await c.do('Staff.OpenPrompt');
    const m = await c.command('Staff.Login', { pin: demoPin });
    expect(m.header.completionCode).toBe('success');
    expect(staffView(m).staff).toEqual({ staffNo: 'XN-G01', method: 'pin' });
    const login = auditRows(rig).filter((r) => r.action === 'staff.login');
    expect(login.at(-1)?.detail).toMatchObject({ method: 'pin', outcome: 'success', staffNo: 'XN-G01' });
    expect(login.at(-1)?.at).toMatch(/^\d{4}-\d\d-\d\dT/);
  }, 30_000);

  it('locks after 5 wrong PINs, raises an alert, refuses even the right PIN, audits every attempt without the PIN', async () => {
    const alerts: StaffAlert[] = [];
    const { rig, c } = await open({ staff: { onAlert: (a) => alerts.push(a) } });
    await c.do('Staff.OpenPrompt');
    const wrong = ['111111', '222222', '333333', '444444', '555555'];
    const lefts: number[] = [];
    for (const pin of wrong) {
      const m = await c.command('Staff.Login', { pin });
      expect(m.header.completionCode).toBe('authorisationRequired');
      lefts.push(staffView(m).attemptsLeft);
    }
    expect(lefts.slice(0, 4)).toEqual([4, 3, 2, 1]);
    const last = staffView(await c.command('Staff.GetState'));
    expect(last.lock).not.toBeNull();
    const until = Date.parse(last.lock!.until);
    expect(until - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(alerts).toEqual([expect.objectContaining({ type: 'staff.lockout', attempts: 5 })]);
    expect(c.socket.messages.some((m) => m.header.name === 'Staff.AlertEvent')).toBe(true);

    const right = await c.command('Staff.Login', { pin: demoPin });
    expect(right.header.completionCode).toBe('authorisationRequired');
    expect(staffView(right).staff).toBeNull();

    const rows = auditRows(rig);
    const attempts = rows.filter((r) => r.action === 'staff.login');
    expect(attempts.map((r) => r.detail['outcome'])).toEqual([
      'wrongPin',
      'wrongPin',
      'wrongPin',
      'wrongPin',
      'wrongPin',
      'locked',
    ]);
    expect(rows.some((r) => r.action === 'staff.lockout')).toBe(true);
    for (const r of rows) for (const pin of [...wrong, demoPin]) expect(r.raw).not.toContain(pin);
  }, 30_000);

  it('a lockout survives an agent restart (it is in the audit log)', async () => {
    const { rig: first, c } = await open({ config: (cfg) => (cfg.staff.lockoutAttempts = 1) });
    await c.do('Staff.OpenPrompt');
    await c.command('Staff.Login', { pin: '000000' });
    const dataDir = first.config.dataDir;
    c.close();
    client = undefined;
    await first.stop();
    rig = undefined;
    const { c: c2 } = await open({ config: (cfg) => ((cfg.staff.lockoutAttempts = 1), (cfg.dataDir = dataDir)) });
    expect(staffView(await c2.command('Staff.GetState')).lock).not.toBeNull();
  }, 30_000);

  it('a staff ID card on the idle kiosk logs in; the session it started is ended and wiped', async () => {
    const { rig, c } = await open();
    await c.do('Staff.OpenPrompt');
    expect(staffView(await c.command('Staff.GetState')).prompt.cardAccepted).toBe(true);
    await rig.control('POST', '/idcard/card', { profile: staffCardProfile });
    await c.socket.next(
      (m) => m.header.name === 'Staff.StateChangedEvent' && (m.payload as unknown as StaffView).staff !== null,
      10_000,
    );
    expect(staffView(await c.command('Staff.GetState')).staff).toEqual({ staffNo: 'XN-G02', method: 'card' });
    await c.until((v) => v.screen === 'attract' && v.sessionId === null, 8000, 'attract after the staff card');
    const rows = auditRows(rig);
    expect(rows.find((r) => r.action === 'staff.login')?.detail).toMatchObject({ method: 'card', outcome: 'success' });
    for (const r of auditRows(rig, '')) expect(r.raw).not.toContain(staffCardId);
  }, 30_000);

  it('an unknown card does not log in and is audited masked', async () => {
    const { rig, c } = await open();
    await c.do('Staff.OpenPrompt');
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await expect.poll(() => auditRows(rig).some((r) => r.detail['outcome'] === 'unknownCard'), { timeout: 8000 }).toBe(true);
    expect(staffView(await c.command('Staff.GetState')).staff).toBeNull();
    const row = auditRows(rig).find((r) => r.detail['outcome'] === 'unknownCard')!;
    expect(row.detail['card']).toBe('4212**********0610');
  }, 30_000);
});

describe('vendor mode entry', () => {
  it('maintenance requested during a payment waits (enterPending) until the payment step ends', async () => {
    const { rig, c } = await staffLoggedInDuringPayment();

    const entering = c.command('Staff.EnterMode', { mode: 'maintenance' });
    const pending = await c.socket.next((m) => m.header.name === 'Staff.VendorModeEnterPendingEvent');
    expect(pending.payload).toMatchObject({ mode: 'maintenance', waitingFor: 'payment' });
    const during = staffView(await c.command('Staff.GetState'));
    expect(during.vendorMode).toBe('enterPending');
    expect(rig.agent.mode()).toBe('in-service');
    expect(c.latest()?.busy).toBe('payment');

    await c.do('Session.FlowEvent', { name: 'paid', data: {} });
    const done = await entering;
    expect(done.header.completionCode).toBe('success');
    expect(staffView(done).vendorMode).toBe('active');
    expect(rig.agent.mode()).toBe('maintenance');
    // The panel took the screen: the citizen's session ended and was wiped.
    await c.until((v) => v.sessionId === null, 5000, 'session wiped');
    const actions = auditRows(rig).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['staff.mode.request', 'staff.mode.enter']));
  }, 30_000);

  it('a waiting entry can be cancelled and nothing changes', async () => {
    const { rig, c } = await staffLoggedInDuringPayment();
    const entering = c.command('Staff.EnterMode', { mode: 'assisted' });
    await c.socket.next((m) => m.header.name === 'Staff.VendorModeEnterPendingEvent');
    await c.do('Staff.CancelEnter');
    expect((await entering).header.completionCode).toBe('canceled');
    expect(rig.agent.mode()).toBe('in-service');
    expect(staffView(await c.command('Staff.GetState')).vendorMode).toBe('inactive');
  }, 30_000);

  it('maintenance commands need the maintenance mode', async () => {
    const { c } = await open();
    expect((await c.command('Staff.PrinterTestPage')).header.completionCode).toBe('authorisationRequired');
    await c.do('Staff.OpenPrompt');
    await c.do('Staff.Login', { pin: demoPin });
    expect((await c.command('Staff.PrinterTestPage')).header.completionCode).toBe('sequenceError');
  }, 30_000);
});

describe('assisted mode', () => {
  it('stretches countdowns, audits the guide actions with staff number and session serial, restarts a service keeping the identity, and wipes on exit', async () => {
    const { rig, c } = await open();
    await c.do('Session.Start');
    await c.do('Session.SelectService', { service: 'tax' });
    await rig.control('POST', '/idcard/card', { profile: 'xianan-resident' });
    await c.until((v) => v.screen === 'identity' && v.step === 'confirmed', 8000, 'identity confirmed');
    await c.do('Staff.OpenPrompt');
    expect(staffView(await c.command('Staff.GetState')).prompt.cardAccepted).toBe(false);
    await c.do('Staff.Login', { pin: demoPin });
    const before = c.latest()!;
    await c.do('Staff.EnterMode', { mode: 'assisted' });
    const assisted = await c.until((v) => v.assisted, 5000, 'assisted view');
    expect(assisted.countdown!.totalMs).toBe(before.countdown!.totalMs * 3);
    const sessionId = assisted.sessionId;

    await c.do('Session.Continue');
    await c.until((v) => v.screen === 'service', 5000, 'service');
    const seq = c.latest()!.seq;
    await c.do('Staff.Assist', { action: 'restartService' });
    const restarted = await c.until((v) => v.seq > seq && v.screen === 'service', 5000, 'restarted service');
    expect(restarted.identity?.idNumber).toBe('4212**********0610');
    await c.do('Staff.Assist', { action: 'back' });

    const rows = auditRows(rig, 'staff.assist');
    expect(rows.map((r) => r.action)).toEqual(['staff.assist.restartService', 'staff.assist.back']);
    for (const r of rows) expect(r.detail).toMatchObject({ staffNo: 'XN-G01', sessionId });
    expect(rows[0]!.actor).toBe('staff:XN-G01');

    await c.do('Staff.Exit');
    expect(rig.agent.mode()).toBe('in-service');
    await c.until((v) => v.sessionId === null && v.screen === 'attract' && v.identity === null, 5000, 'wiped');
    const exit = auditRows(rig).find((r) => r.action === 'staff.mode.exit');
    expect(exit?.detail).toMatchObject({ staffNo: 'XN-G01', mode: 'assisted', sessionId });
  }, 40_000);
});
