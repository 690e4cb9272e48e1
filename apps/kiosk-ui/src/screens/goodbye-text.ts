import type { SessionView } from '../api/session';

/**
 * What the goodbye screen asks the citizen to take: the ID card only when one was read (gas
 * top-up needs none), the gas card after a gas top-up, the slip otherwise.
 */
export function goodbyeTakeKey(view: SessionView): string {
  const gas = view.service?.id === 'gas';
  if (view.identity) return gas ? 'goodbye.take.gasId' : 'goodbye.take';
  return gas ? 'goodbye.take.gas' : 'goodbye.take.slip';
}
