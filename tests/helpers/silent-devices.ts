/**
 * A connected device that stops answering (hung firmware, a reader wedged mid-command) and later
 * answers again: each production driver, built by its production factory from the DEFAULT config
 * (config/kiosk.default.json), over a socat pty against its simulator. Used by
 * tests/foundation/silent-devices.test.ts (the transitions happen) and bench/devices.bench.ts
 * (how long they take; goal ≤ 2 s both ways, issue 20 item 12).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGasCardDriver } from '../../apps/agent/src/devices/gascard/driver.js';
import { createIdCardDriver } from '../../apps/agent/src/devices/idcard/driver.js';
import { createPrinterDriver } from '../../apps/agent/src/devices/printer/index.js';
import type { DeviceDriver, DeviceStatus } from '@kiosk/contracts/device-status';
import { openDatabase, type Db } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { createGasCardSimulator } from '../../apps/simulators/src/gascard/index.js';
import { createIdCardSimulator } from '../../apps/simulators/src/idcard/index.js';
import { createPrinterSimulator } from '../../apps/simulators/src/printer/index.js';
import { tempDir, testConfig } from './config.js';

export const silentKinds = ['idcard', 'printer', 'gascard'] as const;
export type SilentKind = (typeof silentKinds)[number];

export interface SilentRig {
  kind: SilentKind;
  driver: DeviceDriver;
  /** The simulated device stops answering (true) or answers again (false); it stays connected. */
  silence(on: boolean): void;
  close(): Promise<void>;
}

export async function startSilentRig(kind: SilentKind): Promise<SilentRig> {
  const dir = tempDir(`kiosk-silent-${kind}-`);
  const agentPath = join(dir, kind);
  const devicePath = join(dir, `${kind}-dev`);
  // Production defaults: only the port paths differ.
  const config = testConfig();
  let driver: DeviceDriver;
  let silence: (on: boolean) => void;
  let stopSim: () => Promise<void>;
  let db: Db | undefined;
  if (kind === 'idcard') {
    const sim = createIdCardSimulator({ agentPath, devicePath });
    await sim.start();
    driver = createIdCardDriver({ ...config.devices.idcard, transport: { kind: 'serial', path: agentPath, baudRate: 115200 } });
    silence = (on) => (on ? sim.injectFault('silent', 1_000_000) : sim.clearFaults());
    stopSim = () => sim.stop();
  } else if (kind === 'printer') {
    const sim = createPrinterSimulator({ agentPath, devicePath });
    await sim.start();
    db = openDatabase(join(dir, 'agent.db'), agentMigrations);
    driver = createPrinterDriver(
      { ...config.devices.printer, transport: { kind: 'serial', path: agentPath, baudRate: 115200 } },
      db,
    );
    silence = (on) => void sim.setSensors({ silent: on });
    stopSim = () => sim.stop();
  } else {
    const sim = createGasCardSimulator({ agentPath, devicePath, stateFile: join(dir, 'gascard-sim.json') });
    await sim.start();
    const gas = config.devices.gascard;
    if (!gas) throw new Error('the default config has no gas card reader');
    driver = createGasCardDriver({ ...gas, enabled: true, transport: { kind: 'serial', path: agentPath, baudRate: 115200 } });
    silence = (on) => sim.setSilent(on);
    stopSim = () => sim.stop();
  }
  await driver.start();
  return {
    kind,
    driver,
    silence,
    async close() {
      await driver.stop().catch(() => undefined);
      await stopSim().catch(() => undefined);
      db?.close();
    },
  };
}

/**
 * Resolves with the milliseconds until the driver's status satisfies `pred` (0 when it already
 * does). Waits on the driver's status events; `timeoutMs` only turns a hang into an error.
 */
export function waitForStatus(
  driver: DeviceDriver,
  pred: (s: DeviceStatus) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<number> {
  const t0 = performance.now();
  if (pred(driver.status())) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const onStatus = (s: DeviceStatus): void => {
      if (!pred(s)) return;
      clearTimeout(timer);
      driver.off('status', onStatus);
      resolve(performance.now() - t0);
    };
    const timer = setTimeout(() => {
      driver.off('status', onStatus);
      reject(new Error(`${what}: still ${JSON.stringify(driver.status())} after ${timeoutMs} ms`));
    }, timeoutMs);
    driver.on('status', onStatus);
  });
}

export const isOnline = (s: DeviceStatus): boolean => s.device === 'online';
/** Silent means the kiosk must stop offering the device: anything but online (and not "starting"). */
export const isDown = (s: DeviceStatus): boolean => s.device !== 'online' && s.device !== 'starting';

/** One silence and recovery: how long until the driver shows the device down, and back online. */
export async function silentRoundTrip(
  rig: SilentRig,
  timeoutMs = 60_000,
): Promise<{ offlineMs: number; onlineMs: number; down: DeviceStatus }> {
  await waitForStatus(rig.driver, isOnline, `${rig.kind} online before going silent`, timeoutMs);
  const goingDown = waitForStatus(rig.driver, isDown, `${rig.kind} down after going silent`, timeoutMs);
  rig.silence(true);
  const offlineMs = await goingDown;
  const down = rig.driver.status();
  const comingBack = waitForStatus(rig.driver, isOnline, `${rig.kind} online after answering again`, timeoutMs);
  rig.silence(false);
  const onlineMs = await comingBack;
  return { offlineMs, onlineMs, down };
}
