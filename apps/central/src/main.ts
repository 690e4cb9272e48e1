/**
 * Central monitor process: `tsx apps/central/src/main.ts [--config PATH] [--host H] [--port N]` (or
 * CENTRAL_CONFIG, else config/central.default.json; --host/--port replace the file's `listen`). `tsx apps/central/src/main.ts hash-password` prints a scrypt hash for a
 * dashboard user's password read from stdin.
 */
import { processMain, stopWhenParentGoes } from '@kiosk/platform';
import { resolvePath } from '@kiosk/kiosk-config';
import { createLogger } from '@kiosk/platform';
import { centralConfigPath, listenOverride, loadCentralConfig } from './config.js';
import { hashPassword } from './password.js';
import { startCentral } from './server.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'hash-password') {
    if (process.stdin.isTTY) process.stderr.write('password (then Enter, Ctrl-D): ');
    const pw = await readStdin();
    if (pw.length < 8) {
      process.stderr.write('central: a password needs at least 8 characters\n');
      return 1;
    }
    process.stdout.write((await hashPassword(pw)) + '\n');
    return 0;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'Usage: central [--config PATH] [--host H] [--port N]   (or CENTRAL_CONFIG=PATH)\n       central hash-password < password.txt\n',
    );
    return 0;
  }
  const config = loadCentralConfig(centralConfigPath(argv, process.env));
  const listen = { ...config.listen, ...listenOverride(argv) };
  const log = createLogger('central', config.log.level);
  const central = await startCentral({
    host: listen.host,
    port: listen.port,
    dataDir: resolvePath(config.dataDir),
    config,
    logger: log,
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      log.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    stopWhenParentGoes();
  });
  await central.close();
  return 0;
}

processMain('central', () => main(process.argv.slice(2)));
