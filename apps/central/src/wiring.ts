import type { Logger } from 'pino';
import { AlertBook, type Alert, type AlertChange } from './alerts.js';
import { CommandDesk } from './commands.js';
import type { CentralConfig } from './config.js';
import { Enrollment } from './enrollment.js';
import { Fleet } from './fleet.js';
import { KioskKeys } from './kiosk-keys.js';
import { SecretBox } from './secrets.js';
import { CentralStore, type SqlExec } from './store/store.js';
import { WebhookQueue } from './webhook.js';

export interface CentralParts {
  store: CentralStore;
  fleet: Fleet;
  keys: KioskKeys;
  webhook: WebhookQueue;
  /** Stops the webhook worker, writes queued heartbeats, closes the store. */
  close(): Promise<void>;
}

const commandChannel = 'central_commands';

/**
 * Central's parts, wired in one place: the store under everything; the alert book notifies the
 * webhook in the alert's own transaction; the command desk wakes this replica's waiting kiosks
 * and tells the other replicas; the fleet uses both.
 */
export async function openCentral(opts: {
  config: CentralConfig;
  dataDir: string;
  databaseUrl: string | undefined;
  env: NodeJS.ProcessEnv;
  logger: Logger;
}): Promise<CentralParts> {
  const { config, logger: log } = opts;
  const store = await CentralStore.open({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  try {
    const box = SecretBox.load(opts.env, opts.dataDir, store.dialect === 'sqlite');
    const enrolled = await new Enrollment(store, box).enrollConfigured(config.kiosks);
    if (enrolled) log.info({ kiosks: enrolled }, 'kiosks from the config file enrolled');

    const webhook = new WebhookQueue(store, config.webhook, log.child({ component: 'webhook' }));
    const commands = new CommandDesk(store, config.commands.ttlHours, (kioskId) => {
      store.driver.notify(commandChannel, kioskId).catch((err: unknown) => log.warn({ err }, 'command notify failed'));
    });
    await store.driver.listen(commandChannel, (kioskId) => commands.wake(kioskId));
    // The alert book is made before the fleet it reports on; the webhook reads the fleet's view late.
    const view: { fleet?: Fleet } = {};
    const onAlert = async (change: AlertChange, alert: Alert, notify: boolean, db: SqlExec): Promise<void> => {
      const k = view.fleet?.get(alert.kioskId);
      log.info({ kiosk: alert.kioskId, code: alert.code, change, severity: alert.severity, notify }, 'alert');
      if (!notify) return;
      await webhook.enqueue(
        {
          type: `alert.${change}`,
          at: new Date().toISOString(),
          kiosk: { id: alert.kioskId, site: k?.site ?? null, name: k?.name ?? null, state: k?.state ?? null },
          alert: {
            id: alert.id,
            code: alert.code,
            severity: alert.severity,
            source: alert.source,
            message: alert.message,
            openedAt: new Date(alert.openedAt).toISOString(),
            resolvedAt: alert.resolvedAt === null ? null : new Date(alert.resolvedAt).toISOString(),
            acknowledgedBy: alert.ackedBy,
            occurrences: alert.occurrences,
          },
        },
        db,
      );
    };
    const alerts = new AlertBook(
      store,
      { flappingMaxOpenings: config.alerts.flappingMaxOpenings, flappingWindowMs: config.alerts.flappingWindowMinutes * 60_000 },
      onAlert,
    );
    const fleet = new Fleet(store, config, log, alerts, commands);
    view.fleet = fleet;
    await fleet.refresh();
    const keys = new KioskKeys(store, box, log.child({ component: 'keys' }));
    await keys.loadAll();
    fleet.onRows = (rows) => keys.update(rows);
    webhook.start();
    return {
      store,
      fleet,
      keys,
      webhook,
      async close() {
        await webhook.stop();
        await fleet.flush();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
