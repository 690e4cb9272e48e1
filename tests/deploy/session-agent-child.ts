/**
 * The agent a session power-cut test kills: the production drivers (from the config) and the
 * monitor, with the session module running the test slip flow (tests/session/rig.ts) for `tax`,
 * so a citizen journey reaches a real print quickly. Run with `node --import tsx … --config FILE`.
 */
import { startAgent } from '../../apps/agent/src/agent.js';
import { configPathFrom, loadConfig } from '@kiosk/kiosk-config';
import { defaultDevices } from '../../apps/agent/src/compose.js';
import { createLogger } from '@kiosk/platform';
import { createMonitorModule } from '../../apps/agent/src/monitor/module.js';
import { createSessionModuleWith } from '../../apps/agent/src/session/module.js';
import { slipFlow } from '../session/rig.js';

const config = loadConfig(configPathFrom(process.argv.slice(2), process.env));
const log = createLogger('device-agent', 'silent');
const agent = await startAgent(config, {
  logger: log,
  devices: defaultDevices(config, log),
  modules: [createSessionModuleWith({ flows: { tax: slipFlow } }), createMonitorModule],
});
process.on('SIGTERM', () => {
  void agent.stop().then(() => process.exit(0));
});
