/**
 * Signing in: the hidden prompt, the PIN (with its lockout) and the staff ID card. Both secrets
 * are checked against salted scrypt hashes from config; attempts run one at a time so a PIN and a
 * card at once cannot both count. PINs and ID numbers are never audited or logged.
 */
import { z } from 'zod';
import { CommandError, defineCommand, type CommandDefinition, type CommandResult } from '../api/commands.js';
import type { CardReadEvent } from '../devices/idcard/driver.js';
import { maskIdNumber, Mutex } from '@kiosk/platform';
import { normalizeIdNumber, pinPattern, verifySecret } from './hash.js';
import { promptOpen, type StaffMember } from './machine.js';
import type { StaffRuntime } from './runtime.js';

const empty = z.object({}).strict();

export interface StaffAuth {
  commands: CommandDefinition[];
  onCardRead: (e: CardReadEvent) => void;
}

export function createStaffAuth(rt: StaffRuntime, opts: { hasCardReader: () => boolean }): StaffAuth {
  const { ctx, cfg, log } = rt;
  /** Card and PIN checks run one at a time, so lockout counting never races. */
  const attempts = new Mutex();
  const signedIn = (): boolean => rt.snapshot().context.staff !== null;

  const login = (member: StaffMember): void => {
    const sessionAtOpen = rt.snapshot().context.sessionAtOpen;
    rt.send({ type: 'LOGGED_IN', member });
    ctx.audit(rt.actorName(), 'staff.login', { method: member.method, outcome: 'success', staffNo: member.staffNo });
    log.info({ staffNo: member.staffNo, method: member.method }, 'staff logged in');
    // The staff card on the idle kiosk also started a citizen session: that session is the
    // guide's own card, not a citizen's, so it ends (and is wiped) at once.
    const session = rt.ports.session();
    const v = session?.view();
    if (member.method === 'card' && session && v?.sessionId && v.sessionId !== sessionAtOpen && v.busy === null) {
      session.send({ type: 'CANCEL' });
      session.send({ type: 'END' });
      ctx.audit(rt.actorName(), 'staff.cardSessionDiscarded', { sessionId: v.sessionId });
    }
  };

  const lockedResult = (): CommandResult => ({
    completionCode: 'authorisationRequired',
    errorDescription: 'LOCKED: too many wrong PINs',
    payload: rt.view(),
  });

  async function tryPin(pin: string): Promise<CommandResult> {
    if (signedIn()) return rt.ok();
    if (!promptOpen(rt.snapshot())) throw new CommandError('sequenceError', 'open the staff prompt first');
    if (rt.locked()) {
      ctx.audit('staff', 'staff.login', { method: 'pin', outcome: 'locked' });
      return lockedResult();
    }
    if (pinPattern.test(pin)) {
      for (const entry of cfg.pins) {
        if (await verifySecret(pin, entry.pinHash)) {
          login({ staffNo: entry.staffNo, method: 'pin', since: rt.now() });
          rt.changed();
          return rt.ok();
        }
      }
    }
    const before = rt.snapshot().context.failures;
    rt.send({ type: 'WRONG_PIN', at: rt.now() });
    const left = Math.max(0, cfg.lockoutAttempts - (before + 1));
    ctx.audit('staff', 'staff.login', { method: 'pin', outcome: 'wrongPin', attemptsLeft: left });
    if (left === 0) {
      const until = new Date(rt.snapshot().context.lockedUntil).toISOString();
      ctx.audit('staff', 'staff.lockout', { until, attempts: cfg.lockoutAttempts });
      log.warn({ until }, 'staff prompt locked after wrong PINs');
      rt.alerts.raise({ type: 'staff.lockout', until, attempts: cfg.lockoutAttempts });
      rt.changed();
      return lockedResult();
    }
    rt.changed();
    return { completionCode: 'authorisationRequired', errorDescription: `WRONG_PIN: ${left} attempts left`, payload: rt.view() };
  }

  const onCardRead = (e: CardReadEvent): void => {
    if (!promptOpen(rt.snapshot()) || !rt.snapshot().context.cardAccepted || signedIn()) return;
    const id = normalizeIdNumber(e.card.idNumber);
    const masked = maskIdNumber(id);
    void attempts
      .run(async () => {
        if (!promptOpen(rt.snapshot()) || signedIn()) return;
        if (rt.locked()) {
          ctx.audit('staff', 'staff.login', { method: 'card', outcome: 'locked', card: masked });
          rt.changed();
          return;
        }
        for (const entry of cfg.idCards) {
          if (await verifySecret(id, entry.idHash)) {
            login({ staffNo: entry.staffNo, method: 'card', since: rt.now() });
            rt.changed();
            return;
          }
        }
        ctx.audit('staff', 'staff.login', { method: 'card', outcome: 'unknownCard', card: masked });
        rt.changed();
      })
      .catch((err: unknown) => log.error({ err }, 'staff card check failed'));
  };

  const commands: CommandDefinition[] = [
    defineCommand({
      name: 'Staff.OpenPrompt',
      payload: empty,
      handle: async () => {
        if (signedIn()) return rt.ok();
        const sessionAtOpen = rt.ports.session()?.view().sessionId ?? null;
        // The staff card is taken only on an idle kiosk: mid-session it would replace the citizen's identity.
        const cardAccepted = sessionAtOpen === null && cfg.idCards.length > 0 && opts.hasCardReader();
        rt.send({ type: 'PROMPT_OPEN', cardAccepted, sessionAtOpen });
        ctx.audit('staff', 'staff.prompt', { locked: rt.locked(), sessionId: sessionAtOpen });
        rt.changed();
        return rt.ok();
      },
    }),
    defineCommand({
      name: 'Staff.ClosePrompt',
      payload: empty,
      handle: async () => {
        rt.send({ type: 'PROMPT_CLOSE' });
        rt.changed();
        return rt.ok();
      },
    }),
    defineCommand({
      name: 'Staff.Login',
      // The PIN is checked, never logged: zod errors would echo the value, so only the shape is tested here.
      payload: z.object({ pin: z.string().max(32) }).strict(),
      handle: async (p) => {
        return attempts.run(() => tryPin(p.pin));
      },
    }),
  ];

  return { commands, onCardRead };
}
