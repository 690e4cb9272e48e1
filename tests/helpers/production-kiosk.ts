/**
 * The kiosk as `npm start` composes it: `defaultDevices` and `defaultModules` from
 * apps/agent/src/compose.ts (every module: session with the record and gas flows, monitor,
 * staff, gas, voice, upstreams, selfcare), the real drivers over ptys against the ID card, printer,
 * gas card and 2D scanner simulators, the simulated camera, the sandbox upstream and, optionally, a real
 * central. Feature tests run here so a module missing from a partial rig cannot hide a defect
 * (issue 20 item 7).
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';

import { join } from 'node:path';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { defaultDevices, defaultModules } from '../../apps/agent/src/compose.js';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createLogger, silentLogger } from '@kiosk/platform';
import { type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { createCameraSimulator, type CameraSimulator } from '../../apps/simulators/src/camera/index.js';
import { createIdCardSimulator, type IdCardSimulator } from '../../apps/simulators/src/idcard/index.js';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { createScannerSimulator, type ScannerSimulator } from '../../apps/simulators/src/scanner/index.js';
import { startTestCentral, type TestCentral } from '../central/helpers.js';
import { startTestSandbox, type TestSandbox } from '../sandbox/fixture.js';
import { tempDir, testConfig } from './config.js';
import {
  createRigGasCardSimulator,
  simulatedGasCard,
  simulatedScanner,
  startControlApi,
  useSimulatedCoreDevices,
  usePhotoCamera,
} from './simulated-devices.js';

export const productionKiosk = {
  id: 'XN-PROD-01',
  secret: 'production-kiosk-secret-0123456789',
  site: '咸宁市政务服务中心',
  name: '1号机',
};

export interface ProductionKioskOptions {
  /** A real central the kiosk's monitor reports to (else an address where nothing listens). */
  central?: boolean;
  /** Write the agent's log (JSON lines, at `logLevel`) to this file instead of discarding it. */
  logFile?: string;
  logLevel?: string;
  config?: (c: KioskConfig) => void;
  /** The photo booth camera: the simulators' camera with its scenes, read over MJPEG-over-HTTP. */
  photoCamera?: boolean;
}

export interface ProductionKiosk {
  agent: Agent;
  config: KioskConfig;
  dir: string;
  sandbox: TestSandbox;
  central: TestCentral | undefined;
  idcard: IdCardSimulator;
  printer: PrinterSimulator;
  gascard: GasCardSimulator;
  scanner: ScannerSimulator;
  camera: CameraSimulator | undefined;
  control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startProductionKiosk(opts: ProductionKioskOptions = {}): Promise<ProductionKiosk> {
  const dir = tempDir('kiosk-prod-');
  const sandbox = await startTestSandbox();
  const central = opts.central ? await startTestCentral({ kiosks: [productionKiosk] }) : undefined;
  const config = testConfig((c) => {
    c.kiosk = { ...c.kiosk, id: productionKiosk.id, site: productionKiosk.site };
    c.upstream.baseUrl = sandbox.url;
    c.central.url = central?.url ?? 'http://127.0.0.1:9';
    c.central.secret = productionKiosk.secret;
    c.central.heartbeatIntervalMs = 1000;
    c.central.commandWaitMs = 0;
    useSimulatedCoreDevices(c, dir);
    c.devices.gascard = simulatedGasCard(dir);
    c.devices.scanner = simulatedScanner(dir);
    c.gas.paymentPollMs = 150;
    c.session.countdown.defaultMs = 180_000;
    opts.config?.(c);
  });

  const idcard = createIdCardSimulator({ agentPath: join(dir, 'idcard'), devicePath: join(dir, 'idcard-dev') });
  const printer = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer-dev') });
  const gascard = createRigGasCardSimulator(dir);
  const scanner = createScannerSimulator({ agentPath: join(dir, 'scanner'), devicePath: join(dir, 'scanner-dev') });
  const camera = opts.photoCamera ? createCameraSimulator() : undefined;
  for (const s of [idcard, printer, gascard, scanner, ...(camera ? [camera] : [])]) await s.start();
  const controlApi = await startControlApi([idcard, printer, gascard, scanner, ...(camera ? [camera] : [])]);
  if (camera) usePhotoCamera(config, controlApi.url);

  let logStream: WriteStream | undefined;
  if (opts.logFile) {
    logStream = createWriteStream(opts.logFile, { flags: 'a' });
    await once(logStream, 'open');
  }
  const logger = logStream ? createLogger('device-agent', opts.logLevel ?? 'debug', logStream) : silentLogger();
  const agent = await startAgent(config, {
    logger,
    devices: defaultDevices(config, logger),
    modules: defaultModules(config, logger),
  });

  let stopped = false;
  return {
    agent,
    config,
    dir,
    sandbox,
    central,
    idcard,
    printer,
    gascard,
    scanner,
    camera,
    control: controlApi.control,
    async stop() {
      if (stopped) return;
      stopped = true;
      await agent.stop();
      await camera?.stop();
      await controlApi.close();
      await Promise.allSettled([idcard, printer, gascard, scanner, ...(camera ? [camera] : [])].map((s) => s.stop()));
      if (logStream) {
        logStream.end();
        await once(logStream, 'close').catch(() => undefined);
      }
      await central?.close();
      await sandbox.close();
    },
  };
}
