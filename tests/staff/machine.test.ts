/**
 * The staff state machine on its own (device-agent/src/staff/machine.ts): the transitions the
 * whole-kiosk tests do not reach — the prompt closing by itself, entry cancelled while waiting, an
 * aborted exit going back to its mode, the panel-only "after exit" choice, and the lockout count.
 */
import { describe, expect, it } from 'vitest';
import { createActor, SimulatedClock } from 'xstate';
import { attemptsLeft, isLocked, promptOpen, staffMachine, vendorModeOf } from '../../apps/agent/src/staff/machine.js';

const input = { lockoutAttempts: 3, lockoutMinutes: 15, promptTimeoutMs: 60_000 };
const guide = { staffNo: 'XN-G01', method: 'pin' as const, since: 0 };

function start(extra: Partial<typeof input & { failures: number; lockedUntil: number }> = {}) {
  const clock = new SimulatedClock();
  const actor = createActor(staffMachine, { clock, input: { ...input, ...extra } });
  const emitted: string[] = [];
  actor.on('*', (e) => emitted.push(e.type));
  actor.start();
  return { actor, clock, emitted, snap: () => actor.getSnapshot() };
}

function signedIn() {
  const t = start();
  t.actor.send({ type: 'PROMPT_OPEN', cardAccepted: false, sessionAtOpen: null });
  t.actor.send({ type: 'LOGGED_IN', member: guide });
  return t;
}

describe('staff machine: prompt', () => {
  it('closes the prompt by itself after the timeout and says so; reopening restarts the wait', () => {
    const { actor, clock, emitted, snap } = start();
    actor.send({ type: 'PROMPT_OPEN', cardAccepted: true, sessionAtOpen: null });
    expect(promptOpen(snap())).toBe(true);
    expect(snap().context.cardAccepted).toBe(true);
    clock.increment(59_000);
    actor.send({ type: 'PROMPT_OPEN', cardAccepted: true, sessionAtOpen: null });
    clock.increment(59_000);
    expect(promptOpen(snap())).toBe(true);
    clock.increment(1_000);
    expect(promptOpen(snap())).toBe(false);
    expect(snap().context.cardAccepted).toBe(false);
    expect(emitted).toEqual(['promptExpired']);
  });

  it('a login lands and closes the prompt, even when the prompt timed out while the secret was checked', () => {
    const { actor, snap } = start();
    actor.send({ type: 'PROMPT_OPEN', cardAccepted: false, sessionAtOpen: 'S-1' });
    actor.send({ type: 'LOGGED_IN', member: guide });
    expect(snap().context.staff).toEqual(guide);
    expect(snap().context.sessionAtOpen).toBe('S-1');
    expect(promptOpen(snap())).toBe(false);
    expect(vendorModeOf(snap())).toBe('inactive');

    const late = start();
    late.actor.send({ type: 'PROMPT_OPEN', cardAccepted: false, sessionAtOpen: null });
    late.clock.increment(60_000);
    expect(promptOpen(late.snap())).toBe(false);
    late.actor.send({ type: 'LOGGED_IN', member: guide });
    expect(late.snap().context.staff).toEqual(guide);
  });
});

describe('staff machine: lockout', () => {
  it('counts wrong PINs down, locks on the last one and starts a new count', () => {
    const { actor, snap } = start();
    actor.send({ type: 'PROMPT_OPEN', cardAccepted: false, sessionAtOpen: null });
    actor.send({ type: 'WRONG_PIN', at: 1_000 });
    actor.send({ type: 'WRONG_PIN', at: 2_000 });
    expect(attemptsLeft(snap().context)).toBe(1);
    expect(isLocked(snap(), 2_000)).toBe(false);
    actor.send({ type: 'WRONG_PIN', at: 3_000 });
    expect(snap().context.lockedUntil).toBe(3_000 + 15 * 60_000);
    expect(isLocked(snap(), 3_000 + 15 * 60_000 - 1)).toBe(true);
    expect(isLocked(snap(), 3_000 + 15 * 60_000)).toBe(false);
    expect(attemptsLeft(snap().context)).toBe(3);
  });

  it('a count restored from the audit log carries on; a success resets it', () => {
    const { actor, snap } = start({ failures: 2 });
    expect(attemptsLeft(snap().context)).toBe(1);
    actor.send({ type: 'PROMPT_OPEN', cardAccepted: false, sessionAtOpen: null });
    actor.send({ type: 'LOGGED_IN', member: guide });
    expect(attemptsLeft(snap().context)).toBe(3);
  });
});

describe('staff machine: vendor mode', () => {
  it('entry cancelled while waiting goes back to signed in, no mode', () => {
    const { actor, snap } = signedIn();
    actor.send({ type: 'ENTER', mode: 'assisted' });
    actor.send({ type: 'WAITING', reason: 'payment' });
    expect(vendorModeOf(snap())).toBe('enterPending');
    expect(snap().context.waitingFor).toBe('payment');
    actor.send({ type: 'ENTER_CANCELLED' });
    expect(vendorModeOf(snap())).toBe('inactive');
    expect(snap().context).toMatchObject({ mode: null, waitingFor: null, staff: guide });
  });

  it('an exit that cannot wait for a safe point returns to the mode it left', () => {
    for (const mode of ['assisted', 'maintenance'] as const) {
      const { actor, snap } = signedIn();
      actor.send({ type: 'ENTER', mode });
      actor.send({ type: 'ENTERED' });
      expect(snap().matches({ signedIn: mode })).toBe(true);
      actor.send({ type: 'EXIT' });
      actor.send({ type: 'WAITING', reason: 'printing' });
      expect(vendorModeOf(snap())).toBe('exitPending');
      actor.send({ type: 'EXIT_ABORTED' });
      expect(snap().matches({ signedIn: mode })).toBe(true);
      expect(snap().context.waitingFor).toBeNull();
    }
  });

  it("the after-exit choice is the maintenance panel's only, and logout forgets it", () => {
    const { actor, snap } = signedIn();
    actor.send({ type: 'ENTER', mode: 'assisted' });
    actor.send({ type: 'ENTERED' });
    actor.send({ type: 'SET_AFTER_EXIT', afterExit: { inService: false, message: 'x' } });
    expect(snap().context.afterExit).toEqual({ inService: true, message: null });
    actor.send({ type: 'EXIT' });
    actor.send({ type: 'LOGOUT' });

    actor.send({ type: 'PROMPT_OPEN', cardAccepted: false, sessionAtOpen: null });
    actor.send({ type: 'LOGGED_IN', member: guide });
    actor.send({ type: 'ENTER', mode: 'maintenance' });
    actor.send({ type: 'ENTERED', afterExit: { inService: false, message: '维护中' } });
    expect(snap().context.afterExit).toEqual({ inService: false, message: '维护中' });
    actor.send({ type: 'SET_AFTER_EXIT', afterExit: { inService: true, message: null } });
    expect(snap().context.afterExit).toEqual({ inService: true, message: null });
    actor.send({ type: 'SET_AFTER_EXIT', afterExit: { inService: false, message: 'y' } });
    actor.send({ type: 'EXIT' });
    actor.send({ type: 'LOGOUT' });
    expect(snap().matches({ signedOut: 'closed' })).toBe(true);
    expect(snap().context).toMatchObject({ staff: null, mode: null, afterExit: { inService: true, message: null } });
  });

  it('refuses a second entry while one is pending or active, and logout while in a mode', () => {
    const { actor, snap } = signedIn();
    actor.send({ type: 'ENTER', mode: 'assisted' });
    actor.send({ type: 'ENTER', mode: 'maintenance' });
    expect(snap().context.mode).toBe('assisted');
    actor.send({ type: 'ENTERED' });
    actor.send({ type: 'LOGOUT' });
    expect(snap().matches({ signedIn: 'assisted' })).toBe(true);
  });
});
