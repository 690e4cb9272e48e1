/**
 * The staff state machine (issue 9, split out of the module in issue 13): who is signed in, the
 * prompt, the lockout count and the XFS4IoT VendorMode stage. Pure: no I/O, no clock — events
 * carry the time they happened (`at`) so lockouts are decided the same way in tests and on a kiosk.
 * The handlers around it (auth.ts, vendor-mode.ts, …) do the waiting, hashing and auditing and
 * tell the machine what happened.
 *
 *   signedOut.closed ⇄ signedOut.prompt (PROMPT_OPEN / PROMPT_CLOSE / prompt timeout)
 *   signedOut → signedIn.ready (LOGGED_IN: an attempt begun while the prompt was open)
 *   signedIn.ready → entering (ENTER) → assisted | maintenance (ENTERED) — ENTER_CANCELLED → ready
 *   assisted | maintenance → leaving (EXIT) — EXIT_ABORTED → back to the mode
 *   ready | leaving → signedOut.closed (LOGOUT)
 *
 * The UI's "end assistance: keep the citizen's session or end it" question is the UI's own
 * confirm step: it ends in one `Staff.Exit {keepSession}`, so the agent has no state for it.
 */
import { assign, emit, setup, type SnapshotFrom } from 'xstate';
import type { StaffModeName, VendorModeState } from '@kiosk/contracts/staff-view';

export interface StaffMember {
  staffNo: string;
  method: 'pin' | 'card';
  since: number;
}

interface AfterExit {
  inService: boolean;
  message: string | null;
}

export interface StaffMachineInput {
  lockoutAttempts: number;
  lockoutMinutes: number;
  promptTimeoutMs: number;
  /** Restored from the audit log: wrong PINs since the last success or lockout. */
  failures?: number;
  /** Restored from the audit log: epoch ms the current lock ends (0: none). */
  lockedUntil?: number;
}

export interface StaffContext {
  lockoutAttempts: number;
  lockoutMinutes: number;
  promptTimeoutMs: number;
  staff: StaffMember | null;
  /** The staff mode requested or active. */
  mode: StaffModeName | null;
  waitingFor: string | null;
  failures: number;
  lockedUntil: number;
  cardAccepted: boolean;
  /** The citizen session open when the prompt opened (a staff card then starts no new one). */
  sessionAtOpen: string | null;
  afterExit: AfterExit;
}

export type StaffEvent =
  | { type: 'PROMPT_OPEN'; cardAccepted: boolean; sessionAtOpen: string | null }
  | { type: 'PROMPT_CLOSE' }
  | { type: 'LOGGED_IN'; member: StaffMember }
  | { type: 'WRONG_PIN'; at: number }
  | { type: 'ENTER'; mode: StaffModeName }
  | { type: 'WAITING'; reason: string }
  | { type: 'ENTER_CANCELLED' }
  | { type: 'ENTERED'; afterExit?: AfterExit }
  | { type: 'SET_AFTER_EXIT'; afterExit: AfterExit }
  | { type: 'EXIT' }
  | { type: 'EXIT_ABORTED' }
  | { type: 'LOGOUT' };

export type StaffEmitted = { type: 'promptExpired' };

const signedOutFresh = { staff: null, mode: null, waitingFor: null, afterExit: { inService: true, message: null } } as const;

export const staffMachine = setup({
  types: {
    context: {} as StaffContext,
    events: {} as StaffEvent,
    input: {} as StaffMachineInput,
    emitted: {} as StaffEmitted,
  },
  delays: { promptTimeout: ({ context }) => context.promptTimeoutMs },
}).createMachine({
  id: 'staff',
  context: ({ input }) => ({
    lockoutAttempts: input.lockoutAttempts,
    lockoutMinutes: input.lockoutMinutes,
    promptTimeoutMs: input.promptTimeoutMs,
    ...signedOutFresh,
    failures: input.failures ?? 0,
    lockedUntil: input.lockedUntil ?? 0,
    cardAccepted: false,
    sessionAtOpen: null,
  }),
  initial: 'signedOut',
  states: {
    signedOut: {
      initial: 'closed',
      states: {
        closed: {
          on: {
            PROMPT_OPEN: {
              target: 'prompt',
              actions: assign(({ event }) => ({ cardAccepted: event.cardAccepted, sessionAtOpen: event.sessionAtOpen })),
            },
          },
        },
        // Signing in: a PIN or a staff card is taken while the prompt is open.
        prompt: {
          exit: assign({ cardAccepted: false }),
          after: { promptTimeout: { target: 'closed', actions: emit({ type: 'promptExpired' }) } },
          on: {
            // Opening again restarts the prompt's timeout.
            PROMPT_OPEN: {
              target: 'prompt',
              reenter: true,
              actions: assign(({ event }) => ({ cardAccepted: event.cardAccepted, sessionAtOpen: event.sessionAtOpen })),
            },
            PROMPT_CLOSE: 'closed',
          },
        },
      },
      // The outcome of an attempt: the handlers check that the prompt is open when the attempt
      // starts; hashing takes a while, and a prompt that times out meanwhile does not undo it.
      on: {
        LOGGED_IN: { target: '#staff.signedIn', actions: assign(({ event }) => ({ staff: event.member, failures: 0 })) },
        WRONG_PIN: [
          {
            // The last allowed attempt locks the prompt and starts a new count.
            guard: ({ context }) => context.failures + 1 >= context.lockoutAttempts,
            actions: assign(({ context, event }) => ({
              failures: 0,
              lockedUntil: event.at + context.lockoutMinutes * 60_000,
            })),
          },
          { actions: assign(({ context }) => ({ failures: context.failures + 1 })) },
        ],
      },
    },
    signedIn: {
      initial: 'ready',
      states: {
        /** VendorMode `inactive`: signed in, the kiosk still the citizen's. */
        ready: {
          on: {
            ENTER: { target: 'entering', actions: assign(({ event }) => ({ mode: event.mode, waitingFor: null })) },
            LOGOUT: { target: '#staff.signedOut', actions: assign(signedOutFresh) },
          },
        },
        /** VendorMode `enterPending`: waiting for the citizen's payment, card write or print to end. */
        entering: {
          on: {
            WAITING: { actions: assign(({ event }) => ({ waitingFor: event.reason })) },
            ENTER_CANCELLED: { target: 'ready', actions: assign({ mode: null, waitingFor: null }) },
            ENTERED: [
              {
                guard: ({ context }) => context.mode === 'maintenance',
                target: 'maintenance',
                actions: assign(({ event, context }) => ({ waitingFor: null, afterExit: event.afterExit ?? context.afterExit })),
              },
              { target: 'assisted', actions: assign({ waitingFor: null }) },
            ],
          },
        },
        assisted: { on: { EXIT: 'leaving' } },
        maintenance: {
          on: {
            EXIT: 'leaving',
            SET_AFTER_EXIT: { actions: assign(({ event }) => ({ afterExit: event.afterExit })) },
          },
        },
        /** VendorMode `exitPending`: leaving waits for a safe point too. */
        leaving: {
          on: {
            WAITING: { actions: assign(({ event }) => ({ waitingFor: event.reason })) },
            EXIT_ABORTED: [
              {
                guard: ({ context }) => context.mode === 'maintenance',
                target: 'maintenance',
                actions: assign({ waitingFor: null }),
              },
              { target: 'assisted', actions: assign({ waitingFor: null }) },
            ],
            LOGOUT: { target: '#staff.signedOut', actions: assign(signedOutFresh) },
          },
        },
      },
    },
  },
});

export type StaffSnapshot = SnapshotFrom<typeof staffMachine>;

/** The XFS4IoT VendorMode stage a snapshot stands for. */
export function vendorModeOf(s: StaffSnapshot): VendorModeState {
  if (s.matches({ signedIn: 'entering' })) return 'enterPending';
  if (s.matches({ signedIn: 'leaving' })) return 'exitPending';
  if (s.matches({ signedIn: 'assisted' }) || s.matches({ signedIn: 'maintenance' })) return 'active';
  return 'inactive';
}

export const promptOpen = (s: StaffSnapshot): boolean => s.matches({ signedOut: 'prompt' });
export const isLocked = (s: StaffSnapshot, at: number): boolean => s.context.lockedUntil > at;
export const attemptsLeft = (c: StaffContext): number => Math.max(0, c.lockoutAttempts - c.failures);
