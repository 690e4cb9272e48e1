/**
 * The seam between the session and a service's own flow. A flow is an xstate machine that the
 * session invokes (id `flow`) after the shared steps (identity, face) and stops when it leaves
 * the service screen. The contract:
 *
 * - input: `FlowInput` (service id, masked identity, language). Full personal data is fetched
 *   through the flow's own actors from `FlowDeps.identity()`, never passed in input or context,
 *   so snapshots and views stay free of it.
 * - context must have `view: FlowView`: the UI renders the flow's screen from it (masked data only).
 * - the session forwards user events: `CONTINUE`, `BACK`, and `FLOW.EVENT {name, data}`
 *   (from the `Session.FlowEvent` command; validate `data` with zod inside the flow).
 * - the flow tells the session (sendParent): `FLOW.BUSY {reason}` / `{reason: null}` while a
 *   payment, card write or print is in flight (pauses the countdown, blocks cancel); and
 *   `FLOW.PERSIST {on}` around money steps (the session then keeps its snapshot on disk).
 * - it ends in a final state; its output (`FlowOutput`) takes the session to result (optionally
 *   printing first), or back home, or to the goodbye screen.
 */
import { assign, setup, type AnyStateMachine } from 'xstate';
import type { DecodedCard } from '@kiosk/protocol-sam';
import type { ReceiptDocument } from '../receipts/document.js';
import type { GasApi } from '../gas/api.js';
import type { PhotoApi } from '../photo/api.js';
import type { FlowView, Lang, MaskedIdentity, ResultView, ServiceId } from '@kiosk/contracts/session-view';

export interface FlowInput {
  serviceId: ServiceId;
  identity: MaskedIdentity | null;
  lang: Lang;
}

export interface FlowOutput {
  /** done → print (if any) → result; back → home; cancel → goodbye; failed → result (failure). */
  outcome: 'done' | 'back' | 'cancel' | 'failed';
  result?: ResultView;
  /** A slip for the session's shared print step. Documents carry masked data only. */
  print?: { document: ReceiptDocument };
}

/** A flow's output when it ends on a result screen with nothing to print. */
export const doneWith = (result: ResultView): FlowOutput => ({ outcome: 'done', result });

/** Events the session forwards to a flow. */
export type FlowInboundEvent =
  { type: 'CONTINUE' } | { type: 'BACK' } | { type: 'FLOW.EVENT'; name: string; data: Record<string, unknown> };

/** What the module gives flow factories: access to the full identity and the kiosk's services. */
export interface FlowDeps {
  /** The card the citizen placed in this session (full data, memory only), or null. */
  identity(): DecodedCard | null;
  /** The gas module's in-process API (money path), when the agent runs it. Looked up lazily:
   * the gas module is built after the session module. */
  gas?(): GasApi | undefined;
  /** The photo module's in-process API (booth, orders), looked up lazily like gas. */
  photo?(): PhotoApi | undefined;
  /**
   * The gas card reader's presence, for the flow to tell a card the citizen placed from one left
   * in the reader by someone else (issue 19). Absent when the kiosk has no gas card reader.
   */
  gasCard?(): CardPresence | undefined;
}

/** What a flow needs to know about a card reader: is a card in it, and when one comes or goes. */
interface CardPresence {
  cardPresent(): boolean;
  on(event: 'cardInserted' | 'cardRemoved', listener: () => void): unknown;
  off(event: 'cardInserted' | 'cardRemoved', listener: () => void): unknown;
}

/** Builds a service's flow machine; called once when the session machine is built. */
export type FlowFactory = (deps: FlowDeps) => AnyStateMachine;

interface PlaceholderContext {
  view: FlowView;
  output: FlowOutput | null;
}

/**
 * Until a service's issue lands: a clearly labelled "coming soon" step. Continue leads to the
 * result and rating, Back to the home screen.
 */
export const placeholderFlow: FlowFactory = () =>
  setup({
    types: {
      context: {} as PlaceholderContext,
      input: {} as FlowInput,
      events: {} as FlowInboundEvent,
      output: {} as FlowOutput,
    },
  }).createMachine({
    id: 'placeholderFlow',
    context: ({ input }) => ({ view: { step: 'comingSoon', data: { service: input.serviceId } }, output: null }),
    initial: 'comingSoon',
    states: {
      comingSoon: {
        on: {
          CONTINUE: {
            target: 'finished',
            actions: assign({
              output: () =>
                doneWith({ kind: 'info', titleKey: 'result.placeholder.title', messageKey: 'result.placeholder.body' }),
            }),
          },
          BACK: { target: 'finished', actions: assign({ output: (): FlowOutput => ({ outcome: 'back' }) }) },
        },
      },
      finished: { type: 'final' },
    },
    output: ({ context }) => context.output ?? { outcome: 'back' },
  });
