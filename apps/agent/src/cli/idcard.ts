/**
 * Field-engineer commands for the ID card reader (the stand-alone simulator, `kiosk sim idcard`,
 * is the simulators app's):
 *   kiosk device idcard read --port PATH [--baud N] [--timeout-ms N] [--reveal]
 *   kiosk device idcard sam  --port PATH [--baud N] [--timeout-ms N]
 *   kiosk device idcard watch --port PATH --count N [--baud N] [--timeout-ms N] [--reveal]
 */
import { parseArgs } from 'node:util';
import { IdCardDriver, createIdCardDriver, type CardReadEvent } from '../devices/idcard/driver.js';
import { IdCardError } from '../devices/idcard/errors.js';
import { isBaudRate } from '@kiosk/protocol-sam';
import { SerialTransport } from '@kiosk/transport';
import { maskIdNumber, maskName } from '@kiosk/platform';
import type { DeviceStatus } from '@kiosk/contracts/device-status';
import { intOption, type CliCommand } from '@kiosk/platform';
import { resolvePath } from '@kiosk/kiosk-config';

function baudOption(raw: string | undefined): number {
  const n = intOption('baud', raw, 115200, 1, 10_000_000);
  if (!isBaudRate(n)) throw new Error(`--baud must be one of 115200, 57600, 38400, 19200, 9600, got ${n}`);
  return n;
}

/**
 * The JSON a field engineer sees: the issue's field set, per card type. Name, English name and
 * numbers are masked unless `reveal`.
 */
function cardToCliJson(event: CardReadEvent, reveal: boolean): Record<string, unknown> {
  const c = event.card;
  const name = (s: string): string => (reveal ? s : maskName(s));
  const num = (s: string): string => (reveal ? s : maskIdNumber(s));
  const photo = { format: 'wlt', bytes: event.photo.bytes };
  let out: Record<string, unknown>;
  switch (c.cardType) {
    case 'resident':
      out = {
        cardType: c.cardType,
        name: name(c.name),
        sex: c.sex,
        nation: c.nation,
        birthDate: c.birthDate,
        address: c.address,
        idNumber: num(c.idNumber),
        issuer: c.issuer,
        validFrom: c.validFrom,
        validTo: c.validTo,
      };
      break;
    case 'hk-macau-taiwan':
      out = {
        cardType: c.cardType,
        name: name(c.name),
        sex: c.sex,
        birthDate: c.birthDate,
        address: c.address,
        idNumber: num(c.idNumber),
        issuer: c.issuer,
        validFrom: c.validFrom,
        validTo: c.validTo,
        permitNumber: num(c.permitNumber),
        issueCount: c.issueCount,
      };
      break;
    case 'foreign-2017':
      out = {
        cardType: c.cardType,
        name: name(c.name),
        englishName: name(c.englishName),
        sex: c.sex,
        nationality: c.nationality,
        birthDate: c.birthDate,
        idNumber: num(c.idNumber),
        issuer: c.issuer,
        validFrom: c.validFrom,
        validTo: c.validTo,
        cardVersion: c.cardVersion,
      };
      break;
    case 'foreign-2023':
      out = {
        cardType: c.cardType,
        name: name(c.name),
        englishName: name(c.englishName),
        sex: c.sex,
        nationality: c.nationality,
        birthDate: c.birthDate,
        idNumber: num(c.idNumber),
        validFrom: c.validFrom,
        validTo: c.validTo,
        renewalCount: c.renewalCount,
        ...(c.previousIdNumber ? { previousIdNumber: num(c.previousIdNumber) } : {}),
      };
      break;
  }
  out.photo = photo;
  // A bad check digit or date is reported, never silently accepted.
  if (c.warnings.length) out.warnings = c.warnings.map((w) => ({ code: w.code, field: w.field, zh: w.zh, en: w.en }));
  return out;
}

interface ReaderArgs {
  port: string;
  baud: number;
  timeoutMs: number;
  reveal: boolean;
  count: number;
}

/**
 * The options every reader command takes (--port, --baud, --timeout-ms), plus --reveal and
 * --count where the command has them. Throws a usage error in the order the engineer fixes them.
 */
function readerArgs(
  args: string[],
  spec: { timeout: { fallback: number; max: number }; reveal?: boolean; count?: boolean },
): ReaderArgs {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      baud: { type: 'string' },
      'timeout-ms': { type: 'string' },
      ...(spec.count ? { count: { type: 'string' as const } } : {}),
      ...(spec.reveal ? { reveal: { type: 'boolean' as const, default: false } } : {}),
    },
    strict: true,
    allowPositionals: false,
  });
  const v = values as { port?: string; baud?: string; 'timeout-ms'?: string; count?: string; reveal?: boolean };
  if (!v.port) throw new Error('--port PATH is required');
  if (spec.count && v.count === undefined) throw new Error('--count N is required');
  return {
    port: v.port,
    count: spec.count ? intOption('count', v.count, 1, 1, 100_000) : 1,
    baud: baudOption(v.baud),
    timeoutMs: intOption('timeout-ms', v['timeout-ms'], spec.timeout.fallback, 1, spec.timeout.max),
    reveal: v.reveal ?? false,
  };
}

function fail(cmd: string, message: string): number {
  process.stderr.write(`kiosk ${cmd}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return 1;
}

/** Opens the port once (no reconnect: a field engineer wants to know now). */
async function openReader(path: string, baudRate: number, requestTimeoutMs: number): Promise<IdCardDriver> {
  const transport = new SerialTransport({ path: resolvePath(path), baudRate });
  await transport.open();
  return new IdCardDriver({ transport, baudRate, requestTimeoutMs, pollIntervalMs: 300 });
}

/** Resolves when the status is online; rejects when it turns into an error state. */
function whenOnline(driver: IdCardDriver): { promise: Promise<void>; cancel: () => void } {
  let cancel = (): void => {};
  const promise = new Promise<void>((resolve, reject) => {
    const check = (s: DeviceStatus): void => {
      if (s.device === 'online') {
        cancel();
        resolve();
      } else if (s.device === 'hardwareError' || s.device === 'offline' || s.device === 'noDevice') {
        cancel();
        reject(new Error(s.detail ?? s.device));
      }
    };
    cancel = () => driver.off('status', check);
    driver.on('status', check);
  });
  return { promise, cancel };
}

const readUsage = [
  'Usage: kiosk device idcard read --port PATH [--baud N] [--timeout-ms N] [--reveal]',
  '',
  '  Waits for an ID card on the reader at PATH (UART 8N1, default 115200 baud) and prints one JSON',
  '  object: cardType, name, sex, nation, birthDate, address, idNumber, issuer, validFrom, validTo,',
  '  the card type\'s own fields and photo {format: "wlt", bytes: 1024}.',
  '  Name and numbers are masked unless --reveal. Default timeout 30000 ms.',
  '  Exit 0: card read. Exit 2: no card arrived in time. Exit 1: any error (one-line reason on stderr).',
].join('\n');

async function read(args: string[]): Promise<number> {
  const cmd = 'device idcard read';
  let opts: ReaderArgs;
  try {
    opts = readerArgs(args, { timeout: { fallback: 30_000, max: 3_600_000 }, reveal: true });
  } catch (err) {
    return fail(cmd, `${(err as Error).message}; see --help`);
  }
  const { port, baud, timeoutMs, reveal } = opts;

  let driver: IdCardDriver;
  try {
    driver = await openReader(port, baud, 3000);
  } catch (err) {
    return fail(cmd, (err as Error).message);
  }
  driver.on('error', (e) => {
    if (e.willRetry) process.stderr.write(`${e.zh}，请重新放置身份证 / ${e.message}; place the card again\n`);
  });
  const online = whenOnline(driver);
  online.promise.catch(() => undefined);
  try {
    await driver.start();
    const card = driver.waitForCard({ timeoutMs });
    const event = await Promise.race([card, online.promise.then(() => card)]);
    process.stdout.write(`${JSON.stringify(cardToCliJson(event, reveal), null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof IdCardError && err.code === 'noCard') {
      if (driver.status().device === 'online') {
        // A card that was just read stays invisible to find until it is lifted (reader protection).
        process.stderr.write(
          `kiosk ${cmd}: no card within ${timeoutMs} ms (a card already read must be lifted and placed again)\n`,
        );
        return 2;
      }
      return fail(cmd, `reader not ready: ${driver.status().detail ?? driver.status().device}`);
    }
    const e = err as Error & { zh?: string };
    return fail(cmd, e.zh ? `${e.message} (${e.zh})` : e.message);
  } finally {
    online.cancel();
    await driver.stop();
  }
}

const samUsage = [
  'Usage: kiosk device idcard sam --port PATH [--baud N] [--timeout-ms N]',
  '',
  "  Prints the reader's SAM ID, e.g. 05.01-20101129-0001228293-0296863149. Default timeout 5000 ms.",
  '  Exit 0 on success, 1 with a one-line reason on any error.',
].join('\n');

async function sam(args: string[]): Promise<number> {
  const cmd = 'device idcard sam';
  let opts: ReaderArgs;
  try {
    opts = readerArgs(args, { timeout: { fallback: 5000, max: 600_000 } });
  } catch (err) {
    return fail(cmd, `${(err as Error).message}; see --help`);
  }
  const { port, baud, timeoutMs } = opts;
  let driver: IdCardDriver;
  try {
    driver = await openReader(port, baud, Math.min(timeoutMs, 3000));
  } catch (err) {
    return fail(cmd, (err as Error).message);
  }
  const online = whenOnline(driver);
  let timer: NodeJS.Timeout | undefined;
  try {
    await driver.start();
    await Promise.race([
      online.promise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`reader did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    const id = driver.lastSamId ?? (await driver.readSamId());
    process.stdout.write(`${id}\n`);
    return 0;
  } catch (err) {
    return fail(cmd, (err as Error).message);
  } finally {
    if (timer) clearTimeout(timer);
    online.cancel();
    await driver.stop();
  }
}

const watchUsage = [
  'Usage: kiosk device idcard watch --port PATH --count N [--baud N] [--timeout-ms N] [--reveal]',
  '',
  '  Reads ID cards as they are placed on the reader at PATH, with the same long-lived driver the',
  '  agent runs (polling, retries, reconnect), and prints each read as one JSON line with the fields',
  '  of `device idcard read`. Every placement is read once: lift a card and place the next one.',
  '  Stops after N cards. --timeout-ms bounds the whole run (default 600000 ms).',
  '  Name and numbers are masked unless --reveal. Problems (re-place the card, reader offline) go to',
  '  stderr, one line each.',
  '  Exit 0: N cards read. Exit 2: fewer within the timeout. Exit 1: bad arguments or no such port.',
].join('\n');

async function watch(args: string[]): Promise<number> {
  const cmd = 'device idcard watch';
  let opts: ReaderArgs;
  try {
    opts = readerArgs(args, { timeout: { fallback: 600_000, max: 86_400_000 }, reveal: true, count: true });
  } catch (err) {
    return fail(cmd, `${(err as Error).message}; see --help`);
  }
  const { port, baud, count, timeoutMs, reveal } = opts;

  // The agent's driver: reconnecting serial transport, the configured defaults, the same loop.
  const driver = createIdCardDriver({
    enabled: true,
    transport: { kind: 'serial', path: resolvePath(port), baudRate: baud },
    pollIntervalMs: 300,
    requestTimeoutMs: 3000,
  });
  let read = 0;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));
  driver.on('cardRead', (event) => {
    if (read >= count) return;
    read += 1;
    process.stdout.write(`${JSON.stringify(cardToCliJson(event, reveal))}\n`);
    if (read >= count) finish(0);
  });
  driver.on('error', (e) => {
    const what = e.willRetry ? '请重新放置身份证 / place the card again' : '读卡失败 / read failed';
    process.stderr.write(`kiosk ${cmd}: ${e.zh} (${e.message}); ${what}\n`);
  });
  let lastDevice: string | undefined;
  driver.on('status', (s) => {
    if (s.device === lastDevice) return;
    const previous = lastDevice;
    lastDevice = s.device;
    if (s.device === 'online' && previous !== undefined && previous !== 'starting') {
      process.stderr.write(`kiosk ${cmd}: reader online again\n`);
    } else if (s.device === 'offline' || s.device === 'hardwareError') {
      process.stderr.write(`kiosk ${cmd}: reader ${s.device}: ${s.detail ?? ''}\n`);
    }
  });
  const timer = setTimeout(() => {
    process.stderr.write(`kiosk ${cmd}: ${read} of ${count} card(s) read within ${timeoutMs} ms\n`);
    finish(2);
  }, timeoutMs);
  try {
    await driver.start();
    if (driver.status().device === 'noDevice') {
      return fail(cmd, driver.status().detail ?? `cannot open ${port}`);
    }
    return await done;
  } finally {
    clearTimeout(timer);
    // Our own stop is not news for the engineer.
    driver.removeAllListeners('status');
    await driver.stop();
  }
}

export const idcardCommands: CliCommand[] = [
  {
    path: ['device', 'idcard', 'read'],
    summary: 'wait for an ID card and print it as JSON (masked)',
    usage: readUsage,
    run: read,
  },
  { path: ['device', 'idcard', 'sam'], summary: "print the ID card reader's SAM ID", usage: samUsage, run: sam },
  {
    path: ['device', 'idcard', 'watch'],
    summary: 'read ID cards as they are placed, one JSON line each, until N were read',
    usage: watchUsage,
    run: watch,
  },
];
