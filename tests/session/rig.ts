/**
 * A whole kiosk for session tests: the agent with the session module, the real ID card and
 * printer drivers over socat ptys against their simulators, the simulated camera, and the
 * simulator control API — all on port 0 and a fresh temp dir.
 */

import { join } from 'node:path';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createCameraDriver } from '../../apps/agent/src/devices/camera/index.js';
import { createIdCardDriver } from '../../apps/agent/src/devices/idcard/driver.js';
import { createPrinterDriver } from '../../apps/agent/src/devices/printer/index.js';
import type { DeviceDriver } from '@kiosk/contracts/device-status';
import { silentLogger } from '@kiosk/platform';
import type { AgentModuleFactory } from '../../apps/agent/src/modules.js';
import { createSessionModuleWith, type SessionModuleOptions } from '../../apps/agent/src/session/module.js';
import type { SessionView } from '@kiosk/contracts/session-view';
import { openDatabase, type Db } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { createCameraSimulator } from '../../apps/simulators/src/camera/index.js';
import { createIdCardSimulator, type IdCardSimulator } from '../../apps/simulators/src/idcard/index.js';
import { createGasCardDriver } from '../../apps/agent/src/devices/gascard/driver.js';
import { type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { createPrinterSimulator, type PrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { createScannerDriver } from '../../apps/agent/src/devices/scanner/driver.js';
import { createScannerSimulator, type ScannerSimulator } from '../../apps/simulators/src/scanner/index.js';
import { tempDir, testConfig } from '../helpers/config.js';
import {
  createRigGasCardSimulator,
  simulatedGasCard,
  simulatedScanner,
  startControlApi,
  useSimulatedCoreDevices,
  usePhotoCamera,
} from '../helpers/simulated-devices.js';
import { TestSocket, type Msg } from '../helpers/ws.js';
import { setup, type AnyStateMachine } from 'xstate';
import type { FlowFactory, FlowInput, FlowOutput } from '../../apps/agent/src/session/flow.js';

/** A tax "flow" that finishes at once with a slip to print (masked data only), to test printing. */
export const slipFlow: FlowFactory = () =>
  setup({
    types: { context: {} as { view: { step: string; data: Record<string, string> } }, input: {} as FlowInput },
  }).createMachine({
    context: ({ input }) => ({ view: { step: 'ready', data: { holder: input.identity?.name ?? '' } } }),
    initial: 'ready',
    states: { ready: { on: { CONTINUE: 'done' } }, done: { type: 'final' } },
    output: ({ context }): FlowOutput => ({
      outcome: 'done',
      result: { kind: 'success', titleKey: 'result.placeholder.title' },
      print: {
        document: {
          kind: 'session-test',
          blocks: [
            { type: 'title', text: '测试凭条', subtitle: 'Test slip' },
            { type: 'rows', rows: [{ label: '姓名', value: context.view.data['holder'] ?? '' }] },
          ],
        },
      },
    }),
  }) as AnyStateMachine;

/** `photoCamera`: the simulators' camera with scenes (MJPEG over HTTP), for 自助照相; replaces `camera`. */
export type DeviceKind = 'idcard' | 'printer' | 'camera' | 'gascard' | 'scanner' | 'photoCamera';

export interface RigOptions {
  devices?: DeviceKind[];
  config?: (c: KioskConfig) => void;
  session?: SessionModuleOptions;
  uiDir?: string;
  /** Extra modules composed after the session. */
  modules?: AgentModuleFactory[];
}

export interface Rig {
  agent: Agent;
  config: KioskConfig;
  dir: string;
  idcard: IdCardSimulator | undefined;
  printer: PrinterSimulator | undefined;
  gascard: GasCardSimulator | undefined;
  scanner: ScannerSimulator | undefined;
  /** Simulator control API base URL (http://127.0.0.1:PORT). */
  controlUrl: string;
  control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Short countdowns for tests: long enough to act, short enough to watch one run out. */
export function shortCountdowns(c: KioskConfig, totalMs = 4000, warningMs = 2000): void {
  c.session.countdown = {
    defaultMs: totalMs,
    elderMs: totalMs * 2,
    warningMs,
    assistedFactor: 3,
    screens: { goodbye: { ms: 1500, elderMs: 3000 } },
  };
}

export async function startRig(opts: RigOptions = {}): Promise<Rig> {
  const kinds = opts.devices ?? ['idcard', 'printer', 'camera'];
  const dir = tempDir('kiosk-session-');
  const config = testConfig((c) => {
    useSimulatedCoreDevices(c, dir);
    if (kinds.includes('gascard')) c.devices.gascard = simulatedGasCard(dir);
    if (kinds.includes('scanner')) c.devices.scanner = simulatedScanner(dir);
    opts.config?.(c);
  });

  let idcard: IdCardSimulator | undefined;
  let printer: PrinterSimulator | undefined;
  const devices: DeviceDriver[] = [];
  let printerDb: Db | undefined;
  if (kinds.includes('idcard')) {
    idcard = createIdCardSimulator({ agentPath: join(dir, 'idcard'), devicePath: join(dir, 'idcard-dev') });
    await idcard.start();
    devices.push(createIdCardDriver(config.devices.idcard));
  }
  if (kinds.includes('printer')) {
    printer = createPrinterSimulator({ agentPath: join(dir, 'printer'), devicePath: join(dir, 'printer-dev') });
    await printer.start();
    printerDb = openDatabase(join(dir, 'printer.db'), agentMigrations);
    devices.push(createPrinterDriver(config.devices.printer, printerDb));
  }
  if (kinds.includes('camera')) devices.push(createCameraDriver(config.devices.camera));
  let gascard: GasCardSimulator | undefined;
  if (kinds.includes('gascard') && config.devices.gascard) {
    gascard = createRigGasCardSimulator(dir);
    await gascard.start();
    devices.push(createGasCardDriver(config.devices.gascard));
  }

  let scanner: ScannerSimulator | undefined;
  if (kinds.includes('scanner') && config.devices.scanner) {
    scanner = createScannerSimulator({ agentPath: join(dir, 'scanner'), devicePath: join(dir, 'scanner-dev') });
    await scanner.start();
    devices.push(createScannerDriver(config.devices.scanner));
  }

  const photoCamera = kinds.includes('photoCamera') ? createCameraSimulator() : undefined;
  await photoCamera?.start();
  const sims = [idcard, printer, gascard, scanner, photoCamera].filter((s): s is NonNullable<typeof s> => s !== undefined);
  const controlApi = await startControlApi(sims);
  if (photoCamera) {
    usePhotoCamera(config, controlApi.url);
    devices.push(createCameraDriver(config.devices.camera));
  }

  const agent = await startAgent(config, {
    logger: silentLogger(),
    devices,
    modules: [createSessionModuleWith(opts.session ?? {}), ...(opts.modules ?? [])],
    ...(opts.uiDir ? { uiDir: opts.uiDir } : {}),
  });

  return {
    agent,
    config,
    dir,
    idcard,
    printer,
    gascard,
    scanner,
    controlUrl: controlApi.url,
    control: controlApi.control,
    async stop() {
      await agent.stop();
      await photoCamera?.stop();
      await controlApi.close();
      await Promise.allSettled(sims.map((s) => s.stop()));
      printerDb?.close();
    },
  };
}

/** A UI stand-in over the real WebSocket: sends Session.* commands, tracks the broadcast view. */
export class SessionClient {
  private constructor(readonly socket: TestSocket) {}

  static async open(rig: Rig): Promise<SessionClient> {
    return new SessionClient(await TestSocket.open(rig.agent.url, rig.agent.token));
  }

  private nextId = 1;

  async command(name: string, payload: unknown = {}): Promise<Msg> {
    return this.socket.command(name, payload, this.nextId++);
  }

  /** Sends a command that must succeed; returns the view it completed with. */
  async do(name: string, payload: unknown = {}): Promise<SessionView> {
    const m = await this.command(name, payload);
    if (m.header.completionCode !== 'success') {
      throw new Error(`${name} → ${m.header.completionCode}: ${m.header.errorDescription ?? ''}`);
    }
    return m.payload as unknown as SessionView;
  }

  /** The newest view seen so far, broadcast or in a completion (highest seq wins). */
  latest(): SessionView | undefined {
    let best: SessionView | undefined;
    for (const m of this.socket.messages) {
      const isView = m.header.name === 'Session.StateChangedEvent' || (m.header.type === 'completion' && 'screen' in m.payload);
      if (!isView) continue;
      const v = m.payload as unknown as SessionView;
      if (!best || v.seq >= best.seq) best = v;
    }
    return best;
  }

  /** Waits until the session's view satisfies `pred` (broadcasts, plus a GetState now and then). */
  async until(pred: (v: SessionView) => boolean, ms = 8000, what = 'view'): Promise<SessionView> {
    const end = Date.now() + ms;
    let polled = Date.now();
    for (;;) {
      const v = this.latest();
      if (v && pred(v)) return v;
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}; last view: ${JSON.stringify(v && { screen: v.screen, step: v.step })}`);
      if (Date.now() - polled > 300) {
        polled = Date.now();
        await this.command('Session.GetState');
      } else {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
  }

  /**
   * Waits until any view broadcast since `sinceSeq` satisfied `pred`, even one that has already
   * given way to the next (a short-lived step such as "place the card again").
   */
  async saw(pred: (v: SessionView) => boolean, sinceSeq: number, ms = 8000, what = 'view'): Promise<SessionView> {
    const end = Date.now() + ms;
    for (;;) {
      for (const m of this.socket.messages) {
        const isView = m.header.name === 'Session.StateChangedEvent' || (m.header.type === 'completion' && 'screen' in m.payload);
        const v = m.payload as unknown as SessionView;
        if (isView && v.seq > sinceSeq && pred(v)) return v;
      }
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last view: ${JSON.stringify(this.latest()?.step)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  close(): void {
    this.socket.close();
  }
}
