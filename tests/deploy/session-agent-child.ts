/**
 * The agent a session power-cut test kills: the production drivers (from the config) and the
 * monitor, with the session module running the test slip flow (tests/session/rig.ts) for `tax`,
 * so a citizen journey reaches a real print quickly. Run with `node --import tsx … --config FILE`.
 */
import { startAgent } from '../../device-agent/src/agent.js';
import { configPathFrom, loadConfig } from '../../device-agent/src/config/load.js';
import { defaultDevices } from '../../device-agent/src/compose.js';
import { createLogger } from '../../device-agent/src/log.js';
import { createMonitorModule } from '../../device-agent/src/monitor/module.js';
import { createSessionModuleWith } from '../../device-agent/src/session/module.js';
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
