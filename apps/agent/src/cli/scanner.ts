/**
 * `kiosk device scanner read --port PATH [--timeout-ms N] [--baud N]`: waits for one code from a
 * 2D scanner module in serial mode and prints it as JSON, masked when it looks personal (an e-ID
 * code, an ID number). For a field engineer checking the module and its cable.
 */
import { parseArgs } from 'node:util';
import { ScannerDriver, ScannerError } from '../devices/scanner/driver.js';
import { maskScan } from '../devices/scanner/personal.js';
import { SerialTransport } from '@kiosk/transport';
import type { CliCommand } from '@kiosk/platform';

const usage = [
  'Usage: kiosk device scanner read --port PATH [--timeout-ms N] [--baud N]',
  '',
  '  Waits for one code from the 2D scanner module at PATH (serial mode, 8N1, default 9600 baud;',
  '  each code ends with CR, CRLF or LF) and prints one JSON object:',
  '  {"text", "kind": "eid" | "idNumber" | "other", "masked", "length"}. e-ID codes and ID numbers',
  '  are masked; "length" is the length of the code as read. Default timeout 30000 ms.',
  '  Exit 0: a code was read. Exit 2: no code in time. Exit 1: bad arguments or no such port.',
].join('\n');

const bauds = new Set([1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200]);

function intOption(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new Error(`--${name} must be an integer ${min}..${max}, got "${raw}"`);
  return n;
}

function fail(message: string): number {
  process.stderr.write(`kiosk device scanner read: ${message}\n`);
  return 1;
}

async function read(args: string[]): Promise<number> {
  let port: string;
  let timeoutMs: number;
  let baudRate: number;
  try {
    const { values } = parseArgs({
      args,
      options: { port: { type: 'string' }, 'timeout-ms': { type: 'string' }, baud: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.port) throw new Error('--port PATH is required');
    port = values.port;
    timeoutMs = intOption('timeout-ms', values['timeout-ms'], 30_000, 1, 3_600_000);
    baudRate = intOption('baud', values.baud, 9600, 1, 10_000_000);
    if (!bauds.has(baudRate)) throw new Error(`--baud must be one of ${[...bauds].join(', ')}, got ${baudRate}`);
  } catch (err) {
    return fail(`${(err as Error).message}; see --help`);
  }
  const transport = new SerialTransport({ path: port, baudRate });
  try {
    await transport.open();
  } catch (err) {
    return fail((err as Error).message);
  }
  const driver = new ScannerDriver({ transport });
  driver.on('rejected', (r) => process.stderr.write(`kiosk device scanner read: dropped ${r.bytes} bytes (${r.reason})\n`));
  try {
    await driver.start();
    const code = await driver.read({ timeoutMs });
    const shown = maskScan(code.text);
    process.stdout.write(
      `${JSON.stringify({ text: shown.text, kind: shown.kind, masked: shown.masked, length: code.text.length })}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ScannerError && err.code === 'timeout') {
      process.stderr.write(`kiosk device scanner read: no code within ${timeoutMs} ms\n`);
      return 2;
    }
    return fail((err as Error).message);
  } finally {
    await driver.stop();
  }
}

export const scannerCommands: CliCommand[] = [
  { path: ['device', 'scanner', 'read'], summary: 'Print one code from a 2D barcode scanner module (masked)', usage, run: read },
];
