import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { Db } from '@kiosk/platform';
import { PrinterDriver } from './driver.js';
import { getProfile } from './profiles/index.js';
import { createPrinterTransport } from './transport.js';

export { PrinterDriver } from './driver.js';

/** The printer driver for `config.devices.printer`, on the agent's database. */
export function createPrinterDriver(config: KioskConfig['devices']['printer'], db: Db, logger?: Logger): PrinterDriver {
  const options = {
    profile: getProfile(config.profile),
    statusPollMs: config.statusPollMs,
    statusTimeoutMs: config.statusTimeoutMs,
    writeWindowBytes: config.writeWindowBytes,
    jobTimeoutMs: config.jobTimeoutMs,
    jobDataRetentionDays: config.jobDataRetentionDays,
    ...(logger ? { logger } : {}),
  };
  return new PrinterDriver(createPrinterTransport(config.transport), db, options);
}
