/**
 * The three "prove who you are, see your records, print an official slip" services as session
 * flows (see session/flow.ts for the contract):
 *
 * - property: loading → list → confirm → registering → (session prints)      (records/property.ts)
 * - tax:      chooseYears → loading → list → confirm → registering           (records/tax.ts)
 * - social:   chooseKind → loading → years → list → (choose one) confirm → registering (records/social.ts)
 *
 * The steps they share — loading, noRecords, error (citizen text from UpstreamError, retry when
 * it may help), confirm, registering the slip with the upstream (POST /slips, once per confirmed
 * slip so a reprint after a refill prints the same serial), registerError — are built once in
 * record-steps.ts; each flow file says only what differs. The finished slip goes to the session's
 * shared print step, which owns paper-out and retry.
 *
 * Full id numbers are read from `FlowDeps.identity()` inside the query actors only; contexts and
 * views hold masked data.
 */
import type { KioskConfig } from '@kiosk/kiosk-config';
import type { Logger } from '@kiosk/platform';
import type { FlowFactory } from '../session/flow.js';
import type { ServiceId } from '@kiosk/contracts/session-view';
import { createRecordFlowKit, type RecordServices } from './record-steps.js';
import { propertyFlow } from './records/property.js';
import { socialFlow } from './records/social.js';
import { taxFlow } from './records/tax.js';

export type { RecordServices };

export interface RecordFlowsOptions {
  logger?: Logger;
  /** Clock for print times and the default tax years (tests). */
  now?: () => Date;
  /** How many years the tax year choice offers, newest first (default 6: this year and five before). */
  taxYearChoices?: number;
  /** How many years of social-insurance payments are listed (default 5). */
  socialYears?: number;
}

export function createRecordFlows(
  services: RecordServices,
  config: Pick<KioskConfig, 'kiosk'> & { slips?: KioskConfig['slips'] },
  options: RecordFlowsOptions = {},
): Partial<Record<ServiceId, FlowFactory>> {
  const kit = createRecordFlowKit(services.slips, config, options);
  return {
    property: propertyFlow(services, kit),
    tax: taxFlow(services, kit, options.taxYearChoices ?? 6),
    social: socialFlow(services, kit, options.socialYears ?? 5),
  };
}
