/**
 * The gas module in a real agent, driven over the WebSocket like the UI does: the production
 * gas card and printer drivers over socat ptys against their simulators, the sandbox upstream.
 * Covers the "card pulled mid-write → credit_pending, then 补写卡 completes exactly once".
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { createGasCardDriver } from '../../apps/agent/src/devices/gascard/driver.js';
import { createPrinterDriver } from '../../apps/agent/src/devices/printer/index.js';
import { createGasModule, getGasApi } from '../../apps/agent/src/gas/module.js';
import { silentLogger } from '@kiosk/platform';
import { settlePayment } from '../../apps/simulators/src/payments-control.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import { createGasCardSimulator, type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { tempDir, testConfig } from '../helpers/config.js';
import { simulatedGasCard } from '../helpers/simulated-devices.js';
import { TestSocket, type Msg } from '../helpers/ws.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';

let t: TestSandbox;
let agent: Agent;
let gascard: GasCardSimulator;
let printer: PrinterSimulator;
let ws: TestSocket;

beforeAll(async () => {
  t = await startTestSandbox();
  const dir = tempDir('kiosk-gas-agent-');
  gascard = createGasCardSimulator({
    agentPath: join(dir, 'gascard'),
    devicePath: join(dir, 'gascard-dev'),
    latency: { status: 1, read: 5, write: 20 },
  });
  printer = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer-dev') });
  await gascard.start();
  await printer.start();
  const config = testConfig((c) => {
    c.upstream.baseUrl = t.url;
    c.devices.gascard = simulatedGasCard(dir);
    c.devices.printer.transport = { kind: 'serial', path: join(dir, 'printer'), baudRate: 115200 };
    c.devices.printer.statusPollMs = 500;
    c.gas.paymentPollMs = 50;
  });
  agent = await startAgent(config, {
    logger: silentLogger(),
    devices: (db) => [createGasCardDriver(config.devices.gascard!), createPrinterDriver(config.devices.printer, db)],
    modules: [createGasModule],
  });
  ws = await TestSocket.open(agent.url, agent.token);
  const status = async () => (await ws.command('Common.Status')).payload.devices as Record<string, { device: string }>;
  for (
    let i = 0;
    i < 100 && ((await status()).gascard?.device !== 'online' || (await status()).printer?.device !== 'online');
    i++
  ) {
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  ws?.close();
  await agent?.stop();
  await gascard?.stop();
  await printer?.stop();
  await t?.close();
});

/** Runs a long command while `during` acts (e.g. pays), returns its completion and events. */
async function long(name: string, payload: unknown, during: () => Promise<void>): Promise<{ done: Msg; events: Msg[] }> {
  const requestId = Math.floor(Math.random() * 1e9) + 1;
  ws.send({ header: { name, requestId, type: 'command' }, payload });
  await during();
  const done = await ws.next((m) => m.header.requestId === requestId && m.header.type === 'completion', 20_000);
  return { done, events: ws.messages.filter((m) => m.header.requestId === requestId && m.header.type === 'event') };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the agent, checked field by field
const order = (m: Msg) => m.payload.order as Record<string, any>;

describe('gas module over the WebSocket', () => {
  it('reports settings, and the recovery that ran before the agent was ready', async () => {
    const s = await ws.command('Gas.Settings');
    expect(s.header.completionCode).toBe('success');
    expect(s.payload).toMatchObject({ presetsFen: [5000, 10000, 20000, 50000], paymentCountdownSeconds: 120, ready: true });
    expect(getGasApi(agent.context)?.ready()).toBe(true);
    const health = (await (await fetch(`${agent.url}/healthz`)).json()) as { gas: Record<string, unknown> };
    expect(health.gas).toMatchObject({ ready: true, creditPending: 0, needsAttention: 0 });
  });

  it('IoT: look up, order, pay, credited, receipt printed', async () => {
    const lookup = await ws.command('Gas.LookupAccount', { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo });
    expect(lookup.payload.account).toMatchObject({ meterType: 'iot', accountNoMasked: '88001***01', canTopUp: true });
    const created = await ws.command('Gas.CreateOrder', { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo, amountFen: 10_000 });
    expect(created.header.completionCode).toBe('success');
    const no = order(created).orderNo as string;
    expect(created.payload.qrSvg).toMatch(/^<svg/);
    expect(getGasApi(agent.context)?.isMoneyStepInFlight()).toBe(true);

    const { done, events } = await long('Gas.AwaitOrder', { orderNo: no }, async () => {
      await ws.next((m) => m.header.name === 'Gas.PaymentTickEvent');
      await settlePayment(t.url, no, 'pay');
    });
    expect(done.header.completionCode).toBe('success');
    expect(order(done)).toMatchObject({ state: 'credited', stage: 'credited' });
    expect(events.map((e) => e.header.name)).toContain('Gas.OrderEvent');
    expect(ws.messages.some((m) => m.header.type === 'unsolicited' && m.header.name === 'Gas.OrderChangedEvent')).toBe(true);

    const slip = await ws.command('Gas.PrintSlip', { orderNo: no });
    expect(slip.payload, JSON.stringify(slip.payload.reason)).toMatchObject({ printed: true, kind: 'receipt' });
    expect(order(slip).state).toBe('done');
    expect(printer.receipts().at(-1)?.text).toContain('天然气充值凭条');
    expect(getGasApi(agent.context)?.isMoneyStepInFlight()).toBe(false);
  });

  it('IC card pulled mid-write → credit_pending with a slip; 补写卡 with the scanned slip writes exactly once', async () => {
    const inserted = ws.messages.length;
    gascard.insertCard({ profile: 'icCard' });
    await ws.next((m) => m.header.name === 'GasCard.CardInsertedEvent' && ws.messages.indexOf(m) >= inserted);
    const read = await ws.command('Gas.ReadCard', {});
    expect(read.header.completionCode).toBe('success');
    expect(read.payload).toMatchObject({
      card: { purchaseCount: 7, pendingOrders: [] },
      account: { meterType: 'ic-card', canTopUp: true },
    });

    gascard.injectFault({ kind: 'removed-mid-write' });
    const created = await ws.command('Gas.CreateOrder', { amountFen: 5000 });
    const no = order(created).orderNo as string;
    const { done } = await long('Gas.AwaitOrder', { orderNo: no }, () => settlePayment(t.url, no, 'pay').then(() => undefined));
    expect(order(done)).toMatchObject({ state: 'credit_pending', stage: 'creditPending' });
    expect(gascard.writesFor(no)).toBe(0);

    const slip = await ws.command('Gas.PrintSlip', { orderNo: no });
    expect(slip.payload).toMatchObject({ printed: true, kind: 'pending' });
    const printed = printer.receipts().at(-1)!;
    expect(printed.text).toContain('待写卡');
    expect(printed.qr[0]?.data).toBe(`KIOSK-GAS-PENDING:${no}`);

    const pending = await ws.command('Gas.PendingOrders');
    expect(pending.payload.counts).toMatchObject({ creditPending: 1 });
    expect((pending.payload.orders as { orderNo: string }[]).map((o) => o.orderNo)).toContain(no);
    const health = (await (await fetch(`${agent.url}/healthz`)).json()) as { gas: Record<string, unknown> };
    expect(health.gas).toMatchObject({ creditPending: 1 });

    // Later, at the kiosk: the citizen scans the slip and puts the card back.
    const { done: finished } = await long('Gas.FinishPending', { orderNo: printed.qr[0]!.data }, async () => {
      await new Promise((r) => setTimeout(r, 100));
      gascard.insertCard({ profile: 'icCard' });
    });
    expect(finished.header.completionCode).toBe('success');
    expect(finished.payload).toMatchObject({ alreadyComplete: false, order: { state: 'credited', purchaseCount: 8 } });
    expect(gascard.writesFor(no)).toBe(1);
    expect(gascard.inserted?.purchaseCount).toBe(8);

    const again = await ws.command('Gas.FinishPending', { orderNo: no });
    expect(again.payload).toMatchObject({ alreadyComplete: true });
    expect(gascard.writesFor(no)).toBe(1);
    expect((await ws.command('Gas.PendingOrders')).payload.counts).toMatchObject({ creditPending: 0, needsAttention: 0 });
    gascard.removeCard();
  });

  it('answers bad input and forbidden commands with readable completion codes', async () => {
    const bad = await ws.command('Gas.CreateOrder', { amountFen: 'lots' });
    expect(bad.header.completionCode).toBe('invalidData');
    const range = await ws.command('Gas.CreateOrder', { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo, amountFen: 100 });
    expect(range.header.completionCode).toBe('invalidData');
    expect(range.payload.error).toMatchObject({
      reason: 'AMOUNT_OUT_OF_RANGE',
      citizen: { zh: expect.stringContaining('金额') },
    });
    const unknown = await ws.command('Gas.LookupAccount', { accountNo: '8899999999' });
    expect(unknown.header.completionCode).toBe('userError');
    expect(unknown.payload.error).toMatchObject({ reason: 'ACCOUNT_NOT_FOUND' });
    const refund = await ws.command('Gas.RequestRefund', { orderNo: 'GT20260101000000ABCDEF', reason: 'test' });
    expect(refund.header.completionCode).toBe('authorisationRequired');
    const missing = await ws.command('Gas.PaymentStatus', { orderNo: 'GT20260101000000ABCDEF' });
    expect(missing.payload.error).toMatchObject({ reason: 'ORDER_NOT_FOUND' });
  });
});
