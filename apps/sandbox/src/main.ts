import { processMain, stopWhenParentGoes } from '@kiosk/platform';
import { existsSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configPathFrom, loadConfig, resolvePath } from '@kiosk/kiosk-config';
import { createLogger, type Logger } from '@kiosk/platform';
import { ensurePrivateDir } from '@kiosk/platform';
import { startSandbox } from './server.js';

/**
 * Process entry for the sandbox upstream: `tsx apps/sandbox/src/main.ts [--config PATH]
 * [--public-url URL]`. Listens on embedded.sandbox.host/port with its data in
 * <embedded.sandbox.dataDir>/sandbox.db (never in the kiosk's own data directory).
 * `--public-url` (or SANDBOX_PUBLIC_URL) sets the base of QR-code URLs, e.g. the machine's LAN
 * address so a phone can open the pay page.
 */
/** Earlier versions kept sandbox.db in the kiosk's data directory: move it (with its WAL) out once. */
function moveLegacyDb(kioskDataDir: string, dataDir: string, log: Logger): void {
  const old = join(kioskDataDir, 'sandbox.db');
  const target = join(dataDir, 'sandbox.db');
  if (resolve(old) === resolve(target) || !existsSync(old) || existsSync(target)) return;
  ensurePrivateDir(dataDir);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(old + suffix)) renameSync(old + suffix, target + suffix);
  log.info({ from: old, to: target }, 'moved the sandbox database out of the kiosk data directory');
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(configPathFrom(argv, env));
  const log = createLogger('sandbox', config.log.level);
  const i = argv.indexOf('--public-url');
  const publicBaseUrl = (i >= 0 ? argv[i + 1] : undefined) ?? env.SANDBOX_PUBLIC_URL;
  const dataDir = resolvePath(config.embedded.sandbox.dataDir);
  moveLegacyDb(resolvePath(config.dataDir), dataDir, log);
  const sandbox = await startSandbox({
    host: config.embedded.sandbox.host,
    port: config.embedded.sandbox.port,
    dataDir,
    logger: log,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  });
  log.info({ url: sandbox.url, db: join(dataDir, 'sandbox.db') }, 'sandbox ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping sandbox');
    sandbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'sandbox did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  stopWhenParentGoes();
}

processMain('sandbox', () => main(process.argv.slice(2), process.env));
