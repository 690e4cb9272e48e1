/**
 * Staff test kit: a "payment" flow that holds the session busy until told the payment ended,
 * and a kiosk rig (real drivers over ptys + simulators) with the staff module composed after the session.
 */
import { sendParent, setup, type AnyStateMachine } from 'xstate';
import type { FlowFactory, FlowInput, FlowOutput } from '../../apps/agent/src/session/flow.js';
import { createStaffModuleWith, type StaffModuleOptions } from '../../apps/agent/src/staff/module.js';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { slipFlow, startRig, type Rig, type RigOptions } from '../session/rig.js';

/** Demo PIN of config/kiosk.default.json (staff XN-G01) and the staff card profile (XN-G02). */
export const demoPin = '246810';
export const staffCardProfile = 'chibi-resident';
export const staffCardId = '421281199211080522';

/** Gas stand-in: busy with 'payment' from the start until FLOW.EVENT {name: 'paid'}. */
export const paymentFlow: FlowFactory = () =>
  setup({
    types: { context: {} as { view: { step: string; data: Record<string, string> } }, input: {} as FlowInput },
  }).createMachine({
    context: { view: { step: 'paying', data: {} } },
    initial: 'paying',
    states: {
      paying: {
        entry: sendParent({ type: 'FLOW.BUSY', reason: 'payment' }),
        on: {
          'FLOW.EVENT': {
            guard: ({ event }) => (event as { name?: string }).name === 'paid',
            target: 'done',
            actions: sendParent({ type: 'FLOW.BUSY', reason: null }),
          },
        },
      },
      done: { type: 'final' },
    },
    output: (): FlowOutput => ({ outcome: 'done', result: { kind: 'success', titleKey: 'result.placeholder.title' } }),
  }) as AnyStateMachine;

export interface StaffRigOptions extends RigOptions {
  staff?: StaffModuleOptions;
}

export function startStaffRig(opts: StaffRigOptions = {}): Promise<Rig> {
  return startRig({
    devices: ['idcard', 'printer'],
    session: { flows: { tax: slipFlow, gas: paymentFlow } },
    ...opts,
    config: (c: KioskConfig) => {
      c.staff.longPressMs = 600;
      opts.config?.(c);
    },
    modules: [createStaffModuleWith({ receiptPreviewUrl: null, ...opts.staff }), ...(opts.modules ?? [])],
  });
}

export interface AuditRow {
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
  raw: string;
}

export function auditRows(rig: Rig, prefix = 'staff'): AuditRow[] {
  const rows = rig.agent.db
    .prepare('SELECT at, actor, action, detail FROM audit_log WHERE action LIKE ? ORDER BY id')
    .all(`${prefix}%`) as { at: string; actor: string; action: string; detail: string }[];
  return rows.map((r) => ({
    ...r,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    raw: `${r.actor} ${r.action} ${r.detail}`,
  }));
}
