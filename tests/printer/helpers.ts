import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PrinterDriver, type PrinterDriverOptions } from '../../apps/agent/src/devices/printer/driver.js';
import { imageFromRows, monoImage, setPixel, type MonoImage } from '@kiosk/protocol-escpos';
import { getProfile, type PrinterProfile } from '../../apps/agent/src/devices/printer/profiles/index.js';
import { openDatabase, type Db } from '@kiosk/platform';
import { agentMigrations } from '../../apps/agent/src/store/migrations.js';
import { ReconnectingTransport } from '@kiosk/transport';
import { SerialTransport } from '@kiosk/transport';
import type { Transport } from '@kiosk/transport';
import {
  createPrinterSimulator,
  type PrinterPersonality,
  type PrinterSimulator,
} from '../../apps/simulators/src/printer/index.js';

export const p58 = (): PrinterProfile => getProfile('generic-58mm');
export const p80 = (): PrinterProfile => getProfile('generic-80mm');

export interface Rig {
  dir: string;
  sim: PrinterSimulator;
  db: Db;
  transport: Transport;
  driver: PrinterDriver;
  close(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kiosk-printer-'));
}

export async function waitFor<T>(f: () => T | undefined | false | null, what: string, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A simulator on a fresh pty pair, a SQLite file and a driver on a reconnecting serial transport. */
export async function rig(
  options: {
    profile?: PrinterProfile;
    driver?: Partial<PrinterDriverOptions>;
    start?: boolean;
    personality?: Partial<PrinterPersonality>;
  } = {},
): Promise<Rig> {
  const dir = tempDir();
  const profile = options.profile ?? p80();
  const sim = createPrinterSimulator({
    agentPath: join(dir, 'printer'),
    devicePath: join(dir, 'printer.device'),
    dotsPerLine: profile.dotsPerLine,
    ...(options.personality ? { personality: options.personality } : {}),
  });
  await sim.start();
  const db = openDatabase(join(dir, 'agent.db'), agentMigrations);
  const transport = new ReconnectingTransport(new SerialTransport({ path: sim.agentPath, baudRate: 115200 }), {
    initialDelayMs: 50,
    maxDelayMs: 200,
  });
  const driver = new PrinterDriver(transport, db, {
    profile,
    statusPollMs: 100,
    // Generous: tests share a loaded machine, and a late reply must not look like silence.
    statusTimeoutMs: 1500,
    writeWindowBytes: 1024,
    jobTimeoutMs: 15_000,
    ...options.driver,
  });
  if (options.start ?? true) await driver.start();
  return {
    dir,
    sim,
    db,
    transport,
    driver,
    async close() {
      await driver.stop().catch(() => undefined);
      await sim.stop().catch(() => undefined);
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A logo whose raster bytes never contain DLE (0x10), so what arrives can be compared exactly. */
export function stripedLogo(width: number, height: number): MonoImage {
  const img = monoImage(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if ((x >> 2) % 3 === 0 || (y >> 3) % 4 === 0) setPixel(img, x, y);
  for (const b of img.data) if (b === 0x10) throw new Error('test logo must not contain 0x10');
  return img;
}

export const smallIcon = (): MonoImage =>
  imageFromRows([
    '................',
    '..############..',
    '..#..........#..',
    '..#..######..#..',
    '..#..#....#..#..',
    '..#..######..#..',
    '..#..........#..',
    '..############..',
  ]);
