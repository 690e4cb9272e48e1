import { configPathFrom, loadConfig, ConfigError } from '../device-agent/src/config/load.js';
import { createLogger } from '../device-agent/src/log.js';
import { spawnNode, stopChild, waitHealthy, type Child } from './processes.js';

/**
 * `npm start`: simulators, sandbox upstream, central monitor and device agent, on loopback, in
 * the order they depend on each other. Ctrl-C or SIGTERM stops them in reverse order; if any of
 * them dies, the rest are stopped too, so nothing is ever left running half-wired.
 */
async function main(): Promise<number> {
  const configPath = configPathFrom(process.argv.slice(2), process.env);
  let config;
  try {
    config = loadConfig(configPath);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kiosk: ${err.message}\n`);
      return 78;
    }
    throw err;
  }
  const log = createLogger('kiosk-start', config.log.level);
  const children: Child[] = [];
  const args = ['--config', configPath];
  const { sandbox, simulators, central } = config.embedded;

  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const c of [...children].reverse()) {
      if (await stopChild(c)) log.warn({ process: c.name }, 'did not stop in time; killed');
    }
  };
  const onSignal = (signal: string): void => {
    if (stopping) return;
    log.info({ signal }, 'stopping all processes');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  const launch = async (name: string, file: string, health: string, extra: string[] = args): Promise<void> => {
    const child = spawnNode(name, file, extra);
    children.push(child);
    void child.exited.then((code) => {
      if (stopping) return;
      log.error({ process: name, code }, 'process exited unexpectedly; stopping the rest');
      void stopAll().then(() => process.exit(1));
    });
    await waitHealthy(child, health);
  };

  const urls: string[] = [];
  try {
    if (simulators.enabled) {
      const url = `http://${simulators.host}:${simulators.port}`;
      await launch('simulators', 'dist/simulators.mjs', `${url}/`);
      urls.push(`simulator control API  ${url}/`);
    }
    if (sandbox.enabled) {
      const url = `http://${sandbox.host}:${sandbox.port}`;
      await launch('sandbox', 'dist/sandbox.mjs', `${url}/healthz`);
      urls.push(`sandbox upstream       ${url}/`);
    }
    if (central.enabled) {
      const url = `http://${central.host}:${central.port}`;
      const centralArgs = process.env.CENTRAL_CONFIG ? ['--config', process.env.CENTRAL_CONFIG] : [];
      await launch('central', 'dist/central.mjs', `${url}/healthz`, centralArgs);
      urls.push(`central monitor        ${url}/`);
    }
    const agentUrl = `http://${config.agent.host}:${config.agent.port}`;
    await launch('device-agent', 'dist/agent.mjs', `${agentUrl}/healthz`);
    urls.unshift(`kiosk UI               ${agentUrl}/`);
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'start-up failed');
    await stopAll();
    return 1;
  }
  log.info({ urls }, 'kiosk running');
  process.stdout.write(`\nKiosk is running (Ctrl-C to stop):\n${urls.map((u) => `  ${u}`).join('\n')}\n\n`);
  return new Promise<number>(() => {
    // Runs until a signal or a child's exit ends the process.
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kiosk: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
