/**
 * What the campaign runs: every journal step once, runs aimed at each dangerous window, and
 * seeded random plans mixing kills (journal points, random times, around start-up, a second crash
 * inside start-up recovery) with upstream and card misbehaviour.
 */
import type { CommitPoint } from '../../apps/agent/src/gas/journal.js';
import {
  LATE_MS,
  scenarioPoints,
  windowNames,
  type CampaignProgress,
  type CardFault,
  type CrashPlan,
  type Scenario,
  type Window,
} from './crash-harness.js';
import { mulberry32 } from '@kiosk/synthetic';

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

/** Every journal step of the main scenarios once. */
export function everyStepPlans(): CrashPlan[] {
  const plans: CrashPlan[] = [];
  for (const scenario of ['iot', 'ic'] as const)
    for (const crashAt of scenarioPoints[scenario]) plans.push({ scenario, crashAt });
  for (const crashAt of scenarioPoints['iot-refund']) plans.push({ scenario: 'iot-refund', upstreamFault: 'rejected', crashAt });
  return plans;
}

/** A run that opens `w` and is killed in it. */
export function windowPlan(w: Window, rnd: () => number): CrashPlan {
  switch (w) {
    case 'iot-credit':
      return { scenario: 'iot', window: w };
    case 'ic-purchase':
      return { scenario: 'ic', window: w };
    case 'card-write':
      return { scenario: 'ic', window: w };
    case 'refund':
    case 'void':
      return { scenario: 'iot-refund', upstreamFault: pick(rnd, ['rejected', 'late'] as const), window: w };
  }
}

/**
 * The misbehaviour that breaks each money rule if it is missing; the mutant run and every
 * campaign include these.
 */
export function hazardPlans(): CrashPlan[] {
  return [
    // Refund racing a credit that lands after the client's timeout (needs the void first).
    { scenario: 'iot-refund', upstreamFault: 'late' },
    { scenario: 'ic-refund', upstreamFault: 'late' },
    // The void's answer is lost: no refund on an unknown answer.
    { scenario: 'iot-refund', upstreamFault: 'late', voidUnknown: true },
    // Payment landing after / while the kiosk gives up on the order (needs the close first).
    { scenario: 'abandon', variant: 'payerror', latePay: 'after' },
    { scenario: 'abandon', variant: 'cancel', latePay: 'after' },
    { scenario: 'abandon', variant: 'cancel', latePay: 'during-close' },
    // Torn card write: counter written, balance not (the counter alone lies).
    { scenario: 'ic', cardFault: 'torn-write', card: 'icCardNew' },
    // Credit applied, answer lost (needs the same serial on the retry).
    { scenario: 'iot', upstreamFault: 'answer-lost' },
    { scenario: 'ic', upstreamFault: 'answer-lost' },
    { scenario: 'iot', upstreamFault: 'answer-late' },
    // Card write taken, answer lost.
    { scenario: 'ic', cardFault: 'write-no-reply' },
    { scenario: 'ic', cardFault: 'removed-after-write' },
  ];
}

const recoveryPoints: CommitPoint[] = [
  'state:crediting',
  'state:credited',
  'state:done',
  'step:card_write',
  'step:card_written',
  'state:payment_closed',
  'state:refunded',
  'state:refund_requested',
];
const cardFaults: CardFault[] = ['torn-write', 'removed-mid-write', 'removed-after-write', 'write-no-reply'];

export function randomPlan(rnd: () => number): CrashPlan {
  const scenario = pick(rnd, [
    'iot',
    'iot',
    'ic',
    'ic',
    'iot-refund',
    'ic-refund',
    'abandon',
  ] as const satisfies readonly Scenario[]);
  const plan: CrashPlan = { scenario };
  if (scenario === 'abandon') {
    plan.variant = pick(rnd, ['payerror', 'cancel'] as const);
    plan.latePay = pick(rnd, ['after', 'during-close'] as const);
  } else if (scenario === 'iot-refund' || scenario === 'ic-refund') {
    plan.upstreamFault = scenario === 'iot-refund' ? pick(rnd, ['late', 'rejected'] as const) : 'late';
    if (rnd() < 0.25) plan.voidUnknown = true;
  } else {
    const f = rnd();
    if (f < 0.15) plan.upstreamFault = 'answer-lost';
    else if (f < 0.22) plan.upstreamFault = 'answer-late';
    else if (f < 0.3) plan.upstreamFault = 'late';
    if (scenario === 'ic' && rnd() < 0.35) plan.cardFault = pick(rnd, cardFaults);
    if (plan.cardFault === 'torn-write') plan.card = 'icCardNew';
    if (rnd() < 0.2) plan.latePay = 'after';
  }
  const points = scenarioPoints[scenario];
  const kind = rnd();
  if (kind < 0.3) plan.crashAt = pick(rnd, points);
  else if (kind < 0.4) {
    plan.crashAt = pick(rnd, points);
    plan.recoverCrashAt = pick(rnd, recoveryPoints);
  } else if (kind < 0.55) {
    const ws: Window[] =
      scenario === 'iot'
        ? ['iot-credit']
        : scenario === 'ic'
          ? ['ic-purchase', 'card-write']
          : scenario === 'abandon'
            ? []
            : ['void', 'refund'];
    if (ws.length > 0) plan.window = pick(rnd, ws);
    else plan.killAfterMs = Math.floor(rnd() * 900);
  } else if (kind < 0.9) {
    // A run takes a few hundred ms after the agent is up: kill anywhere in it.
    plan.killAfterMs = Math.floor(
      rnd() * (plan.upstreamFault === 'late' || plan.upstreamFault === 'answer-late' ? LATE_MS + 1000 : 900),
    );
  } else {
    // Around start-up, i.e. possibly in the middle of recovering the previous crash.
    plan.crashAt = pick(rnd, points);
    plan.killAfterSpawnMs = Math.floor(300 + rnd() * 2500);
  }
  return plan;
}

/**
 * The full campaign: every step, the hazards, then until at least `minCrashes` crashes and every
 * window hit `minWindowHits` times — aiming at the least-hit window while any is short — with a
 * cap of `maxRuns` runs.
 */
export function campaignPlans(opts: {
  seed: number;
  minCrashes: number;
  minWindowHits: number;
  maxRuns: number;
  steps?: boolean;
}): (p: CampaignProgress) => CrashPlan | undefined {
  const rnd = mulberry32(opts.seed);
  const opening = [...(opts.steps === false ? [] : everyStepPlans()), ...hazardPlans()];
  let issued = 0;
  return (p) => {
    const short = windowNames.filter((w) => p.windows[w] < opts.minWindowHits);
    if (issued >= opts.maxRuns) return undefined;
    if (p.crashes >= opts.minCrashes && short.length === 0 && issued >= opening.length) return undefined;
    issued += 1;
    const first = opening.shift();
    if (first) return first;
    if (short.length > 0 && rnd() < 0.6) {
      const least = [...short].sort((a, b) => p.windows[a] - p.windows[b])[0] as Window;
      return windowPlan(least, rnd);
    }
    return randomPlan(rnd);
  };
}
