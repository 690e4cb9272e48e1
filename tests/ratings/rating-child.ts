/**
 * A real agent process for the 好差评 crash test (delivery-crash.test.ts): the production session
 * and ratings modules over a real SQLite store, talking to the parent's sandbox. No devices (gas
 * is the one service without the ID card step, so a session reaches the rating screen through
 * its placeholder flow). Prints {"ready": true, "url", "token"} once listening; the parent drives
 * it over the WebSocket API and SIGKILLs it.
 */
import { parseArgs } from 'node:util';
import { writeSync } from 'node:fs';
import { startAgent } from '../../apps/agent/src/agent.js';
import { defaultConfigPath, loadConfig } from '@kiosk/kiosk-config';
import { silentLogger } from '@kiosk/platform';
import { createRatingsModuleWith } from '../../apps/agent/src/ratings/module.js';
import { createServices } from '../../apps/agent/src/services/index.js';
import { createSessionModuleWith } from '../../apps/agent/src/session/module.js';

const { values } = parseArgs({ options: { data: { type: 'string' }, sandbox: { type: 'string' }, kiosk: { type: 'string' } } });

const config = structuredClone(loadConfig(defaultConfigPath));
config.dataDir = values.data!;
config.agent.port = 0;
config.kiosk.id = values.kiosk!;
config.upstream.baseUrl = values.sandbox!;
config.upstream.timeoutMs = 2000;
config.ratings.retryBaseMs = 100;
config.ratings.maxRetryMs = 1000;
config.central.url = 'http://127.0.0.1:9';

// Connector retries off: the queue's own retries are what this test is about.
const services = createServices({
  baseUrl: config.upstream.baseUrl,
  timeoutMs: config.upstream.timeoutMs,
  kioskId: config.kiosk.id,
  retry: { maxAttempts: 1 },
});
const agent = await startAgent(config, {
  logger: silentLogger(),
  devices: [],
  modules: [createSessionModuleWith({ faceVerifier: null }), createRatingsModuleWith({ services })],
});
writeSync(1, `${JSON.stringify({ ready: true, url: agent.url, token: agent.token })}\n`);
const stop = (): void => void agent.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
