import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { Db } from '@kiosk/platform';
import { PrinterDriver } from './driver.js';
import { getProfile } from './profiles/index.js';
import { createPrinterTransport } from './transport.js';

export { PrinterDriver, PrintJobError, toDeviceStatus } from './driver.js';
export type { PrintOutcome, PrintResult, PrinterDriverOptions } from './driver.js';
export { JobStore, jobStates } from './jobs.js';
export type { JobState, PrintJob } from './jobs.js';
export { PrinterLink, planWindows } from './link.js';
export type { SendResult } from './link.js';
export { getProfile, listProfiles, registerProfile, profileColumns } from './profiles/index.js';
export type { PrinterProfile } from './profiles/index.js';
export { createPrinterTransport, createRawPrinterTransport } from './transport.js';

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
