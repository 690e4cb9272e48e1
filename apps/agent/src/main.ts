import { processMain, stopWhenParentGoes } from '@kiosk/platform';
import { configPathFrom, loadConfig } from '@kiosk/kiosk-config';
import { createLogger } from '@kiosk/platform';
import { startAgent } from './agent.js';
import { defaultDevices, defaultModules } from './compose.js';
import { startSystemdIntegration } from './selfcare/systemd.js';

/** Process entry of the device agent: `tsx apps/agent/src/main.ts [--config PATH]`. */
async function main(): Promise<void> {
  const config = loadConfig(configPathFrom(process.argv.slice(2), process.env));
  const log = createLogger('device-agent', config.log.level);
  // Handlers go in before start-up: a Ctrl-C during recovery must still close drivers and the
  // database cleanly, once start-up has reached a consistent point.
  let requested: string | undefined;
  let stopNow: ((signal: string) => void) | undefined;
  const onSignal = (signal: string): void => {
    if (requested) return;
    requested = signal;
    log.info({ signal }, 'stopping');
    stopNow?.(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  stopWhenParentGoes();

  const agent = await startAgent(config, {
    logger: log,
    devices: defaultDevices(config, log),
    modules: defaultModules(config, log),
  });
  // READY=1 and watchdog pings when run by systemd (deploy/systemd/kiosk-agent.service).
  const systemd = await startSystemdIntegration(agent, process.env, log);
  stopNow = () => {
    void systemd.stopping();
    systemd.close();
    agent.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  if (requested) stopNow(requested);
}

processMain('kiosk agent', main);
