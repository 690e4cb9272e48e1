/**
 * The session feature of the agent: runs the session machine, feeds it device, upstream and mode
 * status, turns the UI's `Session.*` commands into machine events, and broadcasts the view
 * (`Session.StateChangedEvent`) after every change. See docs/session.md.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { createActor, getInitialSnapshot, type Actor, type AnyStateMachine } from 'xstate';
import { defineCommand, CommandError, type CommandDefinition } from '../api/commands.js';
import { resolvePath } from '@kiosk/kiosk-config';
import type { AgentContext, AgentModule, AgentModuleFactory } from '../modules.js';
import { computeAvailability, type UpstreamState } from './availability.js';
import { FaceStep, isFaceCamera, sandboxFaceVerifier, type FaceVerifier } from './face.js';
import { placeholderFlow, type FlowDeps, type FlowFactory } from './flow.js';
import type { SessionConfig } from './services.js';
import type { RatingSubmission } from '../ratings/api.js';
import { isGasCardReader } from '@kiosk/protocol-gascard';
import { createCardWatcher, isIdCardSource } from './identity.js';
import { createCodeWatcher, createEidRedeemActor, type EidRedeemer } from './eid.js';
import { isCodeScanner } from '../devices/scanner/driver.js';
import { createSessionMachine, sessionSettings, type SessionEvent, type SessionMachine } from './machine.js';
import type { SessionApi } from './api.js';
import { SnapshotFile } from './persistence.js';
import { createPrintActor, isSlipPrinter } from './printing.js';
import { IdentityVault } from './vault.js';
import { buildView, type CardsInReaders } from './view.js';
import {
  badRatingLevels,
  ratingLevels,
  ratingReasons,
  serviceIds,
  sessionStateEvent,
  type AvailabilityView,
  type CardKind,
  type ServiceId,
  type SessionView,
} from '@kiosk/contracts/session-view';

/** Upstream health (connectors' circuit breakers) for the availability matrix. */
export interface UpstreamStatusSource {
  states(): Readonly<Record<string, UpstreamState>>;
  onChange(fn: () => void): () => void;
}

export interface SessionModuleOptions {
  /** Service flows by id; services without one get the "coming soon" placeholder. */
  flows?: Partial<Record<ServiceId, FlowFactory>>;
  upstreams?: UpstreamStatusSource;
  /**
   * Compares the face still with the card holder. Omitted: the sandbox stub (tests). null: no
   * verifier is configured (production without a face platform): the face step is refused —
   * optional checks are skipped, services requiring one show as unavailable (`upstreamDown`).
   */
  faceVerifier?: FaceVerifier | null;
  /**
   * Redeems scanned 鄂汇办 e-ID codes (compose.ts: the e-ID connector). Absent: codes are
   * refused as `unavailable` and the identity step offers the card only.
   */
  eidRedeemer?: EidRedeemer;
  /** Where the snapshot is kept during money steps; default `<dataDir>/session-snapshot.json`. */
  snapshotFile?: string;
  /** Takes a rating (好差评); default: the ratings module's reporter (queued, delivered once). */
  rated?: (s: RatingSubmission) => void;
  /** Sends an event to central; default: the monitor's durable outbox (`enqueueEvent`). */
  report?: (type: string, payload: Record<string, unknown>) => void;
}

export type { SessionApi };

/** The running session of an agent (tests and tools); features use ctx.ports.get('session'). */
export function getSessionApi(ctx: AgentContext): SessionApi | undefined {
  return ctx.ports.get('session');
}

const empty = z.object({}).strict();

/** Does a saved snapshot belong to this machine (known states, the whole context)? */
function fitsMachine(
  machine: SessionMachine,
  saved: unknown,
  input: Parameters<typeof getInitialSnapshot<SessionMachine>>[1],
): boolean {
  if (!saved || typeof saved !== 'object') return false;
  const s = saved as { status?: unknown; value?: unknown; context?: unknown };
  if (s.status !== 'active' || !s.context || typeof s.context !== 'object') return false;
  const keys = Object.keys(getInitialSnapshot(machine, input).context);
  if (!keys.every((k) => k in (s.context as object))) return false;
  try {
    // Saved JSON is checked here: resolveState throws on states the machine does not have.
    machine.resolveState({ value: s.value as never, context: s.context as never });
    return true;
  } catch {
    return false;
  }
}

/** Face checks that are optional are dropped (the card alone suffices); required ones stay and block the service. */
function withoutOptionalFace(config: SessionConfig): SessionConfig {
  const services = Object.fromEntries(
    Object.entries(config.services).map(([id, s]) => [id, s.face === 'optional' ? { ...s, face: 'off' as const } : s]),
  ) as SessionConfig['services'];
  return { ...config, services };
}

/** Unreachable while availability blocks face-required services; a safety net all the same. */
const refuseFace: FaceVerifier = async () => {
  throw new Error('no face verification service is configured');
};

export function createSessionModuleWith(options: SessionModuleOptions = {}): AgentModuleFactory {
  return (ctx) => buildSessionModule(ctx, options);
}

/** The session module with placeholder flows; the default composition uses this. */
export const createSessionModule: AgentModuleFactory = createSessionModuleWith();

function buildSessionModule(ctx: AgentContext, options: SessionModuleOptions): AgentModule {
  const log = ctx.logger.child({ module: 'session' });
  // No verifier configured: never run the face step (and never fall back to the stub).
  const noFace = options.faceVerifier === null;
  const sessionConfig = noFace ? withoutOptionalFace(ctx.config.session) : ctx.config.session;
  const settings = sessionSettings(sessionConfig);
  const vault = new IdentityVault();
  const face = new FaceStep(
    () => {
      const d = ctx.devices.get('camera');
      return isFaceCamera(d) ? d : undefined;
    },
    options.faceVerifier === undefined ? sandboxFaceVerifier : (options.faceVerifier ?? refuseFace),
    () => vault.current(),
    log,
  );
  const snapshotFile = new SnapshotFile(options.snapshotFile ?? join(resolvePath(ctx.config.dataDir), 'session-snapshot.json'));
  const upstreams = options.upstreams;

  const availability = (): AvailabilityView =>
    computeAvailability({
      mode: ctx.mode.get(),
      modeMessage: ctx.mode.message() ?? null,
      devices: ctx.deviceStatuses(),
      upstreams: {
        ...upstreams?.states(),
        ...(noFace ? { face: 'down' as const } : {}),
        ...(options.eidRedeemer ? {} : { eid: 'down' as const }),
      },
      config: sessionConfig,
    });

  const flowDeps: FlowDeps = {
    identity: () => vault.current(),
    gas: () => ctx.ports.get('gas'),
    photo: () => ctx.ports.get('photo'),
    gasCard: () => {
      const d = ctx.devices.get('gascard');
      return isGasCardReader(d) ? d : undefined;
    },
  };
  const flows = Object.fromEntries(serviceIds.map((id) => [id, (options.flows?.[id] ?? placeholderFlow)(flowDeps)])) as Record<
    ServiceId,
    AnyStateMachine
  >;

  const reader = ctx.devices.get('idcard');
  const scanner = ctx.devices.get('scanner');

  // Cards in the readers, for the "take your card" reminders (view.takeCards); the gas reader
  // says so itself. The ID card reader can lose sight of a read card (docs/idcard.md "Presence"):
  // the reminder counts the card while the driver says `present`; while presence is `unknown` on
  // a reader that cannot tell, for `idCardReminderMs` after the session's goodbye (then never
  // again for that card); `unknown` on a reader that confirms means it stopped confirming, i.e.
  // the card was most likely taken, and ends the reminder at once.
  let idCardPresent = false; // insert/remove only, for readers without cardPresence()
  let idCardReminderEndsAt: number | null = null;
  let reminderTimer: NodeJS.Timeout | undefined;
  const idCardReminderMs = ctx.config.session.idCardReminderMs;
  const idCardCounts = (now: number): boolean => {
    if (!isIdCardSource(reader) || !reader.cardPresence) return idCardPresent;
    const p = reader.cardPresence();
    if (p.presence === 'present') return true;
    if (p.presence === 'absent' || p.readerConfirms) return false;
    return idCardReminderEndsAt === null || now < idCardReminderEndsAt;
  };
  /** Goodbye (or the end of a session without one): the bounded reminder starts, once per card. */
  const sessionEnding = (): void => {
    if (idCardReminderEndsAt !== null) return;
    idCardReminderEndsAt = Date.now() + idCardReminderMs;
    clearTimeout(reminderTimer);
    // The view changes when the time is up; a little slack so the clock has passed the end.
    reminderTimer = setTimeout(() => scheduleBroadcast(), idCardReminderMs + 20);
  };
  const leftBehind = new Set<CardKind>();
  const gasReader = () => flowDeps.gasCard?.();
  const cards = (): CardsInReaders => {
    const present = new Set<CardKind>();
    if (idCardCounts(Date.now())) present.add('idcard');
    if (gasReader()?.cardPresent()) present.add('gascard');
    for (const k of [...leftBehind]) if (!present.has(k)) leftBehind.delete(k);
    return { present, leftBehind };
  };

  const machine: SessionMachine = createSessionMachine({
    flows,
    cardWatcher: createCardWatcher(isIdCardSource(reader) ? reader : undefined, vault),
    codeWatcher: createCodeWatcher(isCodeScanner(scanner) ? scanner : undefined, vault),
    eidRedeem: createEidRedeemActor(options.eidRedeemer, vault, log),
    facePreview: face.previewActor,
    faceCapture: face.captureActor,
    print: createPrintActor(() => {
      const d = ctx.devices.get('printer');
      return isSlipPrinter(d) ? d : undefined;
    }),
    newSessionId: () => randomUUID(),
    now: () => Date.now(),
    faceEnded: () => face.end(),
    wiped: ({ sessionId, reason }) => {
      vault.wipe();
      face.end();
      // The scanner keeps the last code for its same-code window; that code is a bearer token.
      if (isCodeScanner(scanner)) scanner.forget();
      sessionEnding();
      for (const k of cards().present) leftBehind.add(k);
      log.info({ sessionId, reason }, 'session ended; personal data wiped');
    },
    audit: (action, detail) => ctx.audit('session', action, detail),
    rated: (info) => {
      // The full ID number is read from the vault here, hashed by the reporter and never stored;
      // only for a service the card identified the citizen for (a gas top-up is not theirs by card).
      const identified = settings.services[info.serviceId].identity;
      const submission: RatingSubmission = { ...info, idNumber: identified ? (vault.current()?.idNumber ?? null) : null };
      try {
        if (options.rated) options.rated(submission);
        else ctx.ports.get('ratings')?.submit(submission);
      } catch (err) {
        // A rating must never break the session; the audit log still has it (session.rating).
        log.error({ err: err instanceof Error ? err.message : String(err), service: info.serviceId }, 'rating not queued');
      }
    },
    printFailed: (info) => {
      ctx.audit('session', 'session.print_failed', { ...info });
      const what = info.incomplete ? '凭条打印不完整（已作废）Slip stopped part-way (void)' : '凭条未能打印 Slip not printed';
      const report = options.report ?? ((type, payload) => ctx.ports.get('monitor')?.sender.enqueueEvent(type, payload));
      try {
        // Central raises an alert that stays until staff acknowledge it (event alerts).
        report('alert', {
          code: info.incomplete ? 'slip-incomplete' : 'slip-not-printed',
          severity: info.incomplete ? 'error' : 'warning',
          message: `${what}: ${info.serviceId ?? '-'} (${info.reason})`,
        });
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'print failure not reported');
      }
    },
  });

  // Resume a session whose money step was in flight when the agent stopped.
  const saved = snapshotFile.load();
  let actor: Actor<SessionMachine>;
  const input = { settings, availability: availability(), assisted: ctx.mode.get() === 'assisted' };
  const make = (snapshot: unknown): Actor<SessionMachine> =>
    createActor(machine, {
      input,
      // Persisted snapshots are JSON from SnapshotFile; xstate validates their shape on restore.
      ...(snapshot ? { snapshot: snapshot as never } : {}),
      inspect: (ev) => {
        if (ev.type === '@xstate.snapshot') scheduleBroadcast();
      },
    });
  const fresh = (err: unknown): Actor<SessionMachine> => {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'saved session snapshot unusable; starting fresh');
    snapshotFile.clear();
    return make(null);
  };
  if (saved !== null && !fitsMachine(machine, saved, input)) {
    actor = fresh(new Error('snapshot does not match the session machine'));
  } else {
    try {
      actor = make(saved);
      if (saved) log.warn('restored a session snapshot saved during a money step');
    } catch (err) {
      actor = fresh(err);
    }
  }

  /**
   * Safety net: an error inside the machine or a flow must not leave the kiosk stuck on a dead
   * screen. The session is dropped (and its data wiped) and the kiosk starts again on attract.
   */
  const watchErrors = (a: Actor<SessionMachine>): void => {
    a.subscribe({
      error: (err) => {
        if (a !== actor) return;
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'session machine failed; starting a fresh session');
        queueMicrotask(() => {
          vault.wipe();
          face.end();
          snapshotFile.clear();
          actor = make(null);
          watchErrors(actor);
          if (running) {
            actor.start();
            pushStatus(true);
            afterChange();
          }
        });
      },
    });
  };
  watchErrors(actor);

  // ---- view broadcasting --------------------------------------------------------------------------
  let seq = 0;
  let lastKey = '';
  let lastView: SessionView | undefined;
  let scheduled = false;
  let running = false;
  const safeWaiters = new Set<() => void>();

  const currentView = (): SessionView => {
    const v = buildView(actor.getSnapshot(), seq, Date.now(), cards());
    const key = JSON.stringify({ ...v, seq: 0, countdown: v.countdown ? { ...v.countdown, remainingMs: 0 } : null });
    // A restarted countdown is a change even when everything else is the same.
    const stamp = actor.getSnapshot().context.timer?.startedAt ?? 0;
    if (key + stamp !== lastKey) {
      lastKey = key + stamp;
      seq += 1;
      v.seq = seq;
      lastView = v;
      return v;
    }
    return { ...v, seq };
  };

  function afterChange(): void {
    const snap = actor.getSnapshot();
    const c = snap.context;
    vault.sync(c.identity?.ref ?? null);
    if (c.screen !== 'identity') vault.dropCodes();
    try {
      if (c.persist) snapshotFile.save(actor.getPersistedSnapshot());
      else snapshotFile.clear();
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'session snapshot not saved');
    }
    if (c.busy === null) safeWaiters.forEach((w) => w());
    if (c.screen === 'goodbye') sessionEnding();
    const before = lastView;
    const v = currentView();
    if (v === lastView && v !== before) {
      if (before?.screen !== v.screen || before?.step !== v.step) {
        log.info({ sessionId: v.sessionId, screen: v.screen, step: v.step }, 'session screen');
      }
      ctx.broadcast(sessionStateEvent, v);
    }
  }

  function scheduleBroadcast(): void {
    if (scheduled || !running) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      if (running) afterChange();
    });
  }

  // ---- status feeding ----------------------------------------------------------------------------
  let lastStatus = '';
  function pushStatus(force = false): void {
    const a = availability();
    const assisted = ctx.mode.get() === 'assisted';
    const key = JSON.stringify([a, assisted]);
    if (key === lastStatus && !force) return;
    lastStatus = key;
    actor.send({ type: 'STATUS', availability: a, assisted });
  }
  const unsubscribers: (() => void)[] = [];

  // ---- commands ------------------------------------------------------------------------------------
  const send = (event: SessionEvent, what: string): { completionCode: 'success'; payload: SessionView } => {
    const snap = actor.getSnapshot();
    if (!snap.can(event)) {
      throw new CommandError('sequenceError', `${what} is not possible on the ${snap.context.screen} screen now`);
    }
    actor.send(event);
    afterChange();
    return { completionCode: 'success', payload: currentView() };
  };
  const simple = (
    name: string,
    type: 'START' | 'CONTINUE' | 'BACK' | 'CANCEL' | 'HOME' | 'END' | 'EXTEND' | 'RETRY' | 'FACE.CAPTURE',
  ) => defineCommand({ name, payload: empty, handle: async () => send({ type }, name) });

  const commands: CommandDefinition[] = [
    defineCommand({
      name: 'Session.GetState',
      payload: empty,
      handle: async () => ({ completionCode: 'success', payload: currentView() }),
    }),
    simple('Session.Start', 'START'),
    simple('Session.Continue', 'CONTINUE'),
    simple('Session.Back', 'BACK'),
    simple('Session.Cancel', 'CANCEL'),
    simple('Session.Home', 'HOME'),
    simple('Session.End', 'END'),
    simple('Session.Extend', 'EXTEND'),
    simple('Session.Retry', 'RETRY'),
    simple('Session.FaceCapture', 'FACE.CAPTURE'),
    defineCommand({
      name: 'Session.SetPrefs',
      payload: z
        .object({ lang: z.enum(['zh-CN', 'en']).optional(), elder: z.boolean().optional(), voice: z.boolean().optional() })
        .strict(),
      handle: async (p) => {
        const prefs = Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined));
        return send({ type: 'SET_PREFS', prefs }, 'Session.SetPrefs');
      },
    }),
    defineCommand({
      name: 'Session.SelectService',
      payload: z.object({ service: z.enum(serviceIds as [ServiceId, ...ServiceId[]]) }).strict(),
      handle: async (p) => send({ type: 'SELECT_SERVICE', service: p.service }, `Session.SelectService ${p.service}`),
    }),
    defineCommand({
      name: 'Session.Rate',
      payload: z
        .object({ rating: z.enum(ratingLevels), reasons: z.array(z.enum(ratingReasons)).max(ratingReasons.length).optional() })
        .strict()
        // Reasons explain a bad rating only (the national scheme asks for them with 不满意/非常不满意).
        .refine((p) => !p.reasons?.length || badRatingLevels.includes(p.rating), {
          message: 'reasons go with dissatisfied ratings only',
          path: ['reasons'],
        }),
      handle: async (p) => send({ type: 'RATE', rating: p.rating, reasons: [...new Set(p.reasons ?? [])] }, 'Session.Rate'),
    }),
    defineCommand({
      name: 'Session.FaceConsent',
      payload: z.object({ agree: z.boolean() }).strict(),
      handle: async (p) => send({ type: p.agree ? 'FACE.AGREE' : 'FACE.DECLINE' }, 'Session.FaceConsent'),
    }),
    defineCommand({
      name: 'Session.FlowEvent',
      payload: z
        .object({
          name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9.]{0,63}$/, 'a short event name'),
          data: z.record(z.string(), z.unknown()).default({}),
        })
        .strict(),
      handle: async (p) => send({ type: 'FLOW.EVENT', name: p.name, data: p.data }, `Session.FlowEvent ${p.name}`),
    }),
  ];

  const api: SessionApi = {
    // A pure read: currentView() would mark the change as seen and the UI would miss its broadcast.
    view: () => buildView(actor.getSnapshot(), seq, Date.now(), cards()),
    whenSafe: () =>
      actor.getSnapshot().context.busy === null
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const w = (): void => {
              safeWaiters.delete(w);
              resolve();
            };
            safeWaiters.add(w);
          }),
    send: (event) => actor.send(event),
  };
  ctx.ports.provide('session', api);

  return {
    name: 'session',
    commands,
    routes: (app) => face.routes(app),
    async start() {
      running = true;
      try {
        actor.start();
      } catch (err) {
        // A snapshot from an older machine can fail only when started; never block the kiosk on it.
        actor = fresh(err);
        watchErrors(actor);
        actor.start();
      }
      for (const d of ctx.devices.values()) {
        const listener = (): void => pushStatus();
        d.on('status', listener);
        unsubscribers.push(() => d.off('status', listener));
      }
      // A card coming or going changes the reminders on screen.
      if (isIdCardSource(reader)) {
        const inserted = (): void => {
          idCardPresent = true;
          scheduleBroadcast();
        };
        const placed = (): void => {
          // A new card: its reminder window starts at the next goodbye.
          idCardReminderEndsAt = null;
          clearTimeout(reminderTimer);
          inserted();
        };
        const presence = (): void => scheduleBroadcast();
        const removed = (): void => {
          idCardPresent = false;
          scheduleBroadcast();
        };
        reader.on('cardInserted', placed);
        reader.on('cardRead', inserted);
        reader.on('cardRemoved', removed);
        reader.on('cardPresence', presence);
        unsubscribers.push(() => {
          reader.off('cardInserted', placed);
          reader.off('cardRead', inserted);
          reader.off('cardRemoved', removed);
          reader.off('cardPresence', presence);
          clearTimeout(reminderTimer);
        });
      }
      const gas = gasReader();
      if (gas) {
        const changed = (): void => scheduleBroadcast();
        gas.on('cardInserted', changed);
        gas.on('cardRemoved', changed);
        unsubscribers.push(() => {
          gas.off('cardInserted', changed);
          gas.off('cardRemoved', changed);
        });
      }
      unsubscribers.push(ctx.mode.onChange(() => pushStatus()));
      if (upstreams) unsubscribers.push(upstreams.onChange(() => pushStatus()));
      pushStatus();
      afterChange();
    },
    async stop() {
      running = false;
      unsubscribers.splice(0).forEach((off) => off());
      actor.stop();
      face.end();
      vault.wipe();
      safeWaiters.forEach((w) => w());
      ctx.ports.withdraw('session');
    },
    health: () => {
      const c = actor.getSnapshot().context;
      return { session: { screen: c.screen, active: c.sessionId !== null, busy: c.busy } };
    },
  };
}
