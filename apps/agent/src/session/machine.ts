/**
 * The citizen's session as an xstate 5 machine. The agent owns it; the UI renders the view made
 * from its snapshot (view.ts) and sends user events (module.ts turns commands into events).
 *
 *   attract ─START / tap / card read─▶ active ─────────────────────────────▶ wipe ─▶ attract
 *                                        ├ flow:  home → route → identity → face → service(flow)
 *                                        │        → [printing] → result → rating → goodbye
 *                                        └ timer: counting → warning → (zero) wipe; paused while busy
 *   attract ◀─▶ outOfService (mode, or no service usable)
 *
 * Side effects live in actors the module provides (SessionDeps), so the machine runs in tests
 * with fakes and a SimulatedClock. Context holds masked data only; full card data stays in the
 * module's vault, referenced by `identity.ref`.
 */
import {
  and,
  assign,
  stateIn,
  fromCallback,
  fromPromise,
  not,
  raise,
  sendTo,
  setup,
  type AnyStateMachine,
  type CallbackActorLogic,
  type EventObject,
  type PromiseActorLogic,
} from 'xstate';
import type { ReceiptDocument } from '../receipts/document.js';
import type { FlowInput, FlowOutput } from './flow.js';
import type { SessionConfig } from './services.js';
import { serviceInfo } from './services.js';
import {
  serviceIds,
  type AvailabilityView,
  type BusyReason,
  type ContactInfo,
  type EidRefusal,
  type MaskedIdentity,
  type Prefs,
  type PrintView,
  type RatingLevel,
  type RatingReason,
  type ReasonCode,
  type ResultView,
  type ScreenName,
  type ServiceId,
  type ServiceInfo,
} from '@kiosk/contracts/session-view';

export interface SessionSettings {
  countdown: SessionConfig['countdown'];
  services: Record<ServiceId, ServiceInfo & { enabled: boolean }>;
  faceMaxAttempts: number;
  /** In assisted mode the guide compares the citizen with the ID card: a face check is not asked for. */
  guideVerifiesFace: boolean;
  contact: ContactInfo;
}

export function sessionSettings(config: SessionConfig): SessionSettings {
  return {
    countdown: config.countdown,
    services: Object.fromEntries(serviceIds.map((id) => [id, serviceInfo(id, config)])) as SessionSettings['services'],
    faceMaxAttempts: config.face.maxAttempts,
    guideVerifiesFace: config.face.guideVerifies,
    contact: config.contact,
  };
}

const defaultPrefs: Prefs = { lang: 'zh-CN', elder: false, voice: true };

export type EndReason = 'finished' | 'timeout' | 'cancelled' | 'mode' | 'outOfService';

export interface SessionContext {
  settings: SessionSettings;
  sessionId: string | null;
  prefs: Prefs;
  availability: AvailabilityView;
  assisted: boolean;
  screen: ScreenName;
  serviceId: ServiceId | null;
  /** Masked identity plus the vault reference of the full card data. */
  identity: (MaskedIdentity & { ref: string }) | null;
  /** Where the identity came from: a card read, or a redeemed e-ID code (card-only services ask for the card). */
  identitySource: 'card' | 'eid' | null;
  /** Vault reference of the scanned e-ID code being redeemed (never the code). */
  eidCodeRef: string | null;
  /** Why the last e-ID code on this identity step was not accepted. */
  eidRefused: EidRefusal | null;
  identityConfirmed: boolean;
  faceVerified: boolean | null;
  faceAttempts: number;
  previewUrl: string | null;
  result: ResultView | null;
  printJob: { document: ReceiptDocument } | null;
  print: PrintView | null;
  rating: RatingLevel | null;
  busy: BusyReason | null;
  /** A flow asked for the snapshot to be kept on disk (money in flight). */
  persist: boolean;
  timer: { startedAt: number; totalMs: number; warningMs: number; paused: boolean } | null;
  endReason: EndReason | null;
  /** How the last service flow ended. */
  flowOutcome: FlowOutput['outcome'] | null;
}

export type SessionEvent =
  | { type: 'START' }
  | { type: 'SET_PREFS'; prefs: Partial<Prefs> }
  | { type: 'SELECT_SERVICE'; service: ServiceId }
  | { type: 'CONTINUE' }
  | { type: 'BACK' }
  | { type: 'CANCEL' }
  | { type: 'HOME' }
  | { type: 'END' }
  | { type: 'EXTEND' }
  | { type: 'RETRY' }
  | { type: 'RATE'; rating: RatingLevel; reasons?: RatingReason[] }
  | { type: 'FACE.AGREE' }
  | { type: 'FACE.DECLINE' }
  | { type: 'FACE.CAPTURE' }
  | { type: 'FACE.PREVIEW_READY'; url: string }
  | { type: 'FACE.PREVIEW_FAILED' }
  | { type: 'CARD.INSERTED' }
  | { type: 'CARD.READ'; identity: MaskedIdentity; ref: string }
  | { type: 'CARD.RETRY' }
  | { type: 'CARD.FAILED' }
  | { type: 'CARD.REMOVED' }
  /** The scanner read a code; `ref` is its place in the vault. */
  | { type: 'EID.SCANNED'; ref: string }
  | { type: 'FLOW.EVENT'; name: string; data: Record<string, unknown> }
  | { type: 'FLOW.BUSY'; reason: BusyReason | null }
  | { type: 'FLOW.PERSIST'; on: boolean }
  | { type: 'STATUS'; availability: AvailabilityView; assisted: boolean }
  | { type: 'TIMER.RESTART' };

export interface FaceCaptureResult {
  matched: boolean;
}

/** A failed print: the reason the citizen is told. */
export class PrintFailure extends Error {
  /** Printing stopped part-way (a void, cut-off slip may be in the tray). */
  incomplete = false;
  /** The slip's verification page, for a QR on screen instead of paper. */
  verify: { url: string; qrSvg: string } | null = null;
  constructor(
    readonly reason: ReasonCode | 'printFailed',
    message: string,
  ) {
    super(message);
    this.name = 'PrintFailure';
  }
}

export interface SessionDeps {
  /** Built service flows (see flow.ts); a service without one gets the placeholder. */
  flows: Record<Exclude<ServiceId, 'licence'>, AnyStateMachine> & Partial<Record<ServiceId, AnyStateMachine>>;
  /** Runs for the machine's whole life and sends CARD.* events from the ID card reader. */
  cardWatcher: CallbackActorLogic<EventObject, undefined>;
  /** Runs for the machine's whole life and sends EID.SCANNED from the 2D scanner (session/eid.ts). */
  codeWatcher: CallbackActorLogic<EventObject, undefined>;
  /** Redeems the scanned code behind `codeRef` at the e-ID platform; rejects with EidFailure. */
  eidRedeem: PromiseActorLogic<{ ref: string; identity: MaskedIdentity }, { codeRef: string | null }>;
  /** Runs while the live face preview shows; sends FACE.PREVIEW_READY {url} or FACE.PREVIEW_FAILED. */
  facePreview: CallbackActorLogic<EventObject, { sessionId: string | null }>;
  /** Takes a still (with the consent the preview was granted) and checks it. */
  faceCapture: PromiseActorLogic<FaceCaptureResult, { sessionId: string | null }>;
  /** Prints a slip; rejects with PrintFailure. */
  print: PromiseActorLogic<void, { document: ReceiptDocument; sessionId: string | null }>;
  newSessionId(): string;
  now(): number;
  /** The face step ended (success, decline, back, timeout): revoke consent, drop images. */
  faceEnded(sessionId: string | null): void;
  /** Everything about the session is gone from the machine; drop it everywhere else too. */
  wiped(info: { sessionId: string | null; reason: EndReason }): void;
  /** Audit trail (masked or opaque values only). */
  audit(action: string, detail: Record<string, unknown>): void;
  /**
   * The citizen rated the service (好差评): the module queues the report for the evaluation
   * platform and central. Runs inside the transition, before the command completes, so a rating
   * the citizen saw accepted is on disk.
   */
  rated?(info: { sessionId: string | null; serviceId: ServiceId; rating: RatingLevel; reasons: RatingReason[] }): void;
  /** A slip did not print (incomplete or not at all): the module reports it to central. */
  printFailed(info: {
    sessionId: string | null;
    serviceId: ServiceId | null;
    reason: ReasonCode | 'printFailed';
    incomplete: boolean;
  }): void;
}

const noop = fromCallback<EventObject, undefined>(() => {});

/** Deps for tests: nothing attached, placeholder-free flows must be given. */
export function baseDeps(flows: SessionDeps['flows'], overrides: Partial<SessionDeps> = {}): SessionDeps {
  let n = 0;
  return {
    flows,
    cardWatcher: noop,
    codeWatcher: noop,
    eidRedeem: fromPromise<{ ref: string; identity: MaskedIdentity }, { codeRef: string | null }>(async () => {
      throw new Error('no e-ID platform in these deps');
    }),
    facePreview: fromCallback<EventObject, { sessionId: string | null }>(({ sendBack }) => {
      sendBack({ type: 'FACE.PREVIEW_READY', url: '/api/session/preview/test' });
    }),
    faceCapture: fromPromise<FaceCaptureResult, { sessionId: string | null }>(async () => ({ matched: true })),
    print: fromPromise<void, { document: ReceiptDocument; sessionId: string | null }>(async () => {}),
    newSessionId: () => `s${++n}`,
    now: () => Date.now(),
    faceEnded: () => {},
    wiped: () => {},
    audit: () => {},
    printFailed: () => {},
    ...overrides,
  };
}

const emptyAvailability: AvailabilityView = {
  services: Object.fromEntries(
    serviceIds.map((id) => [id, { available: true, reasons: [] as ReasonCode[] }]),
  ) as AvailabilityView['services'],
  notices: [],
  outOfService: null,
};

interface SessionInput {
  settings: SessionSettings;
  availability?: AvailabilityView;
  assisted?: boolean;
}

/** How long the current screen may wait for the citizen (elder and assisted modes stretch it). */
export function screenTimeouts(c: Pick<SessionContext, 'settings' | 'screen' | 'prefs' | 'assisted'>): {
  totalMs: number;
  warningMs: number;
  warns: boolean;
} {
  const cd = c.settings.countdown;
  const s = cd.screens[c.screen as keyof typeof cd.screens];
  let total = c.prefs.elder
    ? (s?.elderMs ?? (s ? Math.round((s.ms * cd.elderMs) / cd.defaultMs) : cd.elderMs))
    : (s?.ms ?? cd.defaultMs);
  if (c.assisted) total = Math.round(total * cd.assistedFactor);
  const warningMs = Math.min(cd.warningMs, total);
  // The goodbye screen ends the session by design: no "are you still there?" there.
  return { totalMs: total, warningMs, warns: c.screen !== 'goodbye' };
}

/** The masked identity without the vault reference (for views and flow input). */
export function stripRef(identity: MaskedIdentity & { ref: string }): MaskedIdentity {
  const { ref: _ref, ...masked } = identity;
  return masked;
}

/** Everything one citizen's session leaves in the context, blank: the start state and what a wipe restores. */
function blankCitizenData() {
  return {
    sessionId: null,
    prefs: { ...defaultPrefs },
    serviceId: null,
    identity: null,
    identitySource: null,
    eidCodeRef: null,
    eidRefused: null,
    identityConfirmed: false,
    faceVerified: null,
    faceAttempts: 0,
    previewUrl: null,
    result: null,
    printJob: null,
    print: null,
    rating: null,
    busy: null,
    persist: false,
    timer: null,
    flowOutcome: null,
  } satisfies Partial<SessionContext>;
}

function wipedContext(c: SessionContext): Partial<SessionContext> {
  return { ...blankCitizenData(), screen: c.screen };
}

export function createSessionMachine(deps: SessionDeps) {
  const svc = (c: SessionContext) => (c.serviceId ? c.settings.services[c.serviceId] : null);
  const eidNotEnough = (c: SessionContext): boolean => c.identitySource === 'eid' && svc(c)?.eidCode === false;
  /** Entry actions of every screen (and sub-step): remember it and restart its countdown. */
  const screen = (name: ScreenName) => [{ type: 'enterScreen' as const, params: { name } }, 'restartTimer' as const];
  const step = () => 'restartTimer' as const;
  const end = (reason: EndReason) => ({ type: 'setEndReason' as const, params: { reason } });
  const flowInput = ({ context }: { context: SessionContext }): FlowInput => ({
    serviceId: context.serviceId!,
    identity: context.identity ? stripRef(context.identity) : null,
    lang: context.prefs.lang,
  });
  /** A service sub-state: runs one flow as the child `flow`; however it ends, #afterFlow decides what next. */
  const runFlow = <Src extends `flow.${ServiceId}`>(src: Src) => ({
    invoke: {
      id: 'flow',
      src,
      input: flowInput,
      onDone: { target: '#afterFlow', actions: 'takeOutput' as const },
      onError: { target: '#afterFlow', actions: 'flowCrashed' as const },
    },
  });

  return setup({
    types: {
      context: {} as SessionContext,
      events: {} as SessionEvent,
      input: {} as SessionInput,
    },
    actors: {
      cardWatcher: deps.cardWatcher,
      codeWatcher: deps.codeWatcher,
      eidRedeem: deps.eidRedeem,
      facePreview: deps.facePreview,
      faceCapture: deps.faceCapture,
      print: deps.print,
      'flow.property': deps.flows.property,
      'flow.gas': deps.flows.gas,
      'flow.tax': deps.flows.tax,
      'flow.social': deps.flows.social,
      'flow.photo': deps.flows.photo,
      'flow.licence': deps.flows.licence ?? deps.flows.property,
    },
    actions: {
      enterScreen: assign((_, params: { name: ScreenName }) => ({ screen: params.name })),
      restartTimer: raise({ type: 'TIMER.RESTART' }),
      setEndReason: assign((_, params: { reason: EndReason }) => ({ endReason: params.reason })),
      setIdentity: assign(({ context, event }) => {
        if (event.type !== 'CARD.READ') return {};
        const changed = context.identity?.ref !== event.ref;
        return {
          identity: { ...event.identity, ref: event.ref },
          identitySource: 'card' as const,
          // Another card means another person: nothing they confirmed or verified carries over.
          ...(changed ? { identityConfirmed: false, faceVerified: null, faceAttempts: 0 } : {}),
        };
      }),
      takeOutput: assign(({ event }) => {
        // Flows are typed as any machine; their output follows FlowOutput (flow.ts).
        const out = (event as { output?: FlowOutput }).output ?? { outcome: 'back' as const };
        return {
          flowOutcome: out.outcome,
          result:
            out.result ??
            (out.outcome === 'failed'
              ? { kind: 'failure' as const, titleKey: 'result.error.title', messageKey: 'result.error.body' }
              : null),
          printJob: out.outcome === 'done' && out.print ? out.print : null,
          print: null,
        };
      }),
      flowCrashed: assign({
        flowOutcome: 'failed',
        result: { kind: 'failure', titleKey: 'result.error.title', messageKey: 'result.error.body' },
        printJob: null,
        print: null,
      }),
    },
    guards: {
      outOfService: ({ context }) => context.availability.outOfService !== null,
      modeStopped: ({ context }) => context.availability.outOfService?.reason === 'mode',
      busy: ({ context }) => context.busy !== null,
      readerDown: ({ context }) => context.availability.notices.includes('idcardDown'),
      hasIdentity: ({ context }) => context.identity !== null,
      identityExpired: ({ context }) => context.identity?.expired === true,
      needsIdentity: ({ context }) =>
        svc(context)?.identity === true && (!(context.identityConfirmed && context.identity) || eidNotEnough(context)),
      // An identity from an e-ID code does not serve a service whose rules require the physical card.
      eidIdentityNotEnough: ({ context }) => eidNotEnough(context),
      needsFace: ({ context }) => {
        const s = svc(context);
        if (!s || s.face === 'off' || context.faceVerified === true) return false;
        // Optional and declined: the citizen goes on with the card alone.
        return !(s.face === 'optional' && context.faceVerified === false);
      },
      faceOptional: ({ context }) => svc(context)?.face === 'optional',
      eidAllowed: ({ context }) => svc(context)?.eidCode === true,
      guideVerifiesFace: ({ context }) => context.assisted && context.settings.guideVerifiesFace,
      faceAttemptsLeft: ({ context }) => context.faceAttempts < context.settings.faceMaxAttempts,
      printFailed: ({ context }) => context.print?.state === 'failed' && context.printJob !== null,
    },
    delays: {
      countdownWarnAt: ({ context }) => {
        const t = screenTimeouts(context);
        return t.warns ? t.totalMs - t.warningMs : t.totalMs;
      },
      countdownWarning: ({ context }) => screenTimeouts(context).warningMs,
    },
  }).createMachine({
    id: 'session',
    context: ({ input }) => ({
      ...blankCitizenData(),
      settings: input.settings,
      availability: input.availability ?? emptyAvailability,
      assisted: input.assisted ?? false,
      screen: 'attract',
      endReason: null,
    }),
    invoke: [
      { id: 'card', src: 'cardWatcher' },
      // Codes scanned anywhere but the identity step are ignored (never redeemed: they are single use).
      { id: 'codes', src: 'codeWatcher' },
    ],
    on: {
      STATUS: [
        {
          guard: ({ context, event }) => context.assisted !== event.assisted,
          actions: [
            assign({ availability: ({ event }) => event.availability, assisted: ({ event }) => event.assisted }),
            raise({ type: 'TIMER.RESTART' }),
          ],
        },
        { actions: assign({ availability: ({ event }) => event.availability }) },
      ],
    },
    initial: 'attract',
    states: {
      attract: {
        entry: assign({ screen: 'attract', timer: null }),
        always: { guard: 'outOfService', target: 'outOfService' },
        on: {
          START: 'active',
          SET_PREFS: {
            target: 'active',
            actions: assign({ prefs: ({ context, event }) => ({ ...context.prefs, ...event.prefs }) }),
          },
          // Placing the card on the idle kiosk starts a session with the identity already read.
          'CARD.READ': {
            target: 'active',
            actions: assign({ identity: ({ event }) => ({ ...event.identity, ref: event.ref }), identitySource: 'card' }),
          },
        },
      },
      outOfService: {
        entry: assign({ screen: 'outOfService', timer: null }),
        always: { guard: not('outOfService'), target: 'attract' },
        // The out-of-service page is bilingual too; a language switch there starts nothing.
        on: { SET_PREFS: { actions: assign({ prefs: ({ context, event }) => ({ ...context.prefs, ...event.prefs }) }) } },
      },
      active: {
        type: 'parallel',
        entry: [
          assign({ sessionId: () => deps.newSessionId(), endReason: null }),
          ({ context }) => deps.audit('session.start', { sessionId: context.sessionId }),
        ],
        // Out of service / maintenance waits for a safe point: never inside a service flow (a
        // payment, card write or print may be about to start or end) and never while busy.
        always: {
          guard: and(['modeStopped', not('busy'), not(stateIn('#service')), not(stateIn('#printing'))]),
          target: 'wipe',
          actions: end('mode'),
        },
        on: {
          SET_PREFS: {
            actions: [
              assign({ prefs: ({ context, event }) => ({ ...context.prefs, ...event.prefs }) }),
              raise({ type: 'TIMER.RESTART' }),
            ],
          },
          CANCEL: {
            guard: not('busy'),
            target: '#goodbye',
            actions: ({ context }) => deps.audit('session.cancel', { sessionId: context.sessionId, screen: context.screen }),
          },
          HOME: { guard: not('busy'), target: '#home' },
        },
        states: {
          flow: {
            initial: 'home',
            states: {
              home: {
                id: 'home',
                entry: [
                  ...screen('home'),
                  assign({
                    serviceId: null,
                    result: null,
                    print: null,
                    printJob: null,
                    rating: null,
                    faceAttempts: 0,
                    flowOutcome: null,
                  }),
                ],
                always: {
                  guard: 'outOfService',
                  target: '#session.wipe',
                  actions: assign({
                    endReason: ({ context }) => (context.availability.outOfService?.reason === 'mode' ? 'mode' : 'outOfService'),
                  }),
                },
                on: {
                  SELECT_SERVICE: {
                    guard: ({ context, event }) => context.availability.services[event.service].available,
                    target: 'route',
                    actions: assign({ serviceId: ({ event }) => event.service }),
                  },
                  'CARD.READ': { actions: 'setIdentity' },
                  BACK: { target: '#goodbye', actions: end('finished') },
                },
              },
              route: {
                id: 'route',
                always: [
                  { guard: 'needsIdentity', target: 'identity' },
                  {
                    guard: and(['needsFace', 'guideVerifiesFace']),
                    target: 'service',
                    actions: ({ context }) =>
                      deps.audit('face.byGuide', { sessionId: context.sessionId, service: context.serviceId }),
                  },
                  { guard: 'needsFace', target: 'face' },
                  { target: 'service' },
                ],
              },
              identity: {
                id: 'identity',
                entry: screen('identity'),
                exit: assign({ eidCodeRef: null, eidRefused: null }),
                initial: 'check',
                on: {
                  BACK: '#home',
                  'CARD.INSERTED': '.reading',
                  'CARD.READ': { target: '.check', actions: 'setIdentity' },
                  'CARD.RETRY': '.replace',
                  'CARD.FAILED': '.unreadable',
                  // The second source (issue 17): whichever of card and code arrives first wins;
                  // `reading`, `eidChecking` and `confirmed` ignore the other one.
                  'EID.SCANNED': [
                    { guard: not('eidAllowed'), target: '.eidCardOnly' },
                    { target: '.eidChecking', actions: assign({ eidCodeRef: ({ event }) => event.ref, eidRefused: null }) },
                  ],
                },
                states: {
                  check: {
                    always: [
                      { guard: 'eidIdentityNotEnough', target: 'waitCard' },
                      { guard: and(['hasIdentity', 'identityExpired']), target: 'expired' },
                      { guard: 'hasIdentity', target: 'confirmed' },
                      { guard: 'readerDown', target: 'readerDown' },
                      { target: 'waitCard' },
                    ],
                  },
                  waitCard: { entry: step(), always: { guard: 'readerDown', target: 'readerDown' } },
                  reading: { entry: step(), on: { 'CARD.REMOVED': 'replace', 'EID.SCANNED': { actions: [] } } },
                  eidChecking: {
                    entry: step(),
                    invoke: {
                      src: 'eidRedeem',
                      input: ({ context }) => ({ codeRef: context.eidCodeRef }),
                      onDone: {
                        target: 'check',
                        actions: assign(({ context, event }) => {
                          const changed = context.identity?.ref !== event.output.ref;
                          return {
                            eidCodeRef: null,
                            identity: { ...event.output.identity, ref: event.output.ref },
                            identitySource: 'eid' as const,
                            // Another person: nothing they confirmed or verified carries over.
                            ...(changed ? { identityConfirmed: false, faceVerified: null, faceAttempts: 0 } : {}),
                          };
                        }),
                      },
                      onError: {
                        target: 'eidRefused',
                        actions: assign({
                          eidCodeRef: null,
                          eidRefused: ({ event }) => {
                            const reason = (event.error as { reason?: unknown } | undefined)?.reason;
                            return typeof reason === 'string' ? (reason as EidRefusal) : 'unavailable';
                          },
                        }),
                      },
                    },
                    on: {
                      'CARD.INSERTED': { actions: [] },
                      'CARD.READ': { actions: [] },
                      'CARD.RETRY': { actions: [] },
                      'CARD.FAILED': { actions: [] },
                      'EID.SCANNED': { actions: [] },
                    },
                  },
                  eidRefused: { entry: step(), on: { RETRY: { target: 'waitCard', actions: assign({ eidRefused: null }) } } },
                  eidCardOnly: { entry: step(), on: { RETRY: 'waitCard' } },
                  replace: { entry: step() },
                  unreadable: { entry: step(), on: { RETRY: 'waitCard' } },
                  readerDown: { entry: step(), always: { guard: not('readerDown'), target: 'waitCard' } },
                  expired: { entry: step() },
                  confirmed: {
                    entry: step(),
                    on: {
                      CONTINUE: { target: '#route', actions: assign({ identityConfirmed: true }) },
                      'EID.SCANNED': { actions: [] },
                    },
                  },
                },
              },
              face: {
                id: 'face',
                entry: screen('face'),
                exit: [assign({ previewUrl: null }), ({ context }) => deps.faceEnded(context.sessionId)],
                initial: 'consent',
                on: { BACK: '#home' },
                states: {
                  consent: {
                    entry: step(),
                    on: {
                      'FACE.AGREE': {
                        target: 'live',
                        actions: ({ context }) => deps.audit('face.consent', { sessionId: context.sessionId, agreed: true }),
                      },
                      'FACE.DECLINE': 'declined',
                    },
                  },
                  live: {
                    invoke: { src: 'facePreview', input: ({ context }) => ({ sessionId: context.sessionId }) },
                    exit: assign({ previewUrl: null }),
                    on: {
                      'FACE.PREVIEW_READY': { actions: assign({ previewUrl: ({ event }) => event.url }) },
                      'FACE.PREVIEW_FAILED': '#face.failed',
                    },
                    initial: 'preview',
                    states: {
                      preview: { entry: step(), on: { 'FACE.CAPTURE': 'capturing' } },
                      capturing: {
                        entry: step(),
                        invoke: {
                          src: 'faceCapture',
                          input: ({ context }) => ({ sessionId: context.sessionId }),
                          onDone: [
                            {
                              guard: ({ event }) => event.output.matched,
                              target: '#face.matched',
                              actions: assign({ faceVerified: true }),
                            },
                            {
                              target: '#face.mismatch',
                              actions: assign({ faceAttempts: ({ context }) => context.faceAttempts + 1 }),
                            },
                          ],
                          onError: '#face.failed',
                        },
                      },
                    },
                  },
                  matched: { entry: step(), on: { CONTINUE: '#route' } },
                  mismatch: {
                    entry: step(),
                    on: { RETRY: { guard: 'faceAttemptsLeft', target: 'live' }, 'FACE.DECLINE': 'declined' },
                  },
                  failed: { entry: step(), on: { RETRY: 'live', 'FACE.DECLINE': 'declined' } },
                  declined: {
                    entry: [
                      step(),
                      assign({ faceVerified: ({ context }) => (context.faceVerified === true ? true : false) }),
                      ({ context }) => deps.audit('face.consent', { sessionId: context.sessionId, agreed: false }),
                    ],
                    on: { CONTINUE: { guard: 'faceOptional', target: '#route' } },
                  },
                },
              },
              service: {
                id: 'service',
                entry: screen('service'),
                exit: assign({ busy: null, persist: false }),
                on: {
                  CONTINUE: { actions: sendTo('flow', { type: 'CONTINUE' }) },
                  BACK: { actions: sendTo('flow', { type: 'BACK' }) },
                  'FLOW.EVENT': {
                    actions: sendTo('flow', ({ event }) => ({ type: 'FLOW.EVENT', name: event.name, data: event.data })),
                  },
                  'FLOW.PERSIST': { actions: assign({ persist: ({ event }) => event.on }) },
                },
                initial: 'pick',
                states: {
                  pick: {
                    always: [
                      { guard: ({ context }) => context.serviceId === 'property', target: 'property' },
                      { guard: ({ context }) => context.serviceId === 'gas', target: 'gas' },
                      { guard: ({ context }) => context.serviceId === 'tax', target: 'tax' },
                      { guard: ({ context }) => context.serviceId === 'social', target: 'social' },
                      { guard: ({ context }) => context.serviceId === 'photo', target: 'photo' },
                      {
                        guard: ({ context }) => context.serviceId === 'licence' && deps.flows.licence !== undefined,
                        target: 'licence',
                      },
                      { target: '#home' },
                    ],
                  },
                  property: runFlow('flow.property'),
                  gas: runFlow('flow.gas'),
                  tax: runFlow('flow.tax'),
                  social: runFlow('flow.social'),
                  photo: runFlow('flow.photo'),
                  licence: runFlow('flow.licence'),
                },
              },
              afterFlow: {
                id: 'afterFlow',
                always: [
                  { guard: ({ context }) => context.flowOutcome === 'cancel', target: '#goodbye' },
                  { guard: ({ context }) => context.flowOutcome === 'back' || context.result === null, target: '#home' },
                  { guard: ({ context }) => context.printJob !== null, target: 'printing' },
                  { target: 'result' },
                ],
              },
              printing: {
                id: 'printing',
                entry: [assign({ busy: 'printing', print: { state: 'printing' } }), ...screen('printing')],
                exit: [assign({ busy: null }), raise({ type: 'TIMER.RESTART' })],
                invoke: {
                  src: 'print',
                  input: ({ context }) => ({ document: context.printJob!.document, sessionId: context.sessionId }),
                  onDone: { target: 'result', actions: assign({ print: { state: 'printed' } }) },
                  onError: {
                    target: 'result',
                    actions: [
                      assign({
                        print: ({ event }): PrintView => {
                          const e = event.error instanceof PrintFailure ? event.error : null;
                          return {
                            state: 'failed',
                            reason: e ? e.reason : 'printFailed',
                            ...(e?.incomplete ? { incomplete: true } : {}),
                            ...(e?.verify ? { verify: { ...e.verify } } : {}),
                          };
                        },
                      }),
                      ({ context, event }) =>
                        deps.printFailed({
                          sessionId: context.sessionId,
                          serviceId: context.serviceId,
                          reason: event.error instanceof PrintFailure ? event.error.reason : 'printFailed',
                          incomplete: event.error instanceof PrintFailure && event.error.incomplete,
                        }),
                    ],
                  },
                },
              },
              result: {
                id: 'result',
                entry: screen('result'),
                on: { CONTINUE: 'rating', RETRY: { guard: 'printFailed', target: 'printing' } },
              },
              rating: {
                id: 'rating',
                entry: screen('rating'),
                on: {
                  RATE: {
                    target: 'goodbye',
                    actions: [
                      assign({ rating: ({ event }) => event.rating }),
                      ({ context, event }) =>
                        deps.audit('session.rating', {
                          sessionId: context.sessionId,
                          service: context.serviceId,
                          rating: event.rating,
                          ...(event.reasons?.length ? { reasons: event.reasons } : {}),
                        }),
                      ({ context, event }) => {
                        if (context.serviceId) {
                          deps.rated?.({
                            sessionId: context.sessionId,
                            serviceId: context.serviceId,
                            rating: event.rating,
                            reasons: event.reasons ?? [],
                          });
                        }
                      },
                    ],
                  },
                  // Rating is optional: skipping is as easy as rating (no dark patterns).
                  CONTINUE: 'goodbye',
                },
              },
              goodbye: {
                id: 'goodbye',
                entry: screen('goodbye'),
                on: { END: { target: '#session.wipe', actions: end('finished') }, CONTINUE: '#home' },
              },
            },
          },
          timer: {
            // Every restart goes through `restart`, which leaves and re-enters the counting state
            // (and so its delayed events). `reenter: true` is avoided here: re-entering a region of
            // a parallel state re-enters the whole session.
            initial: 'restart',
            on: {
              'TIMER.RESTART': '.restart',
              EXTEND: { guard: not('busy'), target: '.restart' },
              'FLOW.BUSY': { target: '.restart', actions: assign({ busy: ({ event }) => event.reason }) },
            },
            states: {
              restart: { always: [{ guard: 'busy', target: 'paused' }, { target: 'counting' }] },
              counting: {
                entry: assign({
                  timer: ({ context }) => {
                    const t = screenTimeouts(context);
                    return { startedAt: deps.now(), totalMs: t.totalMs, warningMs: t.warningMs, paused: false };
                  },
                }),
                after: {
                  countdownWarnAt: [
                    { guard: ({ context }) => screenTimeouts(context).warns, target: 'warning' },
                    // Only the goodbye screen has no warning: its end is the normal end.
                    { target: '#session.wipe', actions: end('finished') },
                  ],
                },
              },
              warning: {
                after: { countdownWarning: { target: '#session.wipe', actions: end('timeout') } },
              },
              paused: {
                entry: assign({ timer: ({ context }) => (context.timer ? { ...context.timer, paused: true } : null) }),
              },
            },
          },
        },
      },
      wipe: {
        entry: [
          ({ context }) => deps.audit('session.end', { sessionId: context.sessionId, reason: context.endReason ?? 'finished' }),
          ({ context }) => deps.wiped({ sessionId: context.sessionId, reason: context.endReason ?? 'finished' }),
          assign(({ context }) => wipedContext(context)),
        ],
        always: 'attract',
      },
    },
  });
}

export type SessionMachine = ReturnType<typeof createSessionMachine>;
