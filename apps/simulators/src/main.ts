import { processMain, stopWhenParentGoes } from '@kiosk/platform';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { basename, join } from 'node:path';
import { configPathFrom, loadConfig, resolvePath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { createLogger } from '@kiosk/platform';
import { createControlApp } from './control-api.js';
import type { SimulatedDevice } from './simulated-device.js';
import { createIdCardSimulator } from './idcard/index.js';
import { createPrinterSimulator } from './printer/index.js';
import { createGasCardSimulator } from './gascard/index.js';
import { createCameraSimulator } from './camera/index.js';
import { createPaymentsControlRouter } from './payments-control.js';
import { createScannerSimulator } from './scanner/index.js';

/**
 * The device simulators of `npm start`: one pty pair per simulated serial device, at the paths the
 * kiosk config gives the agent, and the control API on 127.0.0.1:5852.
 */
export function simulatorsFor(config: KioskConfig): SimulatedDevice[] {
  const ptyDir = resolvePath(config.embedded.simulators.ptyDir);
  const deviceEnd = (agentPath: string): string => join(ptyDir, `${basename(agentPath)}.device`);
  const sims: SimulatedDevice[] = [];
  const { idcard, printer } = config.devices;
  if (idcard.enabled && idcard.transport.kind === 'serial') {
    const agentPath = resolvePath(idcard.transport.path);
    sims.push(createIdCardSimulator({ agentPath, devicePath: deviceEnd(agentPath), baudRate: idcard.transport.baudRate }));
  }
  if (printer.enabled && printer.transport.kind === 'serial') {
    const agentPath = resolvePath(printer.transport.path);
    sims.push(createPrinterSimulator({ agentPath, devicePath: deviceEnd(agentPath) }));
  }
  const { gascard } = config.devices;
  if (gascard?.enabled && gascard.transport.kind === 'serial') {
    const agentPath = resolvePath(gascard.transport.path);
    sims.push(
      createGasCardSimulator({
        agentPath,
        devicePath: deviceEnd(agentPath),
        baudRate: gascard.transport.baudRate,
        // The card's purchase counter must survive a simulator restart, as a real card's does.
        stateFile: join(resolvePath(config.dataDir), 'gascard-sim.json'),
      }),
    );
  }
  const { scanner } = config.devices;
  if (scanner?.enabled && scanner.transport.kind === 'serial') {
    const agentPath = resolvePath(scanner.transport.path);
    sims.push(createScannerSimulator({ agentPath, devicePath: deviceEnd(agentPath), baudRate: scanner.transport.baudRate }));
  }
  // The photo booth camera: when the agent's camera is this process's MJPEG stream.
  const { camera } = config.devices;
  const { host, port } = config.embedded.simulators;
  if (camera.enabled && camera.source.kind === 'mjpegHttp' && camera.source.url.startsWith(`http://${host}:${port}/camera/`)) {
    sims.push(createCameraSimulator());
  }
  return sims;
}

async function main(): Promise<void> {
  const config = loadConfig(configPathFrom(process.argv.slice(2), process.env));
  const log = createLogger('simulators', config.log.level);
  const sims = simulatorsFor(config);
  const started: SimulatedDevice[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of started.reverse()) await s.stop().catch((err: unknown) => log.error({ err, sim: s.name }, 'stop failed'));
  };
  try {
    for (const s of sims) {
      await s.start();
      started.push(s);
      log.info({ device: s.name, agentPath: s.agentPath }, 'simulated device ready');
    }
  } catch (err) {
    log.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot start simulators');
    await stopAll();
    process.exit(1);
  }
  const { host, port } = config.embedded.simulators;
  const server = createServer(createControlApp(sims, [createPaymentsControlRouter(config.upstream.baseUrl)]));
  server.listen(port, host);
  await once(server, 'listening');
  log.info({ url: `http://${host}:${port}/`, devices: sims.map((s) => s.name) }, 'simulator control API ready');

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping simulators');
    server.closeAllConnections();
    server.close();
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  stopWhenParentGoes();
}

processMain('kiosk simulators', main);
