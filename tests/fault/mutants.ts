/**
 * Mutation check of the crash campaign: deliberately broken builds of the money rules, each a
 * named set of text patches applied (by an esbuild plugin) to the sources the agent child is
 * bundled from. Each patch must match exactly once, or the runner fails loudly — a refactor must
 * not silently turn a mutant into the real code. A short campaign against each mutant must report
 * a loss or a double credit; a mutant that survives means the campaign cannot see that rule break.
 */
import { hazardPlans } from './plans.js';
import type { CampaignResult, CrashPlan, SourcePatch } from './crash-harness.js';
import { checkPatches, runCampaign } from './crash-harness.js';

export interface Mutant {
  name: string;
  /** The rule it breaks, and what the campaign should see. */
  breaks: string;
  patches: SourcePatch[];
  /** The hazard plans that expose it (the short CI run uses only these). */
  exposedBy: CrashPlan[];
}

const RULES = 'apps/agent/src/gas/rules';

export const mutants: readonly Mutant[] = [
  {
    name: 'no-void-before-refund',
    breaks:
      'the refund desk refunds without voiding the serial first: a credit still in flight lands after the refund (double credit)',
    patches: [
      {
        file: `${RULES}/refund.ts`,
        find: "if (f.voidAnswer === null) return 'void';",
        replace: "if (f.voidAnswer === null) return 'refund';",
      },
    ],
    exposedBy: [
      { scenario: 'iot-refund', upstreamFault: 'late' },
      { scenario: 'ic-refund', upstreamFault: 'late' },
    ],
  },
  {
    name: 'no-close-before-giving-up',
    breaks: 'an unpaid order is final without closing it at the provider: a payment arriving afterwards is never credited (loss)',
    patches: [
      {
        file: `${RULES}/payment.ts`,
        find: "if (giveUp || says === 'PAYERROR') return 'close';",
        replace: "if (giveUp || says === 'PAYERROR') return 'end_unpaid';",
      },
    ],
    exposedBy: [
      { scenario: 'abandon', variant: 'payerror', latePay: 'after' },
      { scenario: 'abandon', variant: 'cancel', latePay: 'after' },
    ],
  },
  {
    name: 'counter-only-card-check',
    breaks: 'a card whose counter shows the purchase counts as written even when its balance does not (torn write → loss)',
    patches: [{ file: `${RULES}/card.ts`, find: "return holds ? 'on_card' : 'torn';", replace: "return 'on_card';" }],
    exposedBy: [{ scenario: 'ic', cardFault: 'torn-write', card: 'icCardNew' }],
  },
  {
    name: 'no-dedup-key-on-credit',
    breaks: 'each credit attempt gets a fresh serial number, so a retry after a lost answer credits again (double credit)',
    patches: [
      {
        file: `${RULES}/keys.ts`,
        find: 'return order.orderNo;',
        replace: 'return `${order.orderNo}-${Date.now() % 1_000_000}`;',
      },
    ],
    exposedBy: [
      { scenario: 'iot', upstreamFault: 'answer-lost' },
      { scenario: 'ic', upstreamFault: 'answer-lost' },
    ],
  },
];

/** The short campaign each mutant (and the unmutated baseline) runs: the hazards, `repeat` times. */
export function mutantPlans(repeat = 2): CrashPlan[] {
  return Array.from({ length: repeat }, () => hazardPlans()).flat();
}

export interface MutantOutcome {
  name: string;
  caught: boolean;
  line: string;
}

export interface MutantReport {
  baseline: CampaignResult;
  outcomes: MutantOutcome[];
  /** `mutants: N tried, N caught` */
  line: string;
  ok: boolean;
}

export async function runMutants(opts: {
  baseDir: string;
  lanes: number;
  /** How often each mutant runs the hazard plans (default 2). */
  repeat?: number;
  /** Short run: each mutant runs only the plans that expose it, the baseline all of those once. */
  targeted?: boolean;
  only?: readonly string[];
  log?: (line: string) => void;
}): Promise<MutantReport> {
  const chosen = opts.only ? mutants.filter((m) => opts.only?.includes(m.name)) : mutants;
  if (opts.only && chosen.length !== opts.only.length)
    throw new Error(`unknown mutant(s): ${opts.only.filter((n) => !mutants.some((m) => m.name === n)).join(', ')}`);
  for (const m of chosen) checkPatches(m.patches);
  // The same plans against the real code must be clean, or a "caught" mutant proves nothing.
  const baseline = await runCampaign({
    plans: opts.targeted ? structuredClone(chosen.flatMap((m) => m.exposedBy)) : mutantPlans(opts.repeat),
    lanes: opts.lanes,
    baseDir: `${opts.baseDir}/baseline`,
  });
  opts.log?.(
    `baseline: ${baseline.line}${baseline.ok ? '' : ` (NOT clean: ${[...baseline.violations.problems, ...baseline.shortfall].slice(0, 5).join('; ')})`}`,
  );
  const outcomes: MutantOutcome[] = [];
  for (const m of chosen) {
    const r = await runCampaign({
      plans: opts.targeted ? structuredClone(m.exposedBy) : mutantPlans(opts.repeat),
      lanes: opts.lanes,
      baseDir: `${opts.baseDir}/${m.name}`,
      patches: m.patches,
    });
    const caught = r.violations.lost > 0 || r.violations.doubleCredited > 0;
    outcomes.push({ name: m.name, caught, line: r.line });
    opts.log?.(`mutant ${m.name}: ${caught ? 'caught' : 'SURVIVED'} (${r.line}) — ${m.breaks}`);
  }
  const caught = outcomes.filter((o) => o.caught).length;
  return {
    baseline,
    outcomes,
    line: `mutants: ${outcomes.length} tried, ${caught} caught`,
    ok: baseline.violations.lost === 0 && baseline.violations.doubleCredited === 0 && caught === outcomes.length,
  };
}
