/** `kiosk sim printer`: the receipt printer simulator alone, on a pty pair, with its control API. */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolvePath } from '@kiosk/kiosk-config';
import { intOption, type CliCommand } from '@kiosk/platform';
import { createControlApp } from '../control-api.js';
import { createPrinterSimulator } from '../printer/index.js';
import { untilStopped } from './until-stopped.js';

const simUsage = [
  'Usage: kiosk sim printer [--dir DIR] [--control-port N] [--dots 384|576]',
  '',
  '  Runs the receipt printer simulator on a pty pair: the agent side is DIR/printer (default var/dev).',
  '  Control routes on http://127.0.0.1:5852/printer (GET /printer, POST /printer/state,',
  '  GET|DELETE /printer/receipts, POST /printer/plug, POST /printer/personality, GET /printer/receipts/last.html).',
  '  Runs until Ctrl-C / SIGTERM.',
].join('\n');

async function simPrinter(args: string[]): Promise<number> {
  let dir: string;
  let controlPort: number;
  let dots: number;
  try {
    const { values } = parseArgs({
      args,
      options: { dir: { type: 'string' }, 'control-port': { type: 'string' }, dots: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    dir = resolvePath(values.dir ?? 'var/dev');
    controlPort = intOption('control-port', values['control-port'], 5852, 0, 65535);
    dots = intOption('dots', values.dots, 576, 96, 4096);
  } catch (err) {
    process.stderr.write(`kiosk sim printer: ${(err as Error).message}; see --help\n`);
    return 1;
  }
  const sim = createPrinterSimulator({
    agentPath: join(dir, 'printer'),
    devicePath: join(dir, 'printer.device'),
    dotsPerLine: dots,
  });
  try {
    await sim.start();
  } catch (err) {
    process.stderr.write(`kiosk sim printer: ${(err as Error).message}\n`);
    return 1;
  }
  const server = createServer(createControlApp([sim]));
  server.listen(controlPort, '127.0.0.1');
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch (err) {
    await sim.stop();
    process.stderr.write(`kiosk sim printer: cannot listen on 127.0.0.1:${controlPort}: ${(err as Error).message}\n`);
    return 1;
  }
  const port = (server.address() as AddressInfo).port;
  process.stdout.write(`printer simulator: pty ${sim.agentPath}\ncontrol: http://127.0.0.1:${port}/printer\n`);
  await untilStopped();
  server.closeAllConnections();
  server.close();
  await sim.stop();
  return 0;
}

export const simPrinterCommands: CliCommand[] = [
  { path: ['sim', 'printer'], summary: 'run the receipt printer simulator alone', usage: simUsage, run: simPrinter },
];
