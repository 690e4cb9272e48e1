import type { SessionView } from '../api/session';

/**
 * The current flow step's data, as the contract for that step declares it (packages/contracts:
 * record-views, gas-views, licence-views). The agent builds the view from the same types and a
 * screen is chosen by `view.flow.step`, so the cast is the one place this trust is written down.
 */
export function stepData<D>(view: SessionView): D {
  return view.flow!.data as unknown as D;
}
