/**
 * Shared steps of the "look up your records, confirm, print an official slip" flows (issue 13:
 * the property, tax and social flows each pasted the same sub-states). A flow file now says only
 * what differs: its own choice steps and list, what the query asks, and what the slip says.
 *
 * How to build a record flow (see records/property.ts for the smallest one):
 *
 *   const myFlow: FlowFactory = (deps) => recordFlowMachine<MyCtx, MyQuery, MyResponse>(kit, {
 *     id: 'myFlow', service: 'property', initial: 'chooseX',
 *     context: () => ({ ...fields of MyCtx beyond RecordContext }),
 *     query: {
 *       run: (q, signal) => services.x.query({ idNumber: fullIdNumber(deps), ...q }, { signal }),
 *       input: (c) => ({ ... }),                // what the query needs from the context
 *       isEmpty: (r) => r.records.length === 0,  // → the `noRecords` step
 *       found: { target: 'list', update: (c, r) => ({ holder: ..., ... }) },
 *       back: 'chooseX',                         // BACK while loading; LEAVE = out of the flow
 *     },
 *     noRecords: { data: (c) => ({ service, fromYear, toYear, kind }), back: 'chooseX' },
 *     confirm: (c) => ({ draft: { ...kit.draftBase(c.holder, c.identity), ... }, data }),  // slip + confirm screen
 *     count: (c) => ...,                         // optional: the result's record count
 *     states: (s) => ({ chooseX: s.createStateConfig({...}), list: s.createStateConfig({...}) }),
 *   });
 *
 * In the flow's own states use `s.assign` (typed against MyCtx) and `s.leave`; xstate does not
 * type inline guards inside createStateConfig, so annotate them:
 * `guard: ({ context, event }: { context: MyCtx; event: FlowInboundEvent }) => …` (see records/tax.ts).
 * A new record service also needs a RecordServiceId, a title in SLIP_TITLES and screens in the UI.
 *
 * The builder adds the shared steps, with these names (the UI renders by step name):
 * - `loading`: runs the query (cancelled by BACK); empty → `noRecords`; failure → `error`.
 * - `noRecords`: CONTINUE ends the flow with the "no records" result; BACK → `noRecords.back`.
 * - `error`: citizen text from UpstreamError; CONTINUE retries when retryable; BACK leaves.
 * - `confirm`: built by `confirm(c)` with a fresh idempotency key; CONTINUE → `registering`, BACK → `list`.
 * - `registering`: registers the slip (POST /slips) once per confirmed slip, so a reprint after a
 *   refill prints the same serial; done → the flow ends and hands the slip to the session's print step.
 * - `registerError`: CONTINUE retries (same key) when retryable; BACK → `list`.
 * - `finished`: final; output is `context.output` (default: back).
 * Every flow must therefore have a `list` state of its own. `LEAVE` as a target means "end the
 * flow going back home"; use `s.leave` in the flow's own states for the same.
 */
import { randomUUID } from 'node:crypto';
import { assign, fromPromise, setup, type AnyStateMachine } from 'xstate';
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { ReceiptDocument } from '../receipts/document.js';
import { slipContent, slipDocument, type SlipDraft } from '../receipts/slips/index.js';
import type { Services } from '../services/index.js';
import { doneWith, type FlowDeps, type FlowInboundEvent, type FlowInput, type FlowOutput } from '../session/flow.js';
import type { FlowView, MaskedIdentity } from '@kiosk/contracts/session-view';
import { errorData, errorLog, FlowStepError, NO_IDENTITY } from './present.js';
import type { ConfirmData, ErrorData, HolderView, NoRecordsData, RecordServiceId } from '@kiosk/contracts/record-views';

/** Typed view data → FlowView. The view types in views.ts are JSON by construction. */
export function flowView(step: string, data: object): FlowView {
  return { step, data: data as FlowView['data'] };
}

/** The upstream connectors the record flows use. */
export type RecordServices = Pick<Services, 'property' | 'tax' | 'social' | 'slips'>;

/** The context every record flow has; a flow's own context extends it. */
export interface RecordContext {
  view: FlowView;
  output: FlowOutput | null;
  identity: MaskedIdentity | null;
  holder: HolderView | null;
  error: ErrorData | null;
  /** The confirmed slip: registered with this idempotency key, so a retry gets the same serial. */
  draft: SlipDraft | null;
  key: string;
}

/** The flow's output when the citizen leaves it going back. */
export const back = (): FlowOutput => ({ outcome: 'back' });

/** The full ID number, read inside a query actor only (never kept in a context or view). */
export function fullIdNumber(deps: FlowDeps): string {
  const card = deps.identity();
  if (!card) throw new FlowStepError(NO_IDENTITY);
  return card.idNumber;
}

export const notesFor = (service: RecordServiceId): string[] => {
  const common = ['扫描二维码或访问上方地址可核验本凭证', 'Scan the QR code to verify this slip'];
  if (service === 'property') return ['本结果仅反映打印时的登记信息', 'Reflects the register at the time of printing', ...common];
  return common;
};

const noRecordsOutput = (service: RecordServiceId): FlowOutput =>
  doneWith({ kind: 'info', titleKey: `flows.noRecords.title.${service}`, messageKey: 'flows.noRecords.result' });

const printedOutput = (document: ReceiptDocument, serial: string, count: number): FlowOutput => ({
  outcome: 'done',
  // `n` is what the catalogue's "共 {n} 条记录" (and its plural forms) use; `count` for callers.
  result: {
    kind: 'success',
    titleKey: 'flows.result.title',
    messageKey: 'flows.result.body',
    params: { serial, count, n: count },
  },
  print: { document },
});

export interface RecordFlowKitOptions {
  logger?: Logger;
  /** Clock for print times (tests). */
  now?: () => Date;
}

/** What all record flows of one kiosk share: the slip registry, the clock, the kiosk's name, the log. */
export interface RecordFlowKit {
  now: () => Date;
  register: ReturnType<typeof registerActor>;
  /** Logs a failed step (never personal data) and turns it into the citizen's error screen. */
  failed(service: RecordServiceId, step: string, err: unknown): ErrorData;
  /** The common top of every slip: kiosk, holder (masked), print time. */
  draftBase(
    holder: HolderView | null,
    identity: MaskedIdentity | null,
  ): Pick<SlipDraft, 'kioskId' | 'location' | 'holder' | 'printedAt'>;
}

/** The public base of the slips' verify QR the config names, if any (no trailing slash). */
export function slipVerifyBase(config: { slips?: KioskConfig['slips'] }): string | undefined {
  return config.slips?.verifyBaseUrl?.replace(/\/+$/, '');
}

/**
 * Registers a confirmed slip with the slip registry (once per idempotency key, so a retry gets the
 * same serial) and returns its registration with the verify address the QR will show.
 */
export async function registerSlip(
  slips: Services['slips'],
  verifyBase: string | undefined,
  input: { draft: SlipDraft; key: string },
  signal: AbortSignal,
): Promise<Awaited<ReturnType<Services['slips']['register']>>> {
  const registered = await slips.register(slipContent(input.draft), { idempotencyKey: input.key, signal });
  // The QR must open on a phone: the configured public base wins over the registry's own address.
  return verifyBase ? { ...registered, verifyUrl: `${verifyBase}/verify/${encodeURIComponent(registered.serial)}` } : registered;
}

function registerActor(slips: Services['slips'], verifyBase: string | undefined, log: Logger | undefined) {
  return fromPromise<{ document: ReceiptDocument; serial: string }, { draft: SlipDraft; key: string }>(
    async ({ input, signal }) => {
      const reg = await registerSlip(slips, verifyBase, input, signal);
      log?.info({ kind: input.draft.kind, serial: reg.serial, records: input.draft.records.length }, 'slip registered');
      return { document: slipDocument(input.draft, reg), serial: reg.serial };
    },
  );
}

export function createRecordFlowKit(
  slips: Services['slips'],
  config: Pick<KioskConfig, 'kiosk'> & { slips?: KioskConfig['slips'] },
  options: RecordFlowKitOptions = {},
): RecordFlowKit {
  const now = options.now ?? (() => new Date());
  const log = options.logger?.child({ component: 'record-flows' });
  const kiosk = { kioskId: config.kiosk.id, location: config.kiosk.location };
  return {
    now,
    register: registerActor(slips, slipVerifyBase(config), log),
    failed(service, step, err) {
      log?.warn({ service, step, ...errorLog(err) }, 'record flow step failed');
      return errorData(service, err);
    },
    draftBase(holder, identity) {
      const h = holder ?? (identity ? { name: identity.name, idNumber: identity.idNumber } : { name: '*', idNumber: '*' });
      return { ...kiosk, holder: { nameMasked: h.name, idNumberMasked: h.idNumber }, printedAt: now() };
    },
  };
}

/** The typed setup a record flow's own states are written against (`s.createStateConfig`, `s.assign`). */
function recordSetup<C extends RecordContext, Q, R>(
  query: (input: Q, signal: AbortSignal) => Promise<R>,
  register: RecordFlowKit['register'],
) {
  return setup({
    types: { context: {} as C, input: {} as FlowInput, events: {} as FlowInboundEvent, output: {} as FlowOutput },
    actors: { query: fromPromise<R, Q>(({ input, signal }) => query(input, signal)), register },
  });
}

type RecordSetup<C extends RecordContext, Q, R> = ReturnType<typeof recordSetup<C, Q, R>>;

/** A target in the flow, or LEAVE: end the flow and go back home. */
export const LEAVE = '#leave';

export interface RecordFlowSpec<C extends RecordContext, Q, R> {
  /** The machine id (e.g. `taxFlow`). */
  id: string;
  service: RecordServiceId;
  initial: string;
  /** The flow's own context fields (RecordContext is filled in by the builder). */
  context: (input: FlowInput) => Omit<C, keyof RecordContext>;
  query: {
    run: (input: Q, signal: AbortSignal) => Promise<R>;
    input: (c: C) => Q;
    isEmpty: (r: R) => boolean;
    found: { target: string; update: (c: C, r: R) => Partial<C> };
    /** Where BACK while loading goes (LEAVE: out of the flow). */
    back: string;
  };
  noRecords: { data: (c: C) => NoRecordsData; back: string };
  /** The slip and the confirm screen for what the citizen chose. */
  confirm: (c: C) => { draft: SlipDraft; data: ConfirmData };
  /** The result's record count (default: the slip's records). */
  count?: (c: C) => number;
  /**
   * The flow's own states (choice steps and `list`), written with `s.createStateConfig` and
   * `s.assign`; `s.leave` is the transition that ends the flow going back home.
   */
  states: (s: RecordSteps<C, Q, R>) => Record<string, object>;
}

type RecordSteps<C extends RecordContext, Q, R> = RecordSetup<C, Q, R> & { leave: ReturnType<typeof leaveTransition<C, Q, R>> };

function leaveTransition<C extends RecordContext, Q, R>(s: RecordSetup<C, Q, R>) {
  return { target: 'finished', actions: s.assign(() => ({ output: back() }) as Partial<RecordContext> as Partial<C>) } as const;
}

/** Builds a record flow's machine from its spec plus the shared steps (see the header). */
export function recordFlowMachine<C extends RecordContext, Q, R>(
  kit: RecordFlowKit,
  spec: RecordFlowSpec<C, Q, R>,
): AnyStateMachine {
  // The shared steps are typed against RecordContext (xstate cannot check a config whose context
  // is a type parameter); the spec's functions see the flow's own context type C. The flow's own
  // states are type-checked against C by `s.createStateConfig` in the flow file.
  const asC = (c: RecordContext): C => c as C;
  const s = recordSetup<C, Q, R>(spec.query.run, kit.register);
  const base = setup({
    types: { context: {} as RecordContext, input: {} as FlowInput, events: {} as FlowInboundEvent, output: {} as FlowOutput },
    actors: {
      query: fromPromise<unknown, unknown>(({ input, signal }) => spec.query.run(input as Q, signal)),
      register: kit.register,
    },
  });
  const leave = { target: 'finished', actions: base.assign({ output: back }) };
  const to = (target: string) => (target === LEAVE ? leave : target);
  const errorView = base.assign({ view: ({ context }) => flowView('error', context.error ?? {}) });
  const service = spec.service;
  const count = (c: RecordContext): number => (spec.count ? spec.count(asC(c)) : (c.draft?.records.length ?? 0));

  return base.createMachine({
    id: spec.id,
    context: ({ input }) => ({
      view: flowView('loading', { service: input.serviceId }),
      output: null,
      identity: input.identity,
      holder: null,
      error: null,
      draft: null,
      key: '',
      ...spec.context(input),
    }),
    initial: spec.initial,
    states: {
      ...(spec.states({ ...s, leave: leaveTransition(s) }) as Record<string, never>),
      loading: {
        entry: assign({ view: () => flowView('loading', { service }) }),
        // A slow registry must not hold the citizen: cancelling stops the query (issue 19).
        on: { BACK: to(spec.query.back) },
        invoke: {
          src: 'query',
          input: ({ context }: { context: RecordContext }) => spec.query.input(asC(context)),
          onDone: [
            { guard: ({ event }) => spec.query.isEmpty(event.output as R), target: 'noRecords' },
            {
              target: spec.query.found.target,
              actions: assign(
                ({ event, context }) => spec.query.found.update(asC(context), event.output as R) as Partial<RecordContext>,
              ),
            },
          ],
          onError: { target: 'error', actions: assign({ error: ({ event }) => kit.failed(service, 'query', event.error) }) },
        },
      },
      confirm: {
        entry: assign(({ context }) => {
          const { draft, data } = spec.confirm(asC(context));
          return { draft, key: randomUUID(), view: flowView('confirm', data) };
        }),
        on: { CONTINUE: 'registering', BACK: 'list' },
      },
      registering: {
        entry: assign({ view: () => flowView('registering', { service }) }),
        invoke: {
          src: 'register',
          input: ({ context }) => ({ draft: context.draft!, key: context.key }),
          onDone: {
            target: 'finished',
            actions: assign({
              output: ({ event, context }) => printedOutput(event.output.document, event.output.serial, count(context)),
            }),
          },
          onError: {
            target: 'registerError',
            actions: assign({ error: ({ event }) => kit.failed(service, 'register', event.error) }),
          },
        },
      },
      noRecords: {
        entry: assign({ view: ({ context }) => flowView('noRecords', spec.noRecords.data(asC(context))) }),
        on: {
          CONTINUE: { target: 'finished', actions: assign({ output: () => noRecordsOutput(service) }) },
          BACK: to(spec.noRecords.back),
        },
      },
      error: {
        entry: errorView,
        on: {
          CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'loading' },
          BACK: leave,
        },
      },
      registerError: {
        entry: errorView,
        on: {
          CONTINUE: { guard: ({ context }) => context.error?.retryable === true, target: 'registering' },
          BACK: 'list',
        },
      },
      finished: { type: 'final' },
    },
    output: ({ context }) => context.output ?? back(),
  }) as AnyStateMachine;
}
