import type { SessionView } from '../api/session';

/**
 * What the goodbye screen asks the citizen to take: gas top-up needs no ID card (only a gas card
 * when the citizen used one), the other services always read the ID card.
 */
export function goodbyeTakeKey(view: SessionView): string {
  if (view.service?.id !== 'gas') return 'goodbye.take';
  return view.identity ? 'goodbye.take.gasId' : 'goodbye.take.gas';
}
