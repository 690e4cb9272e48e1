import type { GasAccount } from '@kiosk/contracts/upstream';
import type { AmountRules, GasSettings } from './types.js';

/** The amounts this account may be topped up with here: the kiosk's settings narrowed by the account's limits. */
export function amountRules(s: GasSettings, a: GasAccount): AmountRules {
  const minFen = Math.max(s.minAmountFen, a.limits.minAmountFen);
  let maxFen = Math.min(s.maxAmountFen, a.limits.maxAmountFen);
  if (a.allowanceFen !== null) maxFen = Math.min(maxFen, a.allowanceFen);
  return { minFen, maxFen, stepFen: s.amountStepFen, presetsFen: s.presetsFen.filter((p) => p >= minFen && p <= maxFen) };
}
