/**
 * Issue 12, defect 4, through the gas flow: when the payment outcome cannot be learned the citizen
 * leaves with a slip (order number, what to do) and the words for the credit kind. The flow runs
 * on its own against the real engine and sandbox (as tests/flows/gas-flow.test.ts does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, createActor, setup, waitFor } from 'xstate';
import { createGasFlow } from '../../apps/agent/src/flows/gas.js';
import { gasApiOf, type GasApi } from '../../apps/agent/src/gas/api.js';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { FlowOutput } from '../../apps/agent/src/session/flow.js';
import type { FlowView } from '@kiosk/contracts/session-view';
import { sandboxForFile } from '../sandbox/fixture.js';
import { fault, startEngine, type EngineRig } from './harness.js';

const t = sandboxForFile();
let rig: EngineRig;
beforeAll(async () => {
  rig = await startEngine(t, { settings: { paymentCountdownSeconds: 1, paymentPollMs: 40, closeGraceMs: 200 } });
});
afterAll(async () => {
  await rig?.close();
});

const api = (): GasApi => gasApiOf(rig.engine);

describe('gas flow: payment outcome unknown', () => {
  it('IoT: prints the payment-unknown slip and says the credit follows automatically', async () => {
    const flow = createGasFlow()({ identity: () => null, gas: api });
    const parent = setup({ types: { context: {} as { output: FlowOutput | null } }, actors: { flow } }).createMachine({
      context: { output: null },
      invoke: {
        id: 'flow',
        src: 'flow',
        input: { serviceId: 'gas', identity: null, lang: 'zh-CN' },
        onDone: { actions: assign({ output: ({ event }) => event.output as FlowOutput }) },
      },
    });
    const actor = createActor(parent).start();
    const child = () => actor.getSnapshot().children['flow'];
    const send = (event: object) => child()?.send(event);
    const view = (): FlowView => (child()?.getSnapshot() as { context: { view: FlowView } }).context.view;

    send({ type: 'FLOW.EVENT', name: 'lookup', data: { accountNo: DEMO_GAS_ACCOUNTS.iot.accountNo } });
    await expect.poll(() => view()?.step, { timeout: 8000 }).toBe('account');
    send({ type: 'FLOW.EVENT', name: 'amount', data: { amountFen: 5000 } });
    send({ type: 'CONTINUE' });
    await expect.poll(() => view()?.step, { timeout: 8000 }).toBe('confirm');
    // The tap on 支付 carries the amount the confirm screen showed (issue 19 item 1).
    send({ type: 'FLOW.EVENT', name: 'pay', data: { amountFen: 5000 } });
    await expect.poll(() => view()?.step, { timeout: 8000 }).toBe('paying');
    const no = (view().data as { orderNo: string }).orderNo;
    // The provider becomes unreachable while the QR code is shown.
    await fault(t, { operation: 'payment.*', kind: 'error', status: 503, count: 10_000 });
    const printedBefore = rig.printer.printed.length;
    const s = await waitFor(actor, (x) => x.context.output !== null, { timeout: 15_000 });
    expect(s.context.output).toMatchObject({
      outcome: 'done',
      result: {
        kind: 'info',
        titleKey: 'gas.result.unknown.title',
        messageKey: 'gas.result.unknown.iot.printed',
        params: { orderNo: no },
      },
    });
    expect(rig.printer.printed.length).toBe(printedBefore + 1);
    expect(JSON.stringify(rig.printer.printed.at(-1))).toContain(no);
    expect(JSON.stringify(rig.printer.printed.at(-1))).toContain('待确认');
    await fetch(`${t.url}/admin/faults`, { method: 'DELETE' });
  });
});
