/**
 * The full stack for the record services' browser journeys: the sandbox upstream, the agent with
 * the production flows and the connectors' breakers as its upstream status, the real ID card and
 * printer drivers over ptys against their simulators (tests/session/rig.ts), and headless Chromium.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createRecordFlows, upstreamStatusFrom } from '../../apps/agent/src/flows/index.js';
import type { SlipVerifyResponse } from '@kiosk/contracts/upstream';
import { createServices, type Services } from '../../apps/agent/src/services/index.js';
import type { ReceiptView } from '../../apps/simulators/src/printer/simulator.js';
import { openKiosk, onScreen } from '../browser/kiosk.js';
import { ensureUiBuilt } from '../helpers/browser.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { startRig, type Rig } from '../session/rig.js';
import { KIOSK } from './harness.js';
import { createPhotoFlow } from '../../apps/agent/src/flows/photo.js';
import { createPhotoModuleWith } from '../../apps/agent/src/photo/module.js';
import { createGasFlow } from '../../apps/agent/src/flows/gas.js';
import { createLicenceFlow } from '../../apps/agent/src/flows/licences.js';
import { createGasModuleWith, getGasApi, type GasApi } from '../../apps/agent/src/gas/module.js';
import { createMonitorModule } from '../../apps/agent/src/monitor/module.js';
import { createEidConnector, eidRedeemerFrom, withEidStatus } from '../../apps/agent/src/services/eid.js';
import { pino } from 'pino';

export interface Stack {
  sandbox: TestSandbox;
  services: Services;
  rig: Rig;
  /** The gas module's API (only with `gas: true`). */
  gas(): GasApi | undefined;
  browser: BrowserContext;
  page: Page;
  tap(testid: string): Promise<void>;
  receipts(): Promise<ReceiptView[]>;
  verify(serial: string): Promise<SlipVerifyResponse>;
  /** attract → home → tile → card placed → confirmed → the service's first flow step. */
  begin(service: 'property' | 'tax' | 'social', profile: string): Promise<void>;
  /** result → rating (skipped) → goodbye → card removed → finish → attract. */
  finish(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Also run 燃气充值: the gas flow, the gas module and the gas card reader simulator. */
  gas?: boolean;
  /** Seconds to pay a gas QR (default: config's). */
  gasPaySeconds?: number;
  /** A camera and an optional face check on 社保 (the face screens). */
  face?: boolean;
  /** 自助照相: the simulators' camera with scenes, the photo flow and the photo module. */
  photo?: boolean;
  /** Also run the monitor module (heartbeats to an unreachable central; events wait in its outbox). */
  monitor?: boolean;
  /** Where the session reports to central (default: the monitor's outbox; none runs here). */
  report?: (type: string, payload: Record<string, unknown>) => void;
  /**
   * The 2D scanner simulator and the e-ID connector to the sandbox (identity by 鄂汇办 code);
   * `cardOnly`: services whose rules require the physical card; `eidTimeoutMs`: the connector's timeout.
   */
  scanner?: boolean | { cardOnly?: ('property' | 'tax' | 'social')[]; eidTimeoutMs?: number };
  /** Chromium's profile directory (default: a fresh temp dir). */
  browserDataDir?: string;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const uiDir = ensureUiBuilt();
  const sandbox = await startTestSandbox();
  const services = createServices({ baseUrl: sandbox.url, timeoutMs: 3000, kioskId: KIOSK.id, retry: { maxAttempts: 1 } });
  const scanner = opts.scanner === true ? {} : opts.scanner || undefined;
  const eid = scanner
    ? createEidConnector({
        baseUrl: sandbox.url,
        timeoutMs: scanner.eidTimeoutMs ?? 3000,
        kioskId: KIOSK.id,
        logger: pino({ level: 'silent' }),
      })
    : undefined;
  const rig = await startRig({
    uiDir,
    devices: [
      'idcard',
      'printer',
      ...(opts.gas ? (['gascard'] as const) : []),
      ...(opts.photo ? (['photoCamera'] as const) : opts.face ? (['camera'] as const) : []),
      ...(scanner ? (['scanner'] as const) : []),
    ],
    config: (c) => {
      c.kiosk = { ...KIOSK };
      c.upstream.baseUrl = sandbox.url;
      c.session.countdown.defaultMs = 180_000;
      c.session.services.property.face = 'off';
      if (opts.face) c.session.services.social.face = 'optional';
      for (const id of scanner?.cardOnly ?? []) c.session.services[id].eidCode = false;
      c.gas.paymentPollMs = 150;
      if (opts.gasPaySeconds) c.gas.paymentCountdownSeconds = opts.gasPaySeconds;
    },
    session: {
      flows: {
        ...createRecordFlows(services, { kiosk: KIOSK }),
        ...(opts.gas ? { gas: createGasFlow() } : {}),
        licence: createLicenceFlow(services, { kiosk: KIOSK }),
        ...(opts.photo ? { photo: createPhotoFlow() } : {}),
      },
      upstreams: eid ? withEidStatus(upstreamStatusFrom(services, 200), eid) : upstreamStatusFrom(services, 200),
      ...(eid ? { eidRedeemer: eidRedeemerFrom(eid) } : {}),
      ...(opts.report ? { report: opts.report } : {}),
    },
    modules: [
      ...(opts.monitor ? [createMonitorModule] : []),
      ...(opts.gas ? [createGasModuleWith({ services })] : []),
      ...(opts.photo ? [createPhotoModuleWith({ services })] : []),
    ],
  });
  const { browser, page } = await openKiosk(rig.agent.url, undefined, opts.browserDataDir);
  const tap = async (testid: string): Promise<void> => {
    await page.getByTestId(testid).click();
  };
  return {
    sandbox,
    services,
    rig,
    gas: () => getGasApi(rig.agent.context),
    browser,
    page,
    tap,
    async receipts() {
      return (await rig.control('GET', '/printer/receipts')) as ReceiptView[];
    },
    async verify(serial) {
      const res = await fetch(`${sandbox.url}/verify/${serial}`, { headers: { accept: 'application/json' } });
      expect(res.status).toBe(200);
      return (await res.json()) as SlipVerifyResponse;
    },
    async begin(service, profile) {
      await onScreen(page, 'attract');
      await tap('attract-start');
      await onScreen(page, 'home');
      await tap(`tile-${service}`);
      await onScreen(page, 'identity', 'waitCard');
      await rig.control('POST', '/idcard/card', { profile });
      await onScreen(page, 'identity', 'confirmed');
      await tap('continue');
      await onScreen(page, 'service');
    },
    async finish() {
      await tap('continue');
      await onScreen(page, 'rating');
      await tap('rating-skip');
      await onScreen(page, 'goodbye');
      await rig.control('DELETE', '/idcard/card');
      await tap('finish');
      await onScreen(page, 'attract');
    },
    async stop() {
      await browser?.close();
      await rig?.stop();
      await sandbox?.close();
    },
  };
}

/** Printed text without whitespace (values wrap and pad on paper). */
export const flat = (s: string): string => s.replace(/\s+/g, '');

/** The serial printed on a slip. */
export function serialOf(r: ReceiptView): string {
  const m = /XN\d{8}-[0-9A-Z]{10}/.exec(r.text);
  if (!m) throw new Error(`no serial on the slip:\n${r.text}`);
  return m[0];
}
