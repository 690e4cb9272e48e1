import type { PhotoSettings } from '@kiosk/kiosk-config';
import type { PhotoBooth } from './booth.js';
import type { PhotoJournal } from './journal.js';
import type { PhotoOrders } from './orders.js';

/** What the session's photo flow (and tests, maintenance) may use: the `photo` port. */
export interface PhotoApi {
  readonly booth: PhotoBooth;
  readonly orders: PhotoOrders;
  readonly journal: PhotoJournal;
  readonly settings: PhotoSettings;
  readonly slipContext: () => { kioskId: string; site?: string; hotline?: string; now: Date };
}
