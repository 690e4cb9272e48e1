import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IdCardDriver, type CardReadEvent, type IdCardDriverOptions } from '../../apps/agent/src/devices/idcard/driver.js';
import type { IdCardError } from '../../apps/agent/src/devices/idcard/errors.js';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { ReconnectingTransport } from '@kiosk/transport';
import { SerialTransport } from '@kiosk/transport';
import {
  createIdCardSimulator,
  type IdCardSimulator,
  type IdCardSimulatorOptions,
} from '../../apps/simulators/src/idcard/simulator.js';

/** Faster than the realistic defaults so the suite stays quick; one test uses the defaults. */
export const fastTiming = { short: [2, 5], find: [5, 15], select: [5, 15], read: [60, 120] } as const;

export type Recorded =
  | { type: 'status'; status: DeviceStatus }
  | { type: 'cardInserted' }
  | { type: 'cardRead'; event: CardReadEvent }
  | { type: 'cardRemoved' }
  | { type: 'error'; error: IdCardError };

export interface Rig {
  dir: string;
  sim: IdCardSimulator;
  driver: IdCardDriver;
  events: Recorded[];
  /** Resolves when `pred` holds for some recorded event (checked on every new event). */
  waitFor(pred: (e: Recorded) => boolean, timeoutMs?: number, label?: string): Promise<Recorded>;
  waitForStatus(device: DeviceStatus['device'], timeoutMs?: number): Promise<DeviceStatus>;
  count(type: Recorded['type']): number;
  close(): Promise<void>;
}

export async function createRig(
  opts: { sim?: Partial<IdCardSimulatorOptions>; driver?: Partial<IdCardDriverOptions>; startDriver?: boolean } = {},
): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-idcard-'));
  const agentPath = join(dir, 'idcard');
  const sim = createIdCardSimulator({
    agentPath,
    devicePath: join(dir, 'idcard-device'),
    timing: fastTiming,
    ...opts.sim,
  });
  await sim.start();
  const transport = new ReconnectingTransport(new SerialTransport({ path: agentPath, baudRate: 115200 }), {
    initialDelayMs: 100,
    maxDelayMs: 400,
  });
  const driver = new IdCardDriver({ transport, pollIntervalMs: 50, requestTimeoutMs: 1500, shortTimeoutMs: 500, ...opts.driver });
  const events: Recorded[] = [];
  const listeners = new Set<() => void>();
  const push = (e: Recorded): void => {
    events.push(e);
    for (const l of [...listeners]) l();
  };
  driver.on('status', (status) => push({ type: 'status', status }));
  driver.on('cardInserted', () => push({ type: 'cardInserted' }));
  driver.on('cardRead', (event) => push({ type: 'cardRead', event }));
  driver.on('cardRemoved', () => push({ type: 'cardRemoved' }));
  driver.on('error', (error) => push({ type: 'error', error }));

  const waitFor = (pred: (e: Recorded) => boolean, timeoutMs = 8000, label = 'event'): Promise<Recorded> => {
    const startIndex = 0;
    return new Promise((resolve, reject) => {
      let seen = startIndex;
      const check = (): void => {
        for (; seen < events.length; seen++) {
          if (pred(events[seen]!)) {
            finish();
            resolve(events[seen]!);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `timed out waiting for ${label}; saw ${events.map((e) => (e.type === 'status' ? `status:${e.status.device}` : e.type)).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  };

  if (opts.startDriver !== false) await driver.start();

  return {
    dir,
    sim,
    driver,
    events,
    waitFor,
    async waitForStatus(device, timeoutMs = 8000) {
      if (driver.status().device === device) return driver.status();
      const e = await waitFor((x) => x.type === 'status' && x.status.device === device, timeoutMs, `status ${device}`);
      return (e as { status: DeviceStatus }).status;
    },
    count(type) {
      return events.filter((e) => e.type === type).length;
    },
    async close() {
      await driver.stop();
      await sim.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const isRead = (e: Recorded): e is Extract<Recorded, { type: 'cardRead' }> => e.type === 'cardRead';
export const isError = (e: Recorded): e is Extract<Recorded, { type: 'error' }> => e.type === 'error';

/** The kinds of the recorded events, status changes left out (`error:<code>` for errors). */
export function kinds(events: Recorded[]): string[] {
  return events.filter((e) => e.type !== 'status').map((e) => (e.type === 'error' ? `error:${e.error.code}` : e.type));
}

/** Events recorded after index `from`. */
export function since(rig: Rig, from: number): Recorded[] {
  return rig.events.slice(from);
}

/** Resolves once `pred()` holds (checked every 20 ms): for simulator state that emits no event. */
export async function until(pred: () => boolean, label: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
