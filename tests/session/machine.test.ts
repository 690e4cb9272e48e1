import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, setup, SimulatedClock, type AnyStateMachine } from 'xstate';
import { loadConfig, defaultConfigPath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { computeAvailability } from '../../apps/agent/src/session/availability.js';
import { placeholderFlow } from '../../apps/agent/src/session/flow.js';
import {
  baseDeps,
  createSessionMachine,
  PrintFailure,
  screenTimeouts,
  sessionSettings,
  type SessionDeps,
} from '../../apps/agent/src/session/machine.js';
import { buildView } from '../../apps/agent/src/session/view.js';
import { moneyStandInFlow } from './money-flow.js';
import type { AvailabilityView, MaskedIdentity } from '@kiosk/contracts/session-view';

const baseConfig = loadConfig(defaultConfigPath);

function sessionConfig(edit: (s: KioskConfig['session']) => void = () => {}): KioskConfig['session'] {
  const s = structuredClone(baseConfig.session);
  s.countdown = {
    defaultMs: 60_000,
    elderMs: 120_000,
    warningMs: 20_000,
    assistedFactor: 3,
    screens: { goodbye: { ms: 10_000, elderMs: 20_000 } },
  };
  edit(s);
  return s;
}

const person: MaskedIdentity = {
  name: '孙*试',
  idNumber: '4212**********0610',
  cardType: 'resident',
  expired: false,
  validTo: '2036-05-20',
};
const expired: MaskedIdentity = {
  ...person,
  name: '吴*示',
  idNumber: '4212**********0337',
  expired: true,
  validTo: '2025-07-01',
};

/** A money flow whose `paid` step finishes with a slip to print; Back on its first step leaves. */
const moneyFlow = (): AnyStateMachine =>
  moneyStandInFlow({
    payingData: { amount: '50.00' },
    done: {
      outcome: 'done',
      result: { kind: 'success', titleKey: 'gas.done' },
      print: { document: { kind: 'test', blocks: [{ type: 'text', text: 'paid' }] } },
    },
    backLeaves: true,
  });

interface Harness {
  actor: ReturnType<typeof start>['actor'];
  clock: SimulatedClock;
  wiped: { sessionId: string | null; reason: string }[];
  faceEnded: number;
  audit: { action: string; detail: Record<string, unknown> }[];
  view(): ReturnType<typeof buildView>;
  value(): string;
}

function start(
  opts: {
    session?: KioskConfig['session'];
    deps?: Partial<SessionDeps>;
    availability?: AvailabilityView;
    gasFlow?: AnyStateMachine;
  } = {},
) {
  const clock = new SimulatedClock();
  const h = {
    wiped: [] as { sessionId: string | null; reason: string }[],
    faceEnded: 0,
    audit: [] as { action: string; detail: Record<string, unknown> }[],
  };
  const f = placeholderFlow({ identity: () => null });
  const machine = createSessionMachine(
    baseDeps(
      { property: f, gas: opts.gasFlow ?? f, tax: f, social: f, photo: f },
      {
        now: () => clock.now(),
        wiped: (i) => h.wiped.push(i),
        faceEnded: () => (h.faceEnded += 1),
        audit: (action, detail) => h.audit.push({ action, detail }),
        ...opts.deps,
      },
    ),
  );
  const actor = createActor(machine, {
    input: {
      settings: sessionSettings(opts.session ?? sessionConfig()),
      ...(opts.availability ? { availability: opts.availability } : {}),
    },
    clock,
  });
  actor.start();
  return Object.assign(h, { actor, clock, machine });
}

function harness(opts: Parameters<typeof start>[0] = {}): Harness & { machine: AnyStateMachine } {
  const s = start(opts);
  return Object.assign(s, {
    view: () => buildView(s.actor.getSnapshot(), 0, s.clock.now()),
    value: () => JSON.stringify(s.actor.getSnapshot().value),
  });
}

/** Advances the simulated clock in steps, as real time would pass. */
function pass(clock: SimulatedClock, ms: number, step = 500): void {
  for (let t = 0; t < ms; t += step) clock.increment(Math.min(step, ms - t));
}

function availability(
  edit: Parameters<typeof computeAvailability>[0] extends infer I ? Partial<I> : never = {},
): AvailabilityView {
  return computeAvailability({
    mode: 'in-service',
    modeMessage: null,
    devices: { idcard: { device: 'online' }, printer: { device: 'online', paper: 'full' }, camera: { device: 'online' } },
    upstreams: {},
    config: sessionConfig(),
    ...edit,
  });
}

describe('session machine: journeys', () => {
  it('attract → home → identity → placeholder → result → rating → goodbye → wipe', () => {
    const h = harness();
    expect(h.view().screen).toBe('attract');
    h.actor.send({ type: 'START' });
    expect(h.view().screen).toBe('home');
    const sessionId = h.view().sessionId;
    expect(sessionId).toBeTruthy();
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    expect([h.view().screen, h.view().step]).toEqual(['identity', 'waitCard']);
    h.actor.send({ type: 'CARD.INSERTED' });
    expect(h.view().step).toBe('reading');
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    expect(h.view().step).toBe('confirmed');
    expect(h.view().identity).toEqual(person);
    expect(JSON.stringify(h.view())).not.toContain('r1');
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('service');
    expect(h.view().flow).toEqual({ step: 'comingSoon', data: { service: 'tax' } });
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('result');
    expect(h.view().result?.titleKey).toBe('result.placeholder.title');
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('rating');
    h.actor.send({ type: 'RATE', rating: 'satisfied' });
    expect(h.view().screen).toBe('goodbye');
    expect(h.audit.find((a) => a.action === 'session.rating')?.detail).toEqual({
      sessionId,
      service: 'tax',
      rating: 'satisfied',
    });
    h.actor.send({ type: 'END' });
    expect(h.view().screen).toBe('attract');
    expect(h.wiped).toEqual([{ sessionId, reason: 'finished' }]);
    const c = h.actor.getSnapshot().context;
    expect([c.sessionId, c.identity, c.serviceId, c.rating, c.result, c.timer]).toEqual([null, null, null, null, null, null]);
  });

  it('keeps the identity for a second service in the same session (一事联办) and skips re-confirming it', () => {
    const h = harness();
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    h.actor.send({ type: 'CONTINUE' });
    h.actor.send({ type: 'BACK' });
    expect(h.view().screen).toBe('home');
    h.actor.send({ type: 'SELECT_SERVICE', service: 'social' });
    expect(h.view().screen).toBe('service');
    expect(h.view().identity?.name).toBe('孙*试');
  });

  it('placing a card on the idle kiosk starts a session with the card already read', () => {
    const h = harness();
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    expect(h.view().screen).toBe('home');
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    expect(h.view().step).toBe('confirmed');
  });

  it('a different card replaces the identity and forgets what the first person confirmed', () => {
    const h = harness({ session: sessionConfig((s) => (s.services.tax.face = 'optional')) });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    h.actor.send({ type: 'CONTINUE' });
    h.actor.send({ type: 'FACE.AGREE' });
    h.actor.send({ type: 'HOME' });
    h.actor.send({ type: 'CARD.READ', identity: expired, ref: 'r2' });
    const c = h.actor.getSnapshot().context;
    expect(c.identity?.ref).toBe('r2');
    expect(c.identityConfirmed).toBe(false);
    expect(c.faceVerified).toBeNull();
  });
});

describe('session machine: a failing flow', () => {
  it('a flow that throws ends on a failure result the citizen understands, not a dead screen', () => {
    const crashing = setup({}).createMachine({
      context: { view: { step: 'x', data: {} } },
      initial: 'a',
      states: {
        a: {
          on: {
            CONTINUE: {
              actions: () => {
                throw new Error('upstream parser bug');
              },
            },
          },
        },
      },
    });
    const h = harness({ gasFlow: crashing });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('result');
    expect(h.view().result).toEqual({ kind: 'failure', titleKey: 'result.error.title', messageKey: 'result.error.body' });
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('rating');
  });
});

describe('session machine: countdown', () => {
  it('warns 20 s before the end, extends as often as asked, and wipes at zero', () => {
    const h = harness();
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'tax' });
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    expect(h.view().countdown).toMatchObject({ totalMs: 60_000, warningMs: 20_000, warning: false, paused: false });
    for (let i = 0; i < 12; i++) {
      pass(h.clock, 39_500);
      expect(h.view().countdown?.warning).toBe(false);
      pass(h.clock, 1_000);
      expect(h.view().countdown?.warning).toBe(true);
      expect(h.view().countdown?.remainingMs).toBeLessThanOrEqual(20_000);
      h.actor.send({ type: 'EXTEND' });
      expect(h.view().countdown?.warning).toBe(false);
      expect(h.view().step).toBe('confirmed');
    }
    pass(h.clock, 60_500);
    expect(h.view().screen).toBe('attract');
    expect(h.wiped.at(-1)?.reason).toBe('timeout');
    expect(h.actor.getSnapshot().context.identity).toBeNull();
  });

  it('every screen change restarts the countdown', () => {
    const h = harness();
    h.actor.send({ type: 'START' });
    pass(h.clock, 35_000);
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    pass(h.clock, 35_000);
    expect(h.view().screen).toBe('service');
    expect(h.view().countdown?.warning).toBe(false);
  });

  it('elder mode doubles the time, assisted mode triples it, the goodbye screen is short and ends the session normally', () => {
    const cfg = sessionConfig();
    const ctx = {
      settings: sessionSettings(cfg),
      screen: 'home' as const,
      prefs: { lang: 'zh-CN' as const, elder: false, voice: true },
      assisted: false,
    };
    expect(screenTimeouts(ctx)).toEqual({ totalMs: 60_000, warningMs: 20_000, warns: true });
    expect(screenTimeouts({ ...ctx, prefs: { ...ctx.prefs, elder: true } }).totalMs).toBe(120_000);
    expect(screenTimeouts({ ...ctx, assisted: true }).totalMs).toBe(180_000);
    expect(screenTimeouts({ ...ctx, screen: 'goodbye' })).toEqual({ totalMs: 10_000, warningMs: 10_000, warns: false });

    const h = harness();
    h.actor.send({ type: 'SET_PREFS', prefs: { elder: true } });
    expect(h.view().countdown?.totalMs).toBe(120_000);
    pass(h.clock, 90_000);
    expect(h.view().screen).toBe('home');
    expect(h.view().countdown?.warning).toBe(false);
    h.actor.send({ type: 'BACK' });
    expect(h.view().screen).toBe('goodbye');
    pass(h.clock, 20_500);
    expect(h.view().screen).toBe('attract');
    expect(h.wiped.at(-1)?.reason).toBe('finished');
    expect(h.actor.getSnapshot().context.prefs.elder).toBe(false);
  });

  it('no countdown while a payment is in flight, and no cancelling it; the countdown resumes afterwards', () => {
    const h = harness({ gasFlow: moneyFlow() });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    h.actor.send({ type: 'FLOW.EVENT', name: 'pay', data: {} });
    expect(h.view().busy).toBe('payment');
    expect(h.view().countdown?.paused).toBe(true);
    expect(h.view().flow).toEqual({ step: 'paying', data: { amount: '50.00' } });
    expect(h.actor.getSnapshot().context.persist).toBe(true);
    pass(h.clock, 10 * 60_000, 5_000);
    expect(h.view().screen).toBe('service');
    expect(h.actor.getSnapshot().can({ type: 'CANCEL' })).toBe(false);
    expect(h.actor.getSnapshot().can({ type: 'EXTEND' })).toBe(false);
    h.actor.send({ type: 'FLOW.EVENT', name: 'paid', data: {} });
    // Paid → the slip prints (busy: printing) → result.
    expect(h.actor.getSnapshot().context.persist).toBe(false);
  });

  it('prints the flow’s slip with the countdown paused; a failed print says why and can be retried', async () => {
    let attempts = 0;
    const h = harness({
      gasFlow: moneyFlow(),
      deps: {
        print: fromPromise(async () => {
          attempts += 1;
          if (attempts === 1) throw new PrintFailure('paperOut', 'paper out');
        }),
      },
    });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    h.actor.send({ type: 'FLOW.EVENT', name: 'pay', data: {} });
    h.actor.send({ type: 'FLOW.EVENT', name: 'paid', data: {} });
    expect(h.view().screen).toBe('printing');
    expect(h.view().busy).toBe('printing');
    expect(h.view().countdown?.paused).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    expect(h.view().screen).toBe('result');
    expect(h.view().print).toEqual({ state: 'failed', reason: 'paperOut' });
    expect(h.view().busy).toBeNull();
    expect(h.view().countdown?.paused).toBe(false);
    h.actor.send({ type: 'RETRY' });
    await new Promise((r) => setTimeout(r, 0));
    expect(h.view().print).toEqual({ state: 'printed' });
    expect(h.actor.getSnapshot().can({ type: 'RETRY' })).toBe(false);
    expect(attempts).toBe(2);
  });
});

describe('session machine: identity step', () => {
  function atIdentity(opts: Parameters<typeof harness>[0] = {}) {
    const h = harness(opts);
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'property' });
    return h;
  }

  it('card moved mid-read: asks to place it again, then reads it', () => {
    const h = atIdentity();
    h.actor.send({ type: 'CARD.INSERTED' });
    h.actor.send({ type: 'CARD.RETRY' });
    h.actor.send({ type: 'CARD.REMOVED' });
    expect(h.view().step).toBe('replace');
    h.actor.send({ type: 'CARD.INSERTED' });
    expect(h.view().step).toBe('reading');
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    expect(h.view().step).toBe('confirmed');
  });

  it('card lifted while reading without an error also asks to place it again', () => {
    const h = atIdentity();
    h.actor.send({ type: 'CARD.INSERTED' });
    h.actor.send({ type: 'CARD.REMOVED' });
    expect(h.view().step).toBe('replace');
  });

  it('an unreadable card gets a clear message, a retry and a way home', () => {
    const h = atIdentity();
    h.actor.send({ type: 'CARD.INSERTED' });
    h.actor.send({ type: 'CARD.FAILED' });
    expect(h.view().step).toBe('unreadable');
    h.actor.send({ type: 'RETRY' });
    expect(h.view().step).toBe('waitCard');
    h.actor.send({ type: 'CARD.FAILED' });
    h.actor.send({ type: 'HOME' });
    expect(h.view().screen).toBe('home');
  });

  it('an expired card stops the service with its validity date and a way out', () => {
    const h = atIdentity();
    h.actor.send({ type: 'CARD.READ', identity: expired, ref: 'r1' });
    expect(h.view().step).toBe('expired');
    expect(h.view().identity?.validTo).toBe('2025-07-01');
    expect(h.actor.getSnapshot().can({ type: 'CONTINUE' })).toBe(false);
    h.actor.send({ type: 'BACK' });
    expect(h.view().screen).toBe('home');
    // Gas needs no ID card: it still works for this citizen.
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    expect(h.view().screen).toBe('service');
  });

  it('reader failure mid-flow: the identity step says so, and recovers when the reader is back', () => {
    const h = atIdentity();
    h.actor.send({
      type: 'STATUS',
      availability: availability({ devices: { printer: { device: 'online', paper: 'full' } } }),
      assisted: false,
    });
    expect(h.view().step).toBe('readerDown');
    h.actor.send({ type: 'STATUS', availability: availability(), assisted: false });
    expect(h.view().step).toBe('waitCard');
  });
});

describe('session machine: face step', () => {
  function atFace(face: 'optional' | 'required', deps: Partial<SessionDeps> = {}) {
    const h = harness({ session: sessionConfig((s) => (s.services.property.face = face)), deps });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'property' });
    h.actor.send({ type: 'CARD.READ', identity: person, ref: 'r1' });
    h.actor.send({ type: 'CONTINUE' });
    expect([h.view().screen, h.view().step]).toEqual(['face', 'consent']);
    return h;
  }

  it('consent → live preview → capture → passed → service; consent is revoked when the step ends', async () => {
    const h = atFace('optional');
    h.actor.send({ type: 'FACE.AGREE' });
    expect(h.view().step).toBe('preview');
    expect(h.view().face?.previewUrl).toBe('/api/session/preview/test');
    h.actor.send({ type: 'FACE.CAPTURE' });
    expect(h.view().step).toBe('capturing');
    await new Promise((r) => setTimeout(r, 0));
    expect(h.view().step).toBe('matched');
    expect(h.view().faceVerified).toBe(true);
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('service');
    expect(h.faceEnded).toBe(1);
    expect(h.audit.filter((a) => a.action === 'face.consent').map((a) => a.detail['agreed'])).toEqual([true]);
  });

  it('optional: declining leads on with the card alone', () => {
    const h = atFace('optional');
    h.actor.send({ type: 'FACE.DECLINE' });
    expect(h.view().step).toBe('declined');
    h.actor.send({ type: 'CONTINUE' });
    expect(h.view().screen).toBe('service');
    expect(h.view().faceVerified).toBe(false);
  });

  it('required: declining offers only the way out (staffed counter), never the service', () => {
    const h = atFace('required');
    h.actor.send({ type: 'FACE.DECLINE' });
    expect(h.actor.getSnapshot().can({ type: 'CONTINUE' })).toBe(false);
    h.actor.send({ type: 'HOME' });
    expect(h.view().screen).toBe('home');
  });

  it('mismatches count down the attempts; a camera failure offers retry or the alternative', async () => {
    let matched = false;
    const h = atFace('optional', { faceCapture: fromPromise(async () => ({ matched })) });
    for (let i = 0; i < 3; i++) {
      h.actor.send({ type: i === 0 ? 'FACE.AGREE' : 'RETRY' });
      h.actor.send({ type: 'FACE.CAPTURE' });
      await new Promise((r) => setTimeout(r, 0));
      expect(h.view().step).toBe('mismatch');
      expect(h.view().face?.attemptsLeft).toBe(2 - i);
    }
    expect(h.actor.getSnapshot().can({ type: 'RETRY' })).toBe(false);
    h.actor.send({ type: 'FACE.DECLINE' });
    expect(h.view().step).toBe('declined');

    const broken = atFace('optional', {
      faceCapture: fromPromise(async (): Promise<{ matched: boolean }> => {
        throw new Error('camera gone');
      }),
    });
    broken.actor.send({ type: 'FACE.AGREE' });
    broken.actor.send({ type: 'FACE.CAPTURE' });
    await new Promise((r) => setTimeout(r, 0));
    expect(broken.view().step).toBe('failed');
    matched = true;
    expect(broken.actor.getSnapshot().can({ type: 'RETRY' })).toBe(true);
  });
});

describe('session machine: availability and mode', () => {
  it('a paused service cannot be chosen', () => {
    const a = availability({ devices: { idcard: { device: 'online' }, printer: { device: 'userError', paper: 'out' } } });
    expect(a.services.tax).toEqual({ available: false, reasons: ['paperOut'] });
    expect(a.services.gas.available).toBe(true);
    expect(a.notices).toEqual(['paperOut']);
    const h = harness({ availability: a });
    h.actor.send({ type: 'START' });
    expect(h.actor.getSnapshot().can({ type: 'SELECT_SERVICE', service: 'tax' })).toBe(false);
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    expect(h.view().screen).toBe('service');
  });

  it('nothing usable → out of service; it comes back by itself', () => {
    const down = availability({ devices: {}, upstreams: { gas: 'down' } });
    expect(down.outOfService).toEqual({ reason: 'devices', message: null });
    const h = harness({ availability: down });
    expect(h.view().screen).toBe('outOfService');
    expect(h.actor.getSnapshot().can({ type: 'START' })).toBe(false);
    h.actor.send({ type: 'STATUS', availability: availability(), assisted: false });
    expect(h.view().screen).toBe('attract');
  });

  it('the kiosk put out of service ends an idle session at once, but waits for a payment to finish', async () => {
    const oos = availability({ mode: 'out-of-service', modeMessage: '设备维护中' });
    const h = harness({ gasFlow: moneyFlow() });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'STATUS', availability: oos, assisted: false });
    expect(h.view().screen).toBe('outOfService');
    expect(h.view().availability.outOfService).toEqual({ reason: 'mode', message: '设备维护中' });
    expect(h.wiped.at(-1)?.reason).toBe('mode');

    const p = harness({ gasFlow: moneyFlow() });
    p.actor.send({ type: 'START' });
    p.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    p.actor.send({ type: 'FLOW.EVENT', name: 'pay', data: {} });
    p.actor.send({ type: 'STATUS', availability: oos, assisted: false });
    expect(p.view().screen).toBe('service');
    p.actor.send({ type: 'FLOW.EVENT', name: 'paid', data: {} });
    // The slip still prints (busy) before the session can end; then the kiosk stops.
    expect(p.view().screen).toBe('printing');
    await new Promise((r) => setTimeout(r, 0));
    expect(p.view().screen).toBe('outOfService');
    expect(p.wiped.at(-1)?.reason).toBe('mode');
  });

  it('assisted mode stretches the countdown and shows in the view', () => {
    const h = harness();
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'STATUS', availability: availability(), assisted: true });
    expect(h.view().assisted).toBe(true);
    expect(h.view().countdown?.totalMs).toBe(180_000);
  });
});

describe('session machine: persistence during money steps', () => {
  it('a snapshot taken mid-payment restores to the same step with the same (masked) data', () => {
    const h = harness({ gasFlow: moneyFlow() });
    h.actor.send({ type: 'START' });
    h.actor.send({ type: 'SELECT_SERVICE', service: 'gas' });
    h.actor.send({ type: 'FLOW.EVENT', name: 'pay', data: {} });
    const saved = JSON.parse(JSON.stringify(h.actor.getPersistedSnapshot())) as unknown;
    h.actor.stop();

    const again = createActor(h.machine, { snapshot: saved as never, input: { settings: sessionSettings(sessionConfig()) } });
    again.start();
    const v = buildView(again.getSnapshot() as never, 0, Date.now());
    expect(v.screen).toBe('service');
    expect(v.busy).toBe('payment');
    expect(v.flow).toEqual({ step: 'paying', data: { amount: '50.00' } });
    again.send({ type: 'FLOW.EVENT', name: 'paid', data: {} });
    expect(buildView(again.getSnapshot() as never, 0, Date.now()).screen).toBe('printing');
    again.stop();
  });
});
