import { configPathFrom, loadConfig, ConfigError } from './config/load.js';
import { createLogger } from './log.js';
import { startAgent } from './agent.js';
import { defaultDevices, defaultModules } from './compose.js';

/** Process entry of the device agent: `tsx device-agent/src/main.ts [--config PATH]`. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(configPathFrom(process.argv.slice(2), process.env));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kiosk agent: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger('device-agent', config.log.level);
  const agent = await startAgent(config, {
    logger: log,
    devices: defaultDevices(config, log),
    modules: defaultModules(),
  });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`kiosk agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
