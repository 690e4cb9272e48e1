/**
 * What every staff handler shares: the machine's actor, the view the UI gets, the checks "a staff
 * member is signed in" and "this mode is active", and the ports to the rest of the agent.
 */
import { createActor, type Actor } from 'xstate';
import { CommandError, type CommandResult } from '../api/commands.js';
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { AgentContext } from '../modules.js';
import type { StaffAlerts } from './alerts.js';
import {
  attemptsLeft,
  isLocked,
  promptOpen,
  staffMachine,
  vendorModeOf,
  type StaffEvent,
  type StaffMember,
  type StaffSnapshot,
} from './machine.js';
import type { StaffPorts } from './ports.js';
import { staffStateEvent, type StaffModeName, type StaffView } from '@kiosk/contracts/staff-view';

export interface StaffRuntime {
  ctx: AgentContext;
  cfg: KioskConfig['staff'];
  log: Logger;
  now: () => number;
  ports: StaffPorts;
  alerts: StaffAlerts;
  actor: Actor<typeof staffMachine>;
  snapshot(): StaffSnapshot;
  send(event: StaffEvent): void;
  locked(): boolean;
  view: () => StaffView;
  /** Broadcasts the view (Staff.StateChangedEvent). */
  changed(): void;
  ok(payload?: unknown): CommandResult;
  /** The audit actor: `staff:<staffNo>` when signed in. */
  actorName(): string;
  requireStaff(): StaffMember;
  requireMode(mode: StaffModeName): StaffMember;
  /** Audits a signed-in staff member's action (actor and detail carry the staff number). */
  audit(s: StaffMember, action: string, detail?: Record<string, unknown>): void;
}

/** The prompt's timeout must not keep a stopping agent alive. */
const unrefClock = {
  setTimeout(fn: (...args: unknown[]) => void, ms: number) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout(id: unknown) {
    clearTimeout(id as NodeJS.Timeout);
  },
};

export function createStaffRuntime(
  ctx: AgentContext,
  deps: { now: () => number; ports: StaffPorts; alerts: StaffAlerts; restored: { failures: number; lockedUntil: number } },
): StaffRuntime {
  const cfg = ctx.config.staff;
  const actor = createActor(staffMachine, {
    clock: unrefClock,
    input: {
      lockoutAttempts: cfg.lockoutAttempts,
      lockoutMinutes: cfg.lockoutMinutes,
      promptTimeoutMs: cfg.promptTimeoutMs,
      ...deps.restored,
    },
  });
  // Started at once: commands and health may ask before the module's start().
  actor.start();
  const snapshot = (): StaffSnapshot => actor.getSnapshot();
  const locked = (): boolean => isLocked(snapshot(), deps.now());
  const view = (): StaffView => {
    const s = snapshot();
    const c = s.context;
    const open = promptOpen(s);
    return {
      gesture: { corner: cfg.corner, longPressMs: cfg.longPressMs },
      promptTimeoutMs: cfg.promptTimeoutMs,
      prompt: { open, cardAccepted: open && c.cardAccepted },
      staff: c.staff ? { staffNo: c.staff.staffNo, method: c.staff.method } : null,
      vendorMode: vendorModeOf(s),
      mode: c.mode,
      waitingFor: c.waitingFor,
      lock: locked() ? { until: new Date(c.lockedUntil).toISOString() } : null,
      attemptsLeft: attemptsLeft(c),
      afterExit: c.afterExit,
    };
  };
  const requireStaff = (): StaffMember => {
    const s = snapshot().context.staff;
    if (!s) throw new CommandError('authorisationRequired', 'STAFF_ONLY: log in on the staff prompt first');
    return s;
  };
  return {
    ctx,
    cfg,
    log: ctx.logger.child({ module: 'staff' }),
    now: deps.now,
    ports: deps.ports,
    alerts: deps.alerts,
    actor,
    snapshot,
    send: (event) => actor.send(event),
    locked,
    view,
    changed: () => ctx.broadcast(staffStateEvent, view()),
    ok: (payload: unknown = view()) => ({ completionCode: 'success', payload }),
    actorName: () => {
      const s = snapshot().context.staff;
      return s ? `staff:${s.staffNo}` : 'staff';
    },
    requireStaff,
    requireMode(mode) {
      const s = requireStaff();
      if (!snapshot().matches({ signedIn: mode })) throw new CommandError('sequenceError', `${mode} mode is not active`);
      return s;
    },
    audit: (s, action, detail = {}) => ctx.audit(`staff:${s.staffNo}`, action, { staffNo: s.staffNo, ...detail }),
  };
}
