/**
 * 天然气自助充值 as a session flow (contract: session/flow.ts; money path: gas/engine.ts, docs/gas.md).
 *
 *   [removeCard: a card was already in the reader] → start (keypad 户号 | card placed | 补写卡)
 *   → lookingUp / readingCard / waitCard → account (amount) → confirm (pay with the amount shown)
 *   → creating → order{paying → crediting} → rested → printing → (result)
 *   pendingEntry → finishing → printing → (result)
 *
 * The flow never moves money itself: it asks the gas engine (in-process, `FlowDeps.gas()`) for an
 * order and follows it. Around money steps it tells the session: FLOW.BUSY (payment, cardWrite,
 * printing — the countdown pauses and cancel/home are refused) and FLOW.PERSIST (the snapshot is
 * kept on disk). The receipt or pending slip is printed by the engine (`printSlip`), which journals
 * receipt_printed/done itself, so the flow hands the session no print job.
 *
 * The typed account number is the only full number the flow sees; it is kept in the factory's
 * closure (memory, one session at a time), never in the context (which may be written to disk).
 * When the flow stops for any reason, `endSession()` closes an unpaid order and forgets the card.
 *
 * A gas card already in the reader when the flow starts is not this citizen's (the last one left
 * it): the flow asks for it to be taken out before anything else, and the start screen reacts only
 * to a card being *placed* (an insertion), never to one merely present, so 上一步 from the account
 * of the citizen's own card does not bounce back to it (issue 19).
 *
 * The amount is the agent's: the UI's pay tap carries the amount it showed, and the flow refuses
 * to create an order unless it equals the amount the agent validated and showed on confirm.
 */
import { maskAddress, yuan } from '@kiosk/platform';
import { assign, fromCallback, fromPromise, sendParent, sendTo, setup, type AnyStateMachine } from 'xstate';
import { z } from 'zod';
import type { GasApi } from '../gas/api.js';
import type { AccountView, CardView, OrderView, PrintOutcome } from '../gas/engine.js';
import { GasError } from '../gas/errors.js';
import type { Logger } from '@kiosk/platform';
import {
  doneWith,
  type FlowDeps,
  type FlowFactory,
  type FlowInboundEvent,
  type FlowInput,
  type FlowOutput,
} from '../session/flow.js';
import type { BusyReason, FlowView } from '@kiosk/contracts/session-view';
import type {
  GasAccountData,
  GasAccountStepData,
  GasConfirmData,
  GasCreditingData,
  GasErrorData,
  GasFinishingData,
  GasPayingData,
  GasPrintingData,
  GasRemoveCardData,
  GasStartData,
  GasText,
} from '@kiosk/contracts/gas-views';

export interface GasFlowOptions {
  logger?: Logger;
}

type Internal =
  | { type: 'GAS.CARD_GONE' }
  | { type: 'GAS.CARD_PLACED' }
  | { type: 'GAS.TICK'; secondsLeft: number; tradeState: string }
  | { type: 'GAS.ORDER'; order: OrderView }
  | { type: 'GAS.RESTED'; order: OrderView }
  | { type: 'GAS.FAILED'; error: GasErrorData };

type Ev = FlowInboundEvent | Internal;

interface Ctx {
  view: FlowView;
  output: FlowOutput | null;
  /** How the account was identified: typed (number held in the closure) or the card in the reader. */
  source: 'typed' | 'card' | null;
  account: GasAccountData | null;
  amountFen: number | null;
  amountError: 'range' | 'step' | null;
  notice: GasText | null;
  paying: GasPayingData | null;
  rested: OrderView | null;
  /** The last order finished via 补写卡 (not personal: the slip's own number). */
  finishingNo: string | null;
  mode: 'topUp' | 'finish';
  error: GasErrorData | null;
  errorReturn: 'start' | 'account' | 'pendingEntry';
}

const UNAVAILABLE: GasText = {
  zh: '燃气充值暂时无法使用，请稍后再试或拨打服务热线咨询。',
  en: 'Gas top-up is not available right now. Please try again later or call the hotline.',
};

const GENERIC: GasText = {
  zh: '系统暂时无法完成操作，请稍后再试。如已付款，款项不会丢失。',
  en: 'The system could not complete this step. Please try again later. If you paid, your money is safe.',
};

const CANCELLED: GasText = { zh: '订单已取消，未扣款。', en: 'The order was cancelled and nothing was charged.' };

const AMOUNT_CHANGED: GasText = {
  zh: '充值金额与确认的不一致，未下单。请重新选择金额。',
  en: 'The amount did not match the one you confirmed; no order was made. Please choose the amount again.',
};

function view(step: string, data: object): FlowView {
  // The view types in gas-views.ts are JSON by construction.
  return { step, data: data as FlowView['data'] };
}

function accountData(a: AccountView, card: CardView | null): GasAccountData {
  return {
    accountNoMasked: a.accountNoMasked,
    holderNameMasked: a.holderNameMasked,
    // Whoever types an account number (or holds someone's card) sees only the street (issue 19).
    address: maskAddress(a.address),
    company: a.company,
    meterType: a.meterType,
    balanceFen: a.balanceFen,
    arrearsFen: a.arrearsFen,
    purchaseCount: a.purchaseCount,
    lastPurchase: a.lastPurchase
      ? { amountFen: a.lastPurchase.amountFen, volumeM3: a.lastPurchase.volumeM3, purchasedAt: a.lastPurchase.purchasedAt }
      : null,
    unitPriceFen: a.unitPriceFen,
    allowanceFen: a.allowanceFen,
    amounts: { ...a.amounts, presetsFen: [...a.amounts.presetsFen] },
    canTopUp: a.canTopUp,
    reason: a.reason ? { reason: a.reason.reason, citizen: { ...a.reason.citizen } } : null,
    card: card
      ? { cardNoMasked: card.cardNoMasked, purchaseCount: card.purchaseCount, pendingOrders: [...card.pendingOrders] }
      : null,
  };
}

class GasUnavailable extends Error {
  constructor() {
    super('gas module not running');
    this.name = 'GasUnavailable';
  }
}

function errorOf(err: unknown, retry = true): GasErrorData {
  if (err instanceof GasError) return { message: { ...err.citizen }, retry };
  if (err instanceof GasUnavailable) return { message: UNAVAILABLE, retry: false };
  return { message: GENERIC, retry };
}

const CREDITED = new Set(['credited', 'receipt_printed', 'done']);
const PENDING = new Set(['credit_pending', 'needs_attention']);

const lookupSchema = z.object({ accountNo: z.string().regex(/^\d{6,20}$/) }).strict();
const amountSchema = z.object({ amountFen: z.number().int().positive() }).strict();
const finishSchema = z.object({ orderNo: z.string().trim().min(8).max(80) }).strict();
const paySchema = z.object({ amountFen: z.number().int().positive() }).strict();

/** The amount is one the account allows: in range and on the step. */
function amountProblem(amountFen: number, r: GasAccountData['amounts']): 'range' | 'step' | null {
  if (amountFen < r.minFen || amountFen > r.maxFen) return 'range';
  if (amountFen % r.stepFen !== 0) return 'step';
  return null;
}

export function createGasFlow(options: GasFlowOptions = {}): FlowFactory {
  const log = options.logger?.child({ component: 'gas-flow' });

  return (deps: FlowDeps) => {
    const api = (): GasApi => {
      const a = deps.gas?.();
      if (!a) throw new GasUnavailable();
      return a;
    };
    /** The typed account number (full), memory only, for this session's order. */
    const held: { accountNo: string | null } = { accountNo: null };

    const lookup = fromPromise<GasAccountData, { accountNo: string }>(async ({ input, signal }) => {
      held.accountNo = input.accountNo;
      const { view: v } = await api().engine.lookupAccount({ accountNo: input.accountNo }, signal);
      return accountData(v, null);
    });

    const readCard = fromPromise<GasAccountData, { timeoutMs: number }>(async ({ input, signal }) => {
      const r = await api().engine.readCard({ timeoutMs: input.timeoutMs, signal });
      held.accountNo = null;
      return accountData(r.account, r.card);
    });

    const createOrder = fromPromise<GasPayingData, { amountFen: number; source: 'typed' | 'card'; merchant: string }>(
      async ({ input }) => {
        const gas = api();
        const accountNo = input.source === 'typed' ? held.accountNo : null;
        if (input.source === 'typed' && !accountNo) throw new GasUnavailable();
        const created = await gas.engine.createOrder({ amountFen: input.amountFen, ...(accountNo ? { accountNo } : {}) });
        const o = created.order;
        log?.info({ orderNo: o.orderNo, amountFen: o.amountFen, meter: o.meterType }, 'gas order created');
        return {
          orderNo: o.orderNo,
          amountFen: o.amountFen,
          merchant: input.merchant,
          accountNoMasked: o.accountNoMasked,
          meterType: o.meterType,
          qrSvg: created.qrSvg,
          codeUrl: o.payment?.codeUrl ?? '',
          deadline: o.payment?.deadline ?? null,
          secondsLeft: o.payment?.secondsLeft ?? 0,
          totalSeconds: o.payment?.secondsLeft ?? 0,
          tradeState: o.payment?.tradeState ?? null,
          cancelling: false,
        };
      },
    );

    /** Follows an order until it rests; `GAS.CANCEL` closes it if unpaid. */
    const watch = fromCallback<{ type: 'GAS.CANCEL' }, { orderNo: string }>(({ input, sendBack, receive }) => {
      const ac = new AbortController();
      let gas: GasApi;
      try {
        gas = api();
      } catch (err) {
        sendBack({ type: 'GAS.FAILED', error: errorOf(err, false) });
        return () => {};
      }
      gas.engine
        .waitForRest(input.orderNo, {
          signal: ac.signal,
          onTick: (t) => sendBack({ type: 'GAS.TICK', secondsLeft: t.secondsLeft, tradeState: t.tradeState }),
          onOrder: (o) => sendBack({ type: 'GAS.ORDER', order: o }),
        })
        .then(
          (o) => sendBack({ type: 'GAS.RESTED', order: o }),
          (err: unknown) => {
            if (!ac.signal.aborted) sendBack({ type: 'GAS.FAILED', error: errorOf(err) });
          },
        );
      receive(() => {
        gas.engine
          .cancel(input.orderNo)
          .catch((err: unknown) =>
            log?.warn({ orderNo: input.orderNo, err: err instanceof Error ? err.name : 'unknown' }, 'cancel failed'),
          );
      });
      return () => ac.abort();
    });

    const print = fromPromise<PrintOutcome | null, { orderNo: string }>(async ({ input }) => {
      try {
        return await api().engine.printSlip(input.orderNo);
      } catch (err) {
        log?.warn({ orderNo: input.orderNo, err: err instanceof Error ? err.name : 'unknown' }, 'gas slip not printed');
        return null;
      }
    });

    const finishPending = fromPromise<{ order: OrderView; alreadyComplete: boolean }, { orderNo: string }>(
      async ({ input, signal }) => api().engine.finishPending(input.orderNo, { signal }),
    );

    /** Resolves (GAS.CARD_GONE) once no gas card is in the reader; polls too, in case an event was missed. */
    const cardGone = fromCallback(({ sendBack }) => {
      const reader = deps.gasCard?.();
      if (!reader || !reader.cardPresent()) {
        sendBack({ type: 'GAS.CARD_GONE' });
        return () => {};
      }
      const check = (): void => {
        if (!reader.cardPresent()) sendBack({ type: 'GAS.CARD_GONE' });
      };
      reader.on('cardRemoved', check);
      const timer = setInterval(check, 250);
      return () => {
        clearInterval(timer);
        reader.off('cardRemoved', check);
      };
    });

    /** GAS.CARD_PLACED when a card is inserted while the start screen shows (not one already there). */
    const cardPlaced = fromCallback(({ sendBack }) => {
      const reader = deps.gasCard?.();
      if (!reader) return () => {};
      const placed = (): void => sendBack({ type: 'GAS.CARD_PLACED' });
      reader.on('cardInserted', placed);
      return () => reader.off('cardInserted', placed);
    });

    /** Lives as long as the flow: when it stops (finished, session timeout, wipe) the session's gas state ends. */
    const sessionEnd = fromCallback(() => () => {
      held.accountNo = null;
      const gas = deps.gas?.();
      if (gas) void gas.endSession().catch(() => undefined);
    });

    const busy = (reason: BusyReason | null) => ({ type: 'busy' as const, params: { reason } });
    const persist = (on: boolean) => ({ type: 'persist' as const, params: { on } });

    const startView = (c: Ctx): FlowView => view('start', { cardReader: true, notice: c.notice } satisfies GasStartData);
    const accountView = (c: Ctx): FlowView =>
      view('account', {
        account: c.account!,
        amountFen: c.amountFen,
        amountError: c.amountError,
        notice: c.notice,
      } satisfies GasAccountStepData);
    const errorView = (c: Ctx): FlowView => view('error', c.error ?? { message: GENERIC, retry: true });

    const outcomeOf = (c: Ctx, printed: PrintOutcome | null): FlowOutput => {
      const o = c.rested!;
      const slip = printed?.printed === true ? 'printed' : 'noSlip';
      const meter = o.meterType === 'iot' ? 'iot' : 'ic';
      const params = {
        amount: yuan(o.amountFen),
        orderNo: o.orderNo,
        account: o.accountNoMasked,
        volume: o.volumeM3 === null ? '-' : o.volumeM3.toFixed(2),
        count: o.purchaseCount ?? '-',
      };
      if (o.stage === 'paymentUnknown') {
        // The truth per credit kind (issue 12): an IC card needs 补写卡 with the card.
        return doneWith({
          kind: 'info',
          titleKey: 'gas.result.unknown.title',
          messageKey: `gas.result.unknown.${meter}.${slip}`,
          params,
        });
      }
      if (CREDITED.has(o.state) || printed?.order.state === 'done') {
        return doneWith({
          kind: 'success',
          titleKey: `gas.result.${meter}.title`,
          messageKey: `gas.result.${meter}.${slip}`,
          params,
        });
      }
      return doneWith({
        kind: 'info',
        titleKey: 'gas.result.pending.title',
        messageKey: `gas.result.pending.${meter}.${slip}`,
        params,
      });
    };

    const closedOutcome = (o: OrderView): FlowOutput => {
      const params = { amount: yuan(o.amountFen), orderNo: o.orderNo };
      if (o.stage === 'paymentExpired')
        return doneWith({ kind: 'failure', titleKey: 'gas.result.expired.title', messageKey: 'gas.result.expired.body', params });
      if (o.stage === 'paymentClosed')
        return doneWith({ kind: 'info', titleKey: 'gas.result.closed.title', messageKey: 'gas.result.closed.body', params });
      if (o.stage === 'refunded')
        return doneWith({ kind: 'info', titleKey: 'gas.result.refunded.title', messageKey: 'gas.result.refunded.body', params });
      const meter = o.meterType === 'iot' ? 'iot' : 'ic';
      return doneWith({
        kind: 'info',
        titleKey: 'gas.result.unknown.title',
        messageKey: `gas.result.unknown.${meter}.noSlip`,
        params,
      });
    };

    return setup({
      types: { context: {} as Ctx, input: {} as FlowInput, events: {} as Ev, output: {} as FlowOutput },
      actors: { lookup, readCard, createOrder, watch, print, finishPending, sessionEnd, cardGone, cardPlaced },
      actions: {
        busy: sendParent((_, params: { reason: BusyReason | null }) => ({ type: 'FLOW.BUSY', reason: params.reason })),
        persist: sendParent((_, params: { on: boolean }) => ({ type: 'FLOW.PERSIST', on: params.on })),
      },
    }).createMachine({
      id: 'gasFlow',
      context: () => ({
        view: view('start', { cardReader: true, notice: null } satisfies GasStartData),
        output: null,
        source: null,
        account: null,
        amountFen: null,
        amountError: null,
        notice: null,
        paying: null,
        rested: null,
        finishingNo: null,
        mode: 'topUp',
        error: null,
        errorReturn: 'start',
      }),
      invoke: { src: 'sessionEnd' },
      initial: 'check',
      states: {
        check: {
          always: [{ guard: () => deps.gasCard?.()?.cardPresent() === true, target: 'removeCard' }, { target: 'start' }],
        },
        removeCard: {
          // Someone else's card (or the citizen's, placed before they asked): nothing is read from it.
          entry: assign({ view: () => view('removeCard', { reason: 'foreign' } satisfies GasRemoveCardData) }),
          invoke: { src: 'cardGone' },
          on: {
            'GAS.CARD_GONE': 'start',
            BACK: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
          },
        },
        start: {
          entry: assign({
            view: ({ context }) => startView(context),
            account: null,
            amountFen: null,
            amountError: null,
            source: null,
            mode: 'topUp',
          }),
          // Placing the gas card here identifies the account without a tap; a card that was
          // already in the reader (the citizen's own after 上一步) is read only when they ask.
          invoke: { src: 'cardPlaced' },
          on: {
            'GAS.CARD_PLACED': 'readingCard',
            'FLOW.EVENT': [
              {
                guard: ({ event }) => event.name === 'lookup' && lookupSchema.safeParse(event.data).success,
                target: 'lookingUp',
              },
              { guard: ({ event }) => event.name === 'card', target: 'waitCard' },
              { guard: ({ event }) => event.name === 'pending', target: 'pendingEntry' },
            ],
            BACK: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
          },
        },
        readingCard: {
          entry: assign({ view: () => view('lookingUp', {}), notice: null }),
          invoke: {
            src: 'readCard',
            input: () => ({ timeoutMs: 5000 }),
            onDone: {
              target: 'account',
              actions: assign({ account: ({ event }) => event.output, source: 'card', notice: null }),
            },
            onError: {
              // Back to the keypad; a card that could not be read is worth a word.
              target: 'start',
              actions: assign(({ event }) => {
                const e = event.error;
                if (e instanceof GasError && e.reason !== 'NO_CARD' && e.reason !== 'NO_CARD_READER')
                  return { notice: { ...e.citizen } };
                return {};
              }),
            },
          },
          on: { BACK: 'start' },
        },
        lookingUp: {
          entry: assign({ view: () => view('lookingUp', {}), notice: null }),
          invoke: {
            src: 'lookup',
            input: ({ event }) => ({ accountNo: event.type === 'FLOW.EVENT' ? lookupSchema.parse(event.data).accountNo : '' }),
            onDone: { target: 'account', actions: assign({ account: ({ event }) => event.output, source: 'typed' }) },
            onError: {
              target: 'start',
              actions: assign({ notice: ({ event }) => errorOf(event.error).message }),
            },
          },
        },
        waitCard: {
          entry: assign({ view: () => view('waitCard', {}), notice: null }),
          invoke: {
            src: 'readCard',
            input: () => ({ timeoutMs: 30_000 }),
            onDone: { target: 'account', actions: assign({ account: ({ event }) => event.output, source: 'card' }) },
            onError: { target: 'error', actions: assign({ error: ({ event }) => errorOf(event.error), errorReturn: 'start' }) },
          },
          on: { BACK: 'start' },
        },
        account: {
          entry: assign({ view: ({ context }) => accountView(context) }),
          on: {
            'FLOW.EVENT': [
              {
                guard: ({ event, context }) =>
                  event.name === 'amount' && context.account?.canTopUp === true && amountSchema.safeParse(event.data).success,
                actions: assign(({ event, context }) => {
                  const { amountFen } = amountSchema.parse(event.data);
                  const amountError = amountProblem(amountFen, context.account!.amounts);
                  const next = { ...context, amountFen, amountError, notice: null };
                  return { amountFen, amountError, notice: null, view: accountView(next) };
                }),
              },
              {
                // 补写卡 for the card in the reader, which has a paid top-up waiting.
                guard: ({ event, context }) =>
                  event.name === 'finishPending' && (context.account?.card?.pendingOrders.length ?? 0) > 0,
                target: 'finishing',
                actions: assign({ finishingNo: ({ context }) => context.account!.card!.pendingOrders[0]! }),
              },
            ],
            CONTINUE: {
              guard: ({ context }) =>
                context.account?.canTopUp === true && context.amountFen !== null && context.amountError === null,
              target: 'confirm',
            },
            BACK: { target: 'start', actions: assign({ notice: null }) },
          },
        },
        confirm: {
          entry: assign({
            view: ({ context }) =>
              view('confirm', {
                account: context.account!,
                amountFen: context.amountFen!,
                volumeM3: Math.round((context.amountFen! / Math.max(1, context.account!.unitPriceFen)) * 100) / 100,
              } satisfies GasConfirmData),
          }),
          on: {
            // Pay only with the amount the citizen saw: the tap carries it, and it must equal the
            // agent's validated amount (a stale or tampered screen makes no order).
            'FLOW.EVENT': [
              {
                guard: ({ event, context }) => {
                  if (event.name !== 'pay') return false;
                  const p = paySchema.safeParse(event.data);
                  return (
                    p.success &&
                    context.amountFen !== null &&
                    p.data.amountFen === context.amountFen &&
                    context.account !== null &&
                    amountProblem(p.data.amountFen, context.account.amounts) === null
                  );
                },
                target: 'creating',
              },
              {
                guard: ({ event }) => event.name === 'pay',
                target: 'account',
                actions: [
                  assign({ notice: AMOUNT_CHANGED, amountFen: null, amountError: null }),
                  ({ context, event }) =>
                    log?.warn(
                      { confirmedFen: context.amountFen, tappedFen: (event.data as { amountFen?: unknown }).amountFen },
                      'pay refused: amount differs from the confirmed one',
                    ),
                ],
              },
            ],
            BACK: 'account',
          },
        },
        creating: {
          entry: [assign({ view: () => view('creating', {}) }), busy('payment'), persist(true)],
          invoke: {
            src: 'createOrder',
            input: ({ context }) => ({
              amountFen: context.amountFen!,
              source: context.source ?? 'typed',
              merchant: context.account?.company ?? '',
            }),
            onDone: { target: 'order', actions: assign({ paying: ({ event }) => event.output, rested: null }) },
            onError: {
              target: 'error',
              actions: [
                assign({ error: ({ event }) => errorOf(event.error), errorReturn: 'account' }),
                busy(null),
                persist(false),
              ],
            },
          },
        },
        order: {
          invoke: { id: 'watch', src: 'watch', input: ({ context }) => ({ orderNo: context.paying!.orderNo }) },
          on: {
            'GAS.RESTED': { target: 'rested', actions: assign({ rested: ({ event }) => event.order }) },
            'GAS.FAILED': {
              target: 'error',
              actions: [assign({ error: ({ event }) => event.error, errorReturn: 'start' }), busy(null), persist(false)],
            },
          },
          initial: 'paying',
          states: {
            paying: {
              entry: assign({ view: ({ context }) => view('paying', context.paying!) }),
              on: {
                'GAS.TICK': {
                  actions: assign(({ event, context }) => {
                    const paying = { ...context.paying!, secondsLeft: event.secondsLeft, tradeState: event.tradeState };
                    return { paying, view: view('paying', paying) };
                  }),
                },
                'GAS.ORDER': {
                  guard: ({ event }) => event.order.stage === 'crediting' || event.order.stage === 'writingCard',
                  target: 'crediting',
                },
                'FLOW.EVENT': {
                  guard: ({ event }) => event.name === 'cancel',
                  actions: [
                    sendTo('watch', { type: 'GAS.CANCEL' }),
                    assign(({ context }) => {
                      const paying = { ...context.paying!, cancelling: true };
                      return { paying, view: view('paying', paying) };
                    }),
                  ],
                },
                BACK: {
                  actions: [
                    sendTo('watch', { type: 'GAS.CANCEL' }),
                    assign(({ context }) => {
                      const paying = { ...context.paying!, cancelling: true };
                      return { paying, view: view('paying', paying) };
                    }),
                  ],
                },
              },
            },
            crediting: {
              entry: assign({
                view: ({ context }) =>
                  view('crediting', {
                    orderNo: context.paying!.orderNo,
                    amountFen: context.paying!.amountFen,
                    meterType: context.paying!.meterType,
                    writingCard: false,
                  } satisfies GasCreditingData),
              }),
              on: {
                'GAS.ORDER': {
                  actions: [
                    assign({
                      view: ({ context, event }) =>
                        view('crediting', {
                          orderNo: context.paying!.orderNo,
                          amountFen: context.paying!.amountFen,
                          meterType: context.paying!.meterType,
                          writingCard: event.order.stage === 'writingCard',
                        } satisfies GasCreditingData),
                    }),
                    sendParent(({ event }) => ({
                      type: 'FLOW.BUSY',
                      reason: (event as { order: OrderView }).order.stage === 'writingCard' ? 'cardWrite' : 'payment',
                    })),
                  ],
                },
              },
            },
          },
        },
        rested: {
          always: [
            { guard: ({ context }) => CREDITED.has(context.rested!.state), target: 'printing' },
            { guard: ({ context }) => PENDING.has(context.rested!.state) && context.mode === 'topUp', target: 'printing' },
            // Payment outcome unknown: the citizen leaves with a slip (order number, what to do).
            {
              guard: ({ context }) => context.rested!.stage === 'paymentUnknown' && context.mode === 'topUp',
              target: 'printing',
            },
            {
              guard: ({ context }) => PENDING.has(context.rested!.state),
              target: 'finished',
              actions: [busy(null), persist(false), assign({ output: ({ context }) => outcomeOf(context, null) })],
            },
            {
              // The citizen cancelled the QR: back to the amounts, with a clear "nothing charged".
              guard: ({ context }) => context.paying?.cancelling === true && context.rested!.stage === 'paymentClosed',
              target: 'account',
              actions: [busy(null), persist(false), assign({ notice: CANCELLED, amountFen: null })],
            },
            {
              target: 'finished',
              actions: [busy(null), persist(false), assign({ output: ({ context }) => closedOutcome(context.rested!) })],
            },
          ],
        },
        printing: {
          entry: [
            busy('printing'),
            assign({
              view: ({ context }) => {
                const o = context.rested!;
                return view('printing', {
                  orderNo: o.orderNo,
                  kind: CREDITED.has(o.state) ? 'receipt' : 'pending',
                  meterType: o.meterType,
                  amountFen: o.amountFen,
                  message: o.message ? { ...o.message } : null,
                } satisfies GasPrintingData);
              },
            }),
          ],
          invoke: {
            src: 'print',
            input: ({ context }) => ({ orderNo: context.rested!.orderNo }),
            onDone: {
              target: 'finished',
              actions: [busy(null), persist(false), assign({ output: ({ context, event }) => outcomeOf(context, event.output) })],
            },
          },
        },
        pendingEntry: {
          entry: assign({
            view: ({ context }) => view('pendingEntry', { notice: context.notice } satisfies Pick<GasStartData, 'notice'>),
            mode: 'finish',
          }),
          on: {
            'FLOW.EVENT': {
              guard: ({ event }) => event.name === 'finishPending' && finishSchema.safeParse(event.data).success,
              target: 'finishing',
              actions: assign({
                finishingNo: ({ event }) => finishSchema.parse((event as { data: unknown }).data).orderNo,
                notice: null,
              }),
            },
            BACK: { target: 'start', actions: assign({ notice: null }) },
          },
        },
        finishing: {
          entry: [
            assign({
              mode: 'finish',
              view: ({ context }) => view('finishing', { orderNo: context.finishingNo ?? '' } satisfies GasFinishingData),
            }),
            busy('cardWrite'),
            persist(true),
          ],
          invoke: {
            src: 'finishPending',
            input: ({ context }) => ({ orderNo: context.finishingNo ?? '' }),
            onDone: [
              {
                guard: ({ event }) => event.output.alreadyComplete,
                target: 'finished',
                actions: [
                  busy(null),
                  persist(false),
                  assign({
                    output: ({ event }) =>
                      doneWith({
                        kind: 'info',
                        titleKey: 'gas.result.already.title',
                        messageKey: 'gas.result.already.body',
                        params: { orderNo: event.output.order.orderNo },
                      }),
                  }),
                ],
              },
              { target: 'rested', actions: assign({ rested: ({ event }) => event.output.order }) },
            ],
            onError: {
              target: 'error',
              actions: [
                assign({ error: ({ event }) => errorOf(event.error), errorReturn: 'pendingEntry' }),
                busy(null),
                persist(false),
              ],
            },
          },
        },
        error: {
          entry: assign({ view: ({ context }) => errorView(context) }),
          on: {
            CONTINUE: [
              {
                guard: ({ context }) =>
                  context.error?.retry === true && context.errorReturn === 'account' && context.account !== null,
                target: 'account',
              },
              {
                guard: ({ context }) => context.error?.retry === true && context.errorReturn === 'pendingEntry',
                target: 'pendingEntry',
              },
              { guard: ({ context }) => context.error?.retry === true, target: 'start' },
            ],
            BACK: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
          },
        },
        finished: { type: 'final' },
      },
      output: ({ context }) => context.output ?? { outcome: 'back' },
    }) as AnyStateMachine;
  };
}
