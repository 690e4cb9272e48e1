import type { SessionView } from '@kiosk/contracts/session-view';
import type { SessionEvent } from './machine.js';

/** What other agent modules (assisted mode, maintenance) may ask of the session. */
export interface SessionApi {
  view(): SessionView;
  /** Resolves once no payment, card write or print is in flight (vendor mode waits for this). */
  whenSafe(): Promise<void>;
  /** Sends a machine event (e.g. HOME when a guide restarts a service). */
  send(event: SessionEvent): void;
}
