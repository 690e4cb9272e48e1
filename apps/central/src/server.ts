import express from 'express';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { pino, type Logger } from 'pino';
import { projectRoot } from '@kiosk/kiosk-config';
import { ensurePrivateDir, openDatabase, serviceErrorHandler, serviceNotFound } from '@kiosk/platform';
import { AlertmanagerSink } from './alerting/alertmanager.js';
import { Sessions } from './auth.js';
import { HistoryRecorder } from './charts/history.js';
import { ChartQueries } from './charts/queries.js';
import { chartRoutes } from './charts/routes.js';
import { sqliteChartSource } from './charts/source.js';
import type { CentralConfig } from './config.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { Fleet } from './fleet.js';
import { registerKioskRoutes } from './kiosk-routes.js';
import { RatingsBook } from './ratings.js';
import { ratingsRoutes } from './ratings-routes.js';
import { createCentralMetrics } from './metrics.js';
import { centralMigrations } from './migrations.js';
import { lastPruneAt, prune } from './retention.js';
import { WebhookQueue } from './webhook.js';

export interface StartCentralOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Holds central.db. */
  dataDir: string;
  config: CentralConfig;
  logger?: Logger;
  /** The built dashboard; default apps/central/ui/dist. */
  uiDir?: string;
  /** How often chart history is written (default 5 s; tests shorten it). */
  historyFlushMs?: number;
}

export interface CentralServer {
  url: string;
  close(): Promise<void>;
}

export const defaultUiDir = join(projectRoot, 'apps/central/ui/dist');

export async function startCentral(opts: StartCentralOptions): Promise<CentralServer> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const { config } = opts;
  ensurePrivateDir(opts.dataDir);
  const db = openDatabase(join(opts.dataDir, 'central.db'), centralMigrations);
  // Monitoring data, not money: a power cut may lose the last second of heartbeats, and WAL with
  // NORMAL skips the fsync per commit that would cap central at a few hundred beats a second.
  db.pragma('synchronous = NORMAL');

  const webhook = new WebhookQueue(db, config.webhook, log.child({ component: 'webhook' }));
  let fleet: Fleet;
  try {
    fleet = new Fleet(db, config, log, webhook);
  } catch (err) {
    db.close();
    throw err;
  }
  const sessions = new Sessions(db, config.dashboard);
  const ratings = new RatingsBook(db);
  fleet.eventHandlers.push(ratings.onEvent);
  const chartSource = sqliteChartSource(db);
  const history = new HistoryRecorder(chartSource, log.child({ component: 'history' }), config.heartbeat.offlineAfterMissed, opts.historyFlushMs);
  await history.start(config.retention.eventDays);
  const metrics = createCentralMetrics(fleet);

  const app = express();
  app.disable('x-powered-by');
  // Answers are per-request JSON; hashing each body for an ETag is wasted work on the hot path.
  app.set('etag', false);
  app.set('trust proxy', config.listen.trustProxy);
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', kiosks: fleet.size });
  });
  app.get('/metrics', (_req, res, next) => {
    metrics.render().then((text) => {
      res.setHeader('Content-Type', metrics.registry.contentType);
      res.send(text);
    }, next);
  });
  registerKioskRoutes(app, '/api/v1', fleet, metrics, config.heartbeat.maxSkewSeconds * 1000, log, undefined, (k, prev, hb, now) =>
    history.recordBeat(k.id, prev, hb, now),
  );
  app.use('/api/v1', dashboardRoutes(fleet, sessions, config));
  app.use('/api/v1', ratingsRoutes(ratings, fleet, sessions));
  const sites = new Set([...fleet.all()].map((k) => k.site));
  app.use(
    '/api/v1',
    chartRoutes(new ChartQueries(chartSource), sessions, { kiosk: (id) => fleet.get(id) !== undefined, site: (s) => sites.has(s) }),
  );
  app.use('/api', serviceNotFound);

  const uiDir = opts.uiDir ?? defaultUiDir;
  const indexFile = join(uiDir, 'index.html');
  app.use('/assets', express.static(join(uiDir, 'assets'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(uiDir, { index: false }));
  app.get('/{*splat}', (_req, res) => {
    if (!existsSync(indexFile)) {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('监控台未构建 Dashboard not built: npx vite build --config apps/central/ui/vite.config.ts\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(indexFile);
  });
  app.use(serviceErrorHandler(log));

  const server = createServer(app);
  // Kiosks keep their connection between beats; outlive the default 5 s so a 30 s interval reuses it
  // at least when requests bunch up, and never hang on to half-open sockets for long.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  try {
    server.listen(opts.port, opts.host);
    await once(server, 'listening');
  } catch (err) {
    db.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;

  const sweepTimer = setInterval(() => {
    try {
      fleet.sweep(Date.now());
    } catch (err) {
      log.error({ err }, 'fleet sweep failed');
    }
  }, config.heartbeat.sweepIntervalMs);
  sweepTimer.unref();

  let pruning: Promise<unknown> | undefined;
  const pruneEveryMs = config.retention.pruneIntervalHours * 3_600_000;
  const maybePrune = (): void => {
    if (pruning) return;
    const last = lastPruneAt(db);
    if (last !== null && Date.now() - last < pruneEveryMs) return;
    pruning = prune(db, config.retention)
      .then((counts) => log.info({ counts }, 'retention prune done'))
      .catch((err: unknown) => log.error({ err }, 'retention prune failed'))
      .finally(() => {
        pruning = undefined;
      });
  };
  maybePrune();
  const pruneTimer = setInterval(maybePrune, Math.min(pruneEveryMs, 3_600_000));
  pruneTimer.unref();
  webhook.start();
  const alertmanager =
    config.alerting === 'alertmanager' && config.alertmanager.url
      ? new AlertmanagerSink(
          { openAlerts: () => fleet.alerts.allOpen(), kiosk: (id) => fleet.get(id) },
          { ...config.alertmanager, url: config.alertmanager.url },
          log.child({ component: 'alertmanager' }),
        )
      : undefined;
  alertmanager?.start();

  log.info({ url, kiosks: fleet.size, webhook: webhook.enabled, alerting: config.alerting }, 'central listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        clearInterval(sweepTimer);
        clearInterval(pruneTimer);
        await webhook.stop();
        await alertmanager?.stop();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await pruning;
        await history.stop();
        fleet.flush();
        db.close();
        log.info('central stopped');
      })();
      return closing;
    },
  };
}
