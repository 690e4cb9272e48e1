/**
 * The gas flow machine on its own (no session, no browser) against a real sandbox and the real
 * gas engine (fake card reader and printer from tests/gas/harness.ts). A tiny parent machine
 * stands in for the session and records FLOW.BUSY / FLOW.PERSIST.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { assign, createActor, sendTo, setup, waitFor, type AnyActorRef } from 'xstate';
import { createGasFlow } from '../../apps/agent/src/flows/gas.js';
import { gasApiOf, type GasApi } from '../../apps/agent/src/gas/api.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { FlowOutput } from '../../apps/agent/src/session/flow.js';
import type { FlowView } from '@kiosk/contracts/session-view';
import { sandboxForFile } from '../sandbox/fixture.js';
import { pay, startEngine, type EngineRig } from '../gas/harness.js';

const t = sandboxForFile();
let rig: EngineRig;
beforeAll(async () => {
  rig = await startEngine(t, { settings: { paymentCountdownSeconds: 3, paymentPollMs: 40 } });
});
afterAll(async () => {
  await rig?.close();
});

const api = (): GasApi => gasApiOf(rig.engine);

type Signal = { type: 'FLOW.BUSY'; reason: string | null } | { type: 'FLOW.PERSIST'; on: boolean };

function run() {
  const flow = createGasFlow()({ identity: () => null, gas: api, gasCard: () => rig.card });
  const parent = setup({
    types: {
      context: {} as { signals: Signal[]; output: FlowOutput | null },
      events: {} as Signal | { type: 'FWD'; event: object },
    },
    actors: { flow },
  }).createMachine({
    context: { signals: [], output: null },
    invoke: {
      id: 'flow',
      src: 'flow',
      input: { serviceId: 'gas', identity: null, lang: 'zh-CN' },
      onDone: { actions: assign({ output: ({ event }) => event.output as FlowOutput }) },
    },
    on: {
      'FLOW.BUSY': { actions: assign({ signals: ({ context, event }) => [...context.signals, event] }) },
      'FLOW.PERSIST': { actions: assign({ signals: ({ context, event }) => [...context.signals, event] }) },
      FWD: { actions: sendTo('flow', ({ event }) => (event as { event: { type: string } }).event as never) },
    },
  });
  const actor = createActor(parent).start();
  const child = () => actor.getSnapshot().children['flow'] as AnyActorRef | undefined;
  const view = (): FlowView => child()?.getSnapshot().context.view;
  return {
    actor,
    view,
    send: (event: object) => actor.send({ type: 'FWD', event }),
    async step(step: string, ms = 8000) {
      // The child's changes do not change the parent's snapshot: poll the child's view.
      await expect
        .poll(() => (actor.getSnapshot().context.output !== null ? 'finished' : view()?.step), { timeout: ms })
        .toBe(step);
      return view();
    },
    async output(ms = 15_000) {
      const s = await waitFor(actor, (s) => s.context.output !== null, { timeout: ms });
      return s.context.output!;
    },
    signals: () => actor.getSnapshot().context.signals,
  };
}

type FlowRun = ReturnType<typeof run>;

/** Types the IoT demo account's number and waits for its account step. */
async function lookUpIot(f: FlowRun): Promise<void> {
  f.send({ type: 'FLOW.EVENT', name: 'lookup', data: { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo } });
  await f.step('account');
}

/** From the account step: 50 yuan, confirm, pay; returns the order number the QR step shows. */
async function payFiftyYuan(f: FlowRun): Promise<string> {
  f.send({ type: 'FLOW.EVENT', name: 'amount', data: { amountFen: 5000 } });
  f.send({ type: 'CONTINUE' });
  f.send({ type: 'FLOW.EVENT', name: 'pay', data: { amountFen: 5000 } });
  return ((await f.step('paying')).data as { orderNo: string }).orderNo;
}

describe('gas flow machine', () => {
  it('IoT: lookup → amount → confirm → pay → credited → receipt; busy and persist around the money steps', async () => {
    const f = run();
    await f.step('start');
    f.send({ type: 'FLOW.EVENT', name: 'lookup', data: { accountNo: 'abc' } });
    expect(f.view().step).toBe('start');
    f.send({ type: 'FLOW.EVENT', name: 'lookup', data: { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo } });
    const acc = await f.step('account');
    expect(JSON.stringify(acc)).not.toContain(DEMO_GAS_ACCOUNTS.iot.accountNo);
    f.send({ type: 'FLOW.EVENT', name: 'amount', data: { amountFen: 150 } });
    expect((f.view().data as { amountError: string }).amountError).toBe('range');
    f.send({ type: 'CONTINUE' });
    expect(f.view().step).toBe('account');
    f.send({ type: 'FLOW.EVENT', name: 'amount', data: { amountFen: 10_050 } });
    expect((f.view().data as { amountError: string }).amountError).toBe('step');
    f.send({ type: 'FLOW.EVENT', name: 'amount', data: { amountFen: 10_000 } });
    f.send({ type: 'CONTINUE' });
    await f.step('confirm');
    // Continue alone does not pay: the pay tap carries the amount the citizen saw.
    f.send({ type: 'CONTINUE' });
    expect(f.view().step).toBe('confirm');
    f.send({ type: 'FLOW.EVENT', name: 'pay', data: { amountFen: 10_000 } });
    const paying = await f.step('paying');
    const no = (paying.data as { orderNo: string }).orderNo;
    expect((paying.data as { qrSvg: string }).qrSvg).toMatch(/^<svg/);
    expect(f.signals()).toEqual([
      { type: 'FLOW.BUSY', reason: 'payment' },
      { type: 'FLOW.PERSIST', on: true },
    ]);
    await pay(t, no);
    const out = await f.output();
    expect(out).toMatchObject({
      outcome: 'done',
      result: {
        kind: 'success',
        titleKey: 'gas.result.iot.title',
        messageKey: 'gas.result.iot.printed',
        params: { amount: '¥100.00', orderNo: no },
      },
    });
    expect(rig.journal.require(no).state).toBe('done');
    expect(rig.printer.printed.length).toBeGreaterThan(0);
    const s = f.signals();
    expect(s).toContainEqual({ type: 'FLOW.BUSY', reason: 'printing' });
    expect(s.at(-2)).toEqual({ type: 'FLOW.BUSY', reason: null });
    expect(s.at(-1)).toEqual({ type: 'FLOW.PERSIST', on: false });
  });

  it('payment timeout: payment_expired, nothing charged, busy cleared', async () => {
    const f = run();
    await lookUpIot(f);
    const no = await payFiftyYuan(f);
    const out = await f.output();
    expect(out.result).toMatchObject({ kind: 'failure', titleKey: 'gas.result.expired.title' });
    expect(rig.journal.require(no).state).toBe('payment_expired');
    expect(f.signals().at(-2)).toEqual({ type: 'FLOW.BUSY', reason: null });
  });

  it('cancel on the QR: back to the amounts with "nothing charged"; stopping the flow closes an unpaid order', async () => {
    const f = run();
    await lookUpIot(f);
    const first = await payFiftyYuan(f);
    f.send({ type: 'FLOW.EVENT', name: 'cancel', data: {} });
    const back = await f.step('account');
    expect((back.data as { notice: { zh: string } }).notice.zh).toContain('未扣款');
    expect(rig.journal.require(first).state).toBe('payment_closed');
    // Again, then the session ends (flow stopped) while the QR is shown.
    const second = await payFiftyYuan(f);
    f.actor.stop();
    await expect.poll(() => rig.journal.require(second).state, { timeout: 5000 }).toBe('payment_closed');
  });

  it('pay with an amount other than the confirmed one makes no order: back to the amounts with a notice', async () => {
    const f = run();
    await lookUpIot(f);
    f.send({ type: 'FLOW.EVENT', name: 'amount', data: { amountFen: 2000 } });
    f.send({ type: 'CONTINUE' });
    await f.step('confirm');
    const orders = rig.journal.counts();
    f.send({ type: 'FLOW.EVENT', name: 'pay', data: { amountFen: 52_000 } });
    const back = await f.step('account');
    expect(back.data).toMatchObject({ amountFen: null, notice: { zh: expect.stringContaining('与确认的不一致') } });
    f.send({ type: 'FLOW.EVENT', name: 'pay', data: { amountFen: 2000 } });
    expect(f.view().step).toBe('account');
    expect(rig.journal.counts()).toEqual(orders);
    expect(f.signals()).toEqual([]);
    f.actor.stop();
  });

  it('a gas card already in the reader is never read: removeCard until it is out; only a card placed on the keypad step is read', async () => {
    const read = vi.spyOn(rig.card, 'readCard');
    const waited = vi.spyOn(rig.card, 'waitForCard');
    const reads = (): number => read.mock.calls.length + waited.mock.calls.length;
    rig.card.insert('icCard');
    const f = run();
    await f.step('removeCard');
    expect(JSON.stringify(f.view())).not.toContain('9100');
    expect(reads()).toBe(0);
    rig.card.remove();
    await f.step('start');
    rig.card.insert('icCard');
    const acc = await f.step('account');
    expect((acc.data as { account: { card: unknown } }).account.card).not.toBeNull();
    // 上一步 with the citizen's card still in: the keypad stays, nothing is read again.
    const after = reads();
    f.send({ type: 'BACK' });
    await f.step('start');
    await new Promise((r) => setImmediate(r));
    expect(f.view().step).toBe('start');
    expect(reads()).toBe(after);
    rig.card.remove();
    f.actor.stop();
    read.mockRestore();
    waited.mockRestore();
  });

  it("an unknown account stays on the keypad with the gas company's words; no gas module → error without retry", async () => {
    const f = run();
    f.send({ type: 'FLOW.EVENT', name: 'lookup', data: { accountNo: '8899999999' } });
    await expect
      .poll(() => f.view()?.step === 'start' && (f.view().data as { notice: unknown }).notice !== null, { timeout: 5000 })
      .toBe(true);
    const none = createGasFlow()({ identity: () => null });
    const a = createActor(none, { input: { serviceId: 'gas', identity: null, lang: 'zh-CN' } }).start();
    a.send({ type: 'FLOW.EVENT', name: 'card', data: {} });
    await waitFor(a, (s) => s.context.view.step === 'error', { timeout: 3000 });
    expect(a.getSnapshot().context.view.data).toMatchObject({
      retry: false,
      message: { zh: expect.stringContaining('燃气充值暂时无法使用') },
    });
    a.stop();
  });
});
