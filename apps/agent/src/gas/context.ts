/**
 * What every part of the engine is built from: the journal, the upstream connectors, the
 * devices, settings, clock and logger, plus the engine's event bus. One object, passed to each
 * part's constructor, so the parts share no hidden state besides the journal and OrderActivity.
 */
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { GasCardReader } from '@kiosk/protocol-gascard';
import type { GasConnector } from '../services/gas.js';
import type { PaymentConnector } from '../services/payment.js';
import type { GasJournal } from './journal.js';
import type { SlipContext } from './receipts.js';
import type { GasEngineEvents, GasSettings, SlipPrinter } from './types.js';

export interface EngineContext {
  journal: GasJournal;
  gas: GasConnector;
  payment: PaymentConnector;
  settings: GasSettings;
  kioskId: string;
  slip: Omit<SlipContext, 'now'>;
  cardReader: () => GasCardReader | undefined;
  printer: () => SlipPrinter | undefined;
  log: Logger;
  now: () => Date;
  events: EventEmitter<GasEngineEvents>;
}
