/** Maintenance panel: the overview, out of service / back in service on leaving, reload the UI. */
import { z } from 'zod';
import { defineCommand, type CommandDefinition } from '../api/commands.js';
import type { StaffRuntime } from './runtime.js';
import { reloadEvent, type StaffOverview } from '@kiosk/contracts/staff-view';

const empty = z.object({}).strict();

export function kioskCommands(rt: StaffRuntime, overview: () => StaffOverview): CommandDefinition[] {
  const maint = () => rt.requireMode('maintenance');
  return [
    defineCommand({ name: 'Staff.Overview', payload: empty, handle: async () => (maint(), rt.ok(overview())) }),
    defineCommand({
      name: 'Staff.SetService',
      payload: z.object({ inService: z.boolean(), message: z.string().trim().max(200).optional() }).strict(),
      handle: async (p) => {
        const s = maint();
        const afterExit = { inService: p.inService, message: p.inService ? null : p.message || null };
        rt.send({ type: 'SET_AFTER_EXIT', afterExit });
        rt.audit(s, 'staff.kiosk.service', { inService: p.inService, message: afterExit.message });
        rt.changed();
        return rt.ok();
      },
    }),
    defineCommand({
      name: 'Staff.RestartUi',
      payload: empty,
      handle: async () => {
        const s = maint();
        rt.audit(s, 'staff.kiosk.restartUi');
        // After the completion, so the caller sees success before its page goes away.
        setTimeout(() => rt.ctx.broadcast(reloadEvent, {}), 50);
        return rt.ok();
      },
    }),
  ];
}
