import { configPathFrom, loadConfig } from '@kiosk/kiosk-config';
import { createLogger, processMain } from '@kiosk/platform';
import { Supervisor, type ProcessSpec } from './supervisor.js';

/**
 * `npm start`: simulators, sandbox upstream, central monitor and device agent, on loopback, in
 * the order they depend on each other. The kiosk must keep serving citizens while a companion
 * (simulators, sandbox, central) restarts: a companion that exits is started again with backoff.
 * Everything stops, in reverse order, only on Ctrl-C/SIGTERM or when the agent cannot start.
 */
async function main(): Promise<number> {
  const configPath = configPathFrom(process.argv.slice(2), process.env);
  const config = loadConfig(configPath);
  const log = createLogger('kiosk-start', config.log.level);
  const args = ['--config', configPath];
  const { sandbox, simulators, central } = config.embedded;

  const specs: ProcessSpec[] = [];
  if (simulators.enabled) {
    const url = `http://${simulators.host}:${simulators.port}`;
    specs.push({
      name: 'simulators',
      file: 'dist/simulators.mjs',
      args,
      health: `${url}/`,
      url: `simulator control API  ${url}/`,
    });
  }
  if (sandbox.enabled) {
    const url = `http://${sandbox.host}:${sandbox.port}`;
    specs.push({
      name: 'sandbox',
      file: 'dist/sandbox.mjs',
      args,
      health: `${url}/healthz`,
      url: `sandbox upstream       ${url}/`,
    });
  }
  if (central.enabled) {
    const url = `http://${central.host}:${central.port}`;
    // embedded.central is the one place that says where the embedded central listens: it overrides
    // the `listen` of central's own config file, and the health check looks exactly there.
    const centralArgs = [
      ...(process.env.CENTRAL_CONFIG ? ['--config', process.env.CENTRAL_CONFIG] : []),
      '--host',
      central.host,
      '--port',
      String(central.port),
    ];
    specs.push({
      name: 'central',
      file: 'dist/central.mjs',
      args: centralArgs,
      health: `${url}/healthz`,
      url: `central monitor        ${url}/`,
    });
    const target = new URL(config.central.url);
    if (Number(target.port || 80) !== central.port) {
      log.warn(
        { centralUrl: config.central.url, embeddedPort: central.port },
        'central.url does not point at the embedded central; heartbeats go elsewhere',
      );
    }
  }
  const agentUrl = `http://${config.agent.host}:${config.agent.port}`;
  const agent: ProcessSpec = {
    name: 'device-agent',
    file: 'dist/agent.mjs',
    args,
    health: `${agentUrl}/healthz`,
    url: `kiosk UI               ${agentUrl}/`,
  };

  const supervisor = new Supervisor(log, agent.name);
  const onSignal = (signal: string): void => {
    if (supervisor.stopping) return;
    log.info({ signal }, 'stopping all processes');
    void supervisor.stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  supervisor.onFatal = (why) => {
    log.error({ why }, 'the device agent cannot run; stopping everything');
    void supervisor.stopAll().then(() => process.exit(1));
  };

  // Companions first, in dependency order; one that cannot start now keeps being retried in the
  // background (the agent shows its devices or services as unavailable meanwhile).
  for (const spec of specs) await supervisor.start(spec, { retryOnFailure: true });
  if (!(await supervisor.start(agent, { retryOnFailure: false }))) {
    await supervisor.stopAll();
    return 1;
  }
  const urls = [agent, ...specs].map((s) => s.url);
  log.info({ urls }, 'kiosk running');
  process.stdout.write(`\nKiosk is running (Ctrl-C to stop):\n${urls.map((u) => `  ${u}`).join('\n')}\n\n`);
  return new Promise<number>(() => {
    // Runs until a signal, or the agent failing to start again, ends the process.
  });
}

processMain('kiosk', main, { exitWhenDone: true });
