import { assign, sendParent, setup, type AnyStateMachine } from 'xstate';
import type { FlowInput, FlowOutput } from '../../apps/agent/src/session/flow.js';

/**
 * A stand-in for a money flow (the gas issue) in session tests: the `pay` flow event starts a
 * payment (FLOW.BUSY 'payment' + FLOW.PERSIST on) and shows `paying` with `payingData`; `paid`
 * ends it (busy and persist off) with `done` as the flow's output. With `backLeaves`, Back on the
 * first step leaves the flow; without it Back is ignored there.
 */
export function moneyStandInFlow(opts: {
  payingData: Record<string, string>;
  done: FlowOutput;
  backLeaves?: boolean;
}): AnyStateMachine {
  return setup({
    types: {
      context: {} as { view: { step: string; data: Record<string, string> }; output: FlowOutput | null },
      input: {} as FlowInput,
      events: {} as { type: 'CONTINUE' } | { type: 'BACK' } | { type: 'FLOW.EVENT'; name: string; data: Record<string, unknown> },
    },
  }).createMachine({
    context: () => ({ view: { step: 'choose', data: {} }, output: null }),
    initial: 'choose',
    states: {
      choose: {
        on: {
          'FLOW.EVENT': {
            guard: ({ event }) => event.name === 'pay',
            target: 'paying',
            actions: [
              sendParent({ type: 'FLOW.BUSY', reason: 'payment' }),
              sendParent({ type: 'FLOW.PERSIST', on: true }),
              assign({ view: { step: 'paying', data: opts.payingData } }),
            ],
          },
          ...(opts.backLeaves ? { BACK: { target: 'end', actions: assign({ output: { outcome: 'back' } }) } } : {}),
        },
      },
      paying: {
        on: {
          'FLOW.EVENT': {
            guard: ({ event }) => event.name === 'paid',
            target: 'end',
            actions: [
              sendParent({ type: 'FLOW.BUSY', reason: null }),
              sendParent({ type: 'FLOW.PERSIST', on: false }),
              assign({ output: opts.done }),
            ],
          },
        },
      },
      end: { type: 'final' },
    },
    output: ({ context }) => context.output ?? { outcome: 'back' },
  });
}
