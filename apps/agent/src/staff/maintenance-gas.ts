/** Maintenance panel: gas orders left pending, retried or marked for manual handling. */
import { z } from 'zod';
import { CommandError, defineCommand, type CommandDefinition } from '../api/commands.js';
import type { StaffRuntime } from './runtime.js';
import type { GasPendingRow } from '@kiosk/contracts/staff-view';

export function gasCommands(rt: StaffRuntime): CommandDefinition[] {
  const { ctx } = rt;
  const maint = () => rt.requireMode('maintenance');
  const gasApi = () => {
    const gas = rt.ports.gas();
    if (!gas) throw new CommandError('unsupportedCommand', 'the gas module is not running on this kiosk');
    return gas;
  };

  /** Manual-handling marks live in the audit log (the gas journal has no such state yet). */
  function manualMarks(): Map<string, { note: string; staffNo: string; at: string }> {
    const rows = ctx.db.prepare("SELECT at, detail FROM audit_log WHERE action = 'staff.gas.markManual' ORDER BY id").all() as {
      at: string;
      detail: string;
    }[];
    const marks = new Map<string, { note: string; staffNo: string; at: string }>();
    for (const r of rows) {
      const d = JSON.parse(r.detail) as { orderNo: string; note: string; staffNo: string };
      marks.set(d.orderNo, { note: d.note, staffNo: d.staffNo, at: r.at });
    }
    return marks;
  }

  function gasPending(): GasPendingRow[] {
    const gas = gasApi();
    const marks = manualMarks();
    return gas.engine.pendingOrders().map((o) => ({
      orderNo: o.orderNo,
      state: o.state,
      account: o.accountNoMasked,
      amountFen: o.amountFen,
      createdAt: o.createdAt,
      manual: marks.get(o.orderNo) ?? null,
    }));
  }

  return [
    defineCommand({
      name: 'Staff.GasPending',
      payload: z.object({}).strict(),
      handle: async () => (maint(), rt.ok({ orders: gasPending() })),
    }),
    defineCommand({
      name: 'Staff.GasRetry',
      payload: z.object({ orderNo: z.string().trim().min(8).max(80) }).strict(),
      handle: async (p) => {
        const s = maint();
        const gas = gasApi();
        try {
          const order = await gas.engine.retry(p.orderNo, `staff:${s.staffNo}`);
          rt.audit(s, 'staff.gas.retry', { orderNo: p.orderNo, state: order.state });
          return rt.ok({ order: { orderNo: order.orderNo, state: order.state } });
        } catch (err) {
          rt.audit(s, 'staff.gas.retry', { orderNo: p.orderNo, outcome: 'failed' });
          throw new CommandError('userError', err instanceof Error ? err.message : String(err));
        }
      },
    }),
    defineCommand({
      name: 'Staff.GasMarkManual',
      payload: z.object({ orderNo: z.string().trim().min(8).max(80), note: z.string().trim().min(2).max(200) }).strict(),
      handle: async (p) => {
        const s = maint();
        if (!gasPending().some((o) => o.orderNo === p.orderNo))
          throw new CommandError('invalidData', `order ${p.orderNo} is not pending`);
        rt.audit(s, 'staff.gas.markManual', { orderNo: p.orderNo, note: p.note });
        return rt.ok({ orders: gasPending() });
      },
    }),
  ];
}
