/**
 * The kiosk's devices wired to the simulators, for the test rigs that run a whole agent
 * (tests/helpers/production-kiosk.ts, tests/session/rig.ts, tests/gas/module.test.ts): the ptys
 * the simulators open in a test's temp dir, fast polls, and the simulators' control API.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createControlApp } from '../../apps/simulators/src/control-api.js';
import { createGasCardSimulator, type GasCardSimulator } from '../../apps/simulators/src/gascard/index.js';

type Devices = KioskConfig['devices'];

/** The ID card reader and printer on their simulators' ptys in `dir`, and the small simulated camera. */
export function useSimulatedCoreDevices(c: KioskConfig, dir: string): void {
  c.devices.idcard.transport = { kind: 'serial', path: join(dir, 'idcard'), baudRate: 115200 };
  c.devices.idcard.pollIntervalMs = 100;
  c.devices.printer.transport = { kind: 'serial', path: join(dir, 'printer'), baudRate: 115200 };
  c.devices.printer.statusPollMs = 500;
  c.devices.camera.source = { kind: 'simulated' };
  c.devices.camera.width = 320;
  c.devices.camera.height = 240;
  c.devices.camera.warmupFrames = 0;
}

/** The gas card reader, enabled, on the gas card simulator's pty in `dir` with short timeouts. */
export function simulatedGasCard(dir: string): NonNullable<Devices['gascard']> {
  return {
    enabled: true,
    transport: { kind: 'serial', path: join(dir, 'gascard'), baudRate: 115200 },
    pollIntervalMs: 50,
    requestTimeoutMs: 500,
    writeTimeoutMs: 1000,
  };
}

/** The 2D scanner, enabled, on the scanner simulator's pty in `dir`. */
export function simulatedScanner(dir: string): NonNullable<Devices['scanner']> {
  return {
    enabled: true,
    transport: { kind: 'serial', path: join(dir, 'scanner'), baudRate: 9600 },
    partialTimeoutMs: 500,
    sameCodeMs: 2000,
  };
}

/** The gas card simulator of a whole-kiosk rig: its wallet kept in `dir`, a card write taking 30 ms. */
export function createRigGasCardSimulator(dir: string): GasCardSimulator {
  return createGasCardSimulator({
    agentPath: join(dir, 'gascard'),
    devicePath: join(dir, 'gascard-dev'),
    stateFile: join(dir, 'gascard-sim.json'),
    latency: { status: 1, read: 5, write: 30 },
  });
}

/** The photo booth camera: the simulators' camera scenes over MJPEG-over-HTTP from the control API. */
export function usePhotoCamera(config: KioskConfig, controlUrl: string): void {
  config.devices.camera.source = { kind: 'mjpegHttp', url: `${controlUrl}/camera/stream.mjpg` };
  // Several agents and their ffmpegs share 2 cores in a test run: a frame can take seconds.
  config.devices.camera.timeoutMs = 15_000;
}

export interface ControlApi {
  /** http://127.0.0.1:PORT */
  url: string;
  /** Calls the control API; a non-2xx answer throws with its status and body. */
  control(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** The simulators' control API on a free port. */
export async function startControlApi(sims: Parameters<typeof createControlApp>[0]): Promise<ControlApi> {
  const server: Server = createControlApp(sims).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async control(method, path, body) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await res.json()) as unknown;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
