/**
 * Issue 19 item 11 (gas): typing an account number shows only the street of its address, and
 * accounts that differ in the middle stay apart on screen (8800100001, 8800200001, 8800900001
 * used to all read 8800****01). Gas flow machine against the real sandbox and engine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, setup, sendTo, type AnyActorRef } from 'xstate';
import { createGasFlow } from '../../apps/agent/src/flows/gas.js';
import type { GasAccountStepData } from '@kiosk/contracts/gas-views';
import { gasApiOf, type GasApi } from '../../apps/agent/src/gas/api.js';
import { maskAccountNumber, maskAddress } from '@kiosk/platform';
import { DEMO_GAS_ACCOUNTS } from '@kiosk/synthetic';
import type { FlowView } from '@kiosk/contracts/session-view';
import { sandboxForFile } from '../sandbox/fixture.js';
import { startEngine, type EngineRig } from '../gas/harness.js';

describe('masking rules', () => {
  it('account numbers that differ in the middle or at the end stay apart, and are never shown whole', () => {
    const accounts = ['8800100001', '8800200001', '8800900001', '8800100002', '8812345678'];
    const masked = accounts.map(maskAccountNumber);
    expect(masked[0]).toBe('88001***01');
    expect(new Set(masked).size).toBe(accounts.length);
    masked.forEach((m, i) => {
      expect(m).not.toBe(accounts[i]);
      expect(m.length).toBe(accounts[i]!.length);
    });
    expect(maskAccountNumber('1234')).toBe('****');
  });

  it('addresses keep the area and street, not the house, building or flat', () => {
    expect(maskAddress('咸宁市咸安区温泉路12号金桂园3栋1502室')).toBe('咸宁市咸安区温泉路**号****栋****室');
    expect(maskAddress('咸宁市咸安区温泉路12号金桂园3栋1502室')).not.toMatch(/\d|金桂园/);
    expect(maskAddress('嘉鱼县鱼岳镇')).toBe('嘉鱼县***');
  });
});

const t = sandboxForFile();
let rig: EngineRig;
beforeAll(async () => {
  rig = await startEngine(t, {});
});
afterAll(async () => {
  await rig?.close();
});

const api = (): GasApi => gasApiOf(rig.engine);

/** The flow under a stand-in parent; returns the account step's data for a typed account. */
async function accountStep(accountNo: string): Promise<GasAccountStepData> {
  const flow = createGasFlow()({ identity: () => null, gas: api });
  const parent = setup({
    actors: { flow },
    types: { events: {} as { type: 'FWD'; event: object } | { type: 'FLOW.BUSY' } | { type: 'FLOW.PERSIST' } },
  }).createMachine({
    invoke: { id: 'flow', src: 'flow', input: { serviceId: 'gas', identity: null, lang: 'zh-CN' } },
    on: { FWD: { actions: sendTo('flow', ({ event }) => (event as { event: { type: string } }).event as never) } },
  });
  const actor = createActor(parent).start();
  const view = (): FlowView | undefined =>
    (actor.getSnapshot().children['flow'] as AnyActorRef | undefined)?.getSnapshot().context.view;
  try {
    await expect.poll(() => view()?.step).toBe('start');
    actor.send({ type: 'FWD', event: { type: 'FLOW.EVENT', name: 'lookup', data: { accountNo } } });
    await expect.poll(() => view()?.step, { timeout: 8000 }).toBe('account');
    return view()!.data as unknown as GasAccountStepData;
  } finally {
    actor.stop();
  }
}

describe('gas account screen for a typed account number', () => {
  it('shows the street only and a distinguishable account mask', async () => {
    const full = t.data.gasAccounts.find((a) => a.accountNo === DEMO_GAS_ACCOUNTS.iot.accountNo)!;
    const iot = await accountStep(DEMO_GAS_ACCOUNTS.iot.accountNo);
    expect(iot.account.address).toBe(maskAddress(full.address));
    expect(iot.account.address).not.toBe(full.address);
    expect(iot.account.address).not.toMatch(/\d/);
    const ic = await accountStep(DEMO_GAS_ACCOUNTS.icCard.accountNo);
    expect(iot.account.accountNoMasked).not.toBe(ic.account.accountNoMasked);
    expect(JSON.stringify(iot)).not.toContain(DEMO_GAS_ACCOUNTS.iot.accountNo);
  });
});
