/**
 * Entering and leaving a staff mode the XFS4IoT VendorMode way: request → enterPending (waits for
 * a safe point, `Staff.VendorModeEnterPendingEvent`) → active; leaving waits again (exitPending),
 * then signs the staff member out.
 */
import { z } from 'zod';
import { CommandError, defineCommand, type CommandContext, type CommandDefinition, type CommandResult } from '../api/commands.js';
import { vendorModeOf } from './machine.js';
import type { StaffRuntime } from './runtime.js';
import { endSession, untilSafe } from './safe-point.js';
import { enterPendingEvent, type StaffModeName } from '@kiosk/contracts/staff-view';

export function vendorModeCommands(
  rt: StaffRuntime,
  opts: { onLogout: () => void },
): { commands: CommandDefinition[]; abortEnter(): void } {
  const { ctx } = rt;
  let enterAbort: AbortController | undefined;
  const sessionSerial = (): string | null => rt.ports.session()?.view().sessionId ?? null;

  async function enter(target: StaffModeName, c: CommandContext): Promise<CommandResult> {
    const s = rt.requireStaff();
    const snap = rt.snapshot();
    if (!snap.matches({ signedIn: 'ready' }))
      throw new CommandError('sequenceError', `staff mode ${snap.context.mode ?? ''} is ${vendorModeOf(snap)}`);
    rt.send({ type: 'ENTER', mode: target });
    enterAbort = new AbortController();
    const signal = AbortSignal.any([enterAbort.signal, c.signal]);
    ctx.audit(rt.actorName(), 'staff.mode.request', { staffNo: s.staffNo, mode: target, sessionId: sessionSerial() });
    rt.changed();
    try {
      await untilSafe(rt.ports, signal, (reason) => {
        if (rt.snapshot().context.waitingFor === reason) return;
        rt.send({ type: 'WAITING', reason });
        c.event(enterPendingEvent, { mode: target, waitingFor: reason });
        rt.changed();
      });
    } catch (err) {
      rt.send({ type: 'ENTER_CANCELLED' });
      ctx.audit(rt.actorName(), 'staff.mode.cancelled', { staffNo: s.staffNo, mode: target });
      rt.changed();
      throw err;
    }
    const sessionId = sessionSerial();
    if (target === 'maintenance') {
      // Leaving the panel keeps the mode the kiosk had (an out-of-service kiosk stays out of
      // service with its message) unless the guide changes it in the panel.
      const before = ctx.mode.get();
      const afterExit =
        before === 'out-of-service'
          ? { inService: false, message: ctx.mode.message() ?? null }
          : { inService: true, message: null };
      // The panel takes the screen: the citizen's session (if any) ends and is wiped first.
      endSession(rt.ports);
      ctx.mode.set('maintenance');
      rt.send({ type: 'ENTERED', afterExit });
    } else {
      ctx.mode.set('assisted');
      rt.send({ type: 'ENTERED' });
    }
    ctx.audit(rt.actorName(), 'staff.mode.enter', { staffNo: s.staffNo, mode: target, sessionId });
    rt.changed();
    return rt.ok();
  }

  /** `keepSession`: leaving assisted mode lets the citizen carry on alone instead of ending their session. */
  async function exit(c: CommandContext, keepSession: boolean): Promise<CommandResult> {
    const s = rt.requireStaff();
    const snap = rt.snapshot();
    if (snap.matches({ signedIn: 'entering' })) {
      enterAbort?.abort();
      return rt.ok();
    }
    const was = snap.context.mode;
    if (vendorModeOf(snap) === 'active') {
      rt.send({ type: 'EXIT' });
      rt.changed();
      let sessionId: string | null = null;
      try {
        await untilSafe(rt.ports, c.signal, (reason) => {
          rt.send({ type: 'WAITING', reason });
          rt.changed();
        });
      } catch (err) {
        rt.send({ type: 'EXIT_ABORTED' });
        rt.changed();
        throw err;
      }
      // Leaving assisted mode ends the citizen's session and wipes its data, unless the guide
      // chose to let the citizen carry on alone (the UI asks which, issue 19).
      if (was === 'assisted') sessionId = keepSession ? sessionSerial() : endSession(rt.ports);
      const afterExit = rt.snapshot().context.afterExit;
      if (was === 'maintenance' && !afterExit.inService) ctx.mode.set('out-of-service', afterExit.message ?? undefined);
      else ctx.mode.set('in-service');
      ctx.audit(rt.actorName(), 'staff.mode.exit', {
        staffNo: s.staffNo,
        mode: was,
        sessionId,
        kioskMode: ctx.mode.get(),
        ...(was === 'assisted' ? { sessionKept: keepSession } : {}),
      });
    }
    opts.onLogout();
    ctx.audit(rt.actorName(), 'staff.logout', { staffNo: s.staffNo });
    rt.send({ type: 'LOGOUT' });
    rt.changed();
    return rt.ok();
  }

  const commands: CommandDefinition[] = [
    defineCommand({
      name: 'Staff.EnterMode',
      payload: z.object({ mode: z.enum(['assisted', 'maintenance']) }).strict(),
      handle: async (p, c) => enter(p.mode, c),
    }),
    defineCommand({
      name: 'Staff.CancelEnter',
      payload: z.object({}).strict(),
      handle: async () => (enterAbort?.abort(), rt.ok()),
    }),
    defineCommand({
      name: 'Staff.Exit',
      payload: z.object({ keepSession: z.boolean().optional() }).strict(),
      handle: async (p, c) => exit(c, p.keepSession ?? false),
    }),
  ];
  return { commands, abortEnter: () => enterAbort?.abort() };
}
