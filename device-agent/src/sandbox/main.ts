import { stopWhenParentGoes } from '../parent-watch.js';
import { join } from 'node:path';
import { configPathFrom, loadConfig, resolvePath } from '../config/load.js';
import { createLogger } from '../log.js';
import { startSandbox } from './server.js';

/**
 * Process entry for the sandbox upstream: `tsx device-agent/src/sandbox/main.ts [--config PATH]
 * [--public-url URL]`. Listens on embedded.sandbox.host/port with its data in <dataDir>/sandbox.db.
 * `--public-url` (or SANDBOX_PUBLIC_URL) sets the base of QR-code URLs, e.g. the machine's LAN
 * address so a phone can open the pay page.
 */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const config = loadConfig(configPathFrom(argv, env));
  const log = createLogger('sandbox', config.log.level);
  const i = argv.indexOf('--public-url');
  const publicBaseUrl = (i >= 0 ? argv[i + 1] : undefined) ?? env.SANDBOX_PUBLIC_URL;
  const sandbox = await startSandbox({
    host: config.embedded.sandbox.host,
    port: config.embedded.sandbox.port,
    dataDir: resolvePath(config.dataDir),
    logger: log,
    ...(publicBaseUrl ? { publicBaseUrl } : {}),
  });
  log.info({ url: sandbox.url, db: join(resolvePath(config.dataDir), 'sandbox.db') }, 'sandbox ready');

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

main(process.argv.slice(2), process.env).catch((err: unknown) => {
  process.stderr.write(`sandbox: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
