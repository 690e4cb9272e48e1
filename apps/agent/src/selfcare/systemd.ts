import type { Logger } from '@kiosk/platform';
import type { Db } from '@kiosk/platform';
import { agentProbes } from './agent-probes.js';
import { createSystemdNotifier, watchdogIntervalMs, type SystemdNotifier } from './systemd-notify.js';

/**
 * Tells systemd the agent is ready and keeps its watchdog fed while the event loop, the store and
 * the WebSocket server are healthy (deploy/systemd/kiosk-agent.service: Type=notify, WatchdogSec=).
 * Does nothing outside systemd (no NOTIFY_SOCKET), e.g. under `npm start`.
 */
export async function startSystemdIntegration(
  agent: { url: string; token: string; db: Db },
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<SystemdNotifier> {
  // A hung probe must not push the next ping past WatchdogSec: it gets half an interval.
  const interval = watchdogIntervalMs(env);
  const probeTimeoutMs = interval ? Math.max(100, Math.floor(interval / 2)) : 5_000;
  const notifier = createSystemdNotifier({
    env,
    logger: logger.child({ module: 'systemd' }),
    probes: agentProbes(agent, probeTimeoutMs),
  });
  await notifier.ready(`ready at ${agent.url}`);
  return notifier;
}
