/** `kiosk sim idcard`: the ID card reader simulator alone, on a pty pair, with its control API. */
import type { Server } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePath } from '@kiosk/kiosk-config';
import { intOption, type CliCommand } from '@kiosk/platform';
import { isBaudRate } from '@kiosk/protocol-sam';
import { createControlApp } from '../control-api.js';
import { personalityPresets } from '../idcard/personality.js';
import { createIdCardSimulator } from '../idcard/simulator.js';
import { untilStopped } from './until-stopped.js';

function baudOption(raw: string | undefined): number {
  const n = intOption('baud', raw, 115200, 1, 10_000_000);
  if (!isBaudRate(n)) throw new Error(`--baud must be one of 115200, 57600, 38400, 19200, 9600, got ${n}`);
  return n;
}

function fail(cmd: string, message: string): number {
  process.stderr.write(`kiosk ${cmd}: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
  return 1;
}

const simUsage = [
  'Usage: kiosk sim idcard [--dir DIR] [--control-port N] [--baud N] [--personality NAME]',
  '',
  '  Runs the ID card reader simulator alone: creates the pty pair DIR/idcard (the agent side, printed',
  '  on stdout) and DIR/idcard-device (default DIR: var/dev), and serves its control routes on',
  '  http://127.0.0.1:5852/idcard (GET /idcard/profiles, POST /idcard/card, DELETE /idcard/card,',
  '  GET /idcard, POST /idcard/fault, POST /idcard/plug, GET/POST /idcard/personality) until Ctrl-C or',
  '  SIGTERM. --personality picks a reader behaviour preset (standard, no-30-05, slow-slide-in,',
  '  stale-frames …; see docs/idcard.md).',
].join('\n');

async function sim(args: string[]): Promise<number> {
  const cmd = 'sim idcard';
  let dir: string;
  let controlPort: number;
  let baud: number;
  let personality: string | undefined;
  try {
    const { values } = parseArgs({
      args,
      options: {
        dir: { type: 'string' },
        'control-port': { type: 'string' },
        baud: { type: 'string' },
        personality: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    dir = resolvePath(values.dir ?? 'var/dev');
    controlPort = intOption('control-port', values['control-port'], 5852, 0, 65535);
    baud = baudOption(values.baud);
    personality = values.personality;
  } catch (err) {
    return fail(cmd, `${(err as Error).message}; see --help`);
  }
  if (personality !== undefined && !(personality in personalityPresets)) {
    return fail(cmd, `unknown --personality "${personality}"; known: ${Object.keys(personalityPresets).join(', ')}`);
  }
  const simulator = createIdCardSimulator({
    agentPath: join(dir, 'idcard'),
    devicePath: join(dir, 'idcard-device'),
    baudRate: baud,
    ...(personality !== undefined ? { personality } : {}),
  });
  try {
    await simulator.start();
  } catch (err) {
    return fail(cmd, (err as Error).message);
  }
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = createControlApp([simulator]).listen(controlPort, '127.0.0.1', (err?: Error) => {
        if (err) reject(err);
        else resolve(s);
      });
      s.once('error', reject);
    });
  } catch (err) {
    await simulator.stop();
    return fail(cmd, `cannot listen on 127.0.0.1:${controlPort}: ${(err as Error).message}`);
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : controlPort;
  process.stdout.write(`${simulator.agentPath}\n`);
  process.stderr.write(
    `ID card simulator on ${simulator.agentPath}; control API http://127.0.0.1:${actualPort}/idcard; Ctrl-C to stop\n`,
  );
  await untilStopped();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await simulator.stop();
  return 0;
}

export const simIdcardCommands: CliCommand[] = [
  { path: ['sim', 'idcard'], summary: 'run the ID card reader simulator on a pty', usage: simUsage, run: sim },
];
