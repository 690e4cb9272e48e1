import express from 'express';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { pino, type Logger } from 'pino';
import { projectRoot } from '@kiosk/kiosk-config';
import { serviceErrorHandler, serviceNotFound } from '@kiosk/platform';
import { AlertmanagerSink } from './alerting/alertmanager.js';
import { Sessions } from './auth.js';
import { HistoryRecorder } from './charts/history.js';
import { ChartQueries } from './charts/queries.js';
import { chartRoutes } from './charts/routes.js';
import { chartSourceFromSql } from './charts/source.js';
import { databaseUrl, type CentralConfig } from './config.js';
import { dashboardRoutes } from './dashboard-routes.js';
import { registerKioskRoutes } from './kiosk-routes.js';
import { RatingsBook } from './ratings.js';
import { ratingsRoutes } from './ratings-routes.js';
import { createCentralMetrics } from './metrics.js';
import { lastPruneAt, prune } from './retention.js';
import { openCentral } from './wiring.js';

export interface StartCentralOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Holds central.db (SQLite) and, without CENTRAL_MASTER_KEY, the generated master key. */
  dataDir: string;
  /** PostgreSQL URL; default: CENTRAL_DATABASE_URL, else the config's `database.url`, else SQLite. */
  databaseUrl?: string | undefined;
  /** Environment for the master key (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** How often chart history is written (default 5 s; tests shorten it). */
  historyFlushMs?: number;
  config: CentralConfig;
  logger?: Logger;
  /** The built dashboard; default apps/central/ui/dist. */
  uiDir?: string;
}

export interface CentralServer {
  url: string;
  close(): Promise<void>;
}

export const defaultUiDir = join(projectRoot, 'apps/central/ui/dist');

export async function startCentral(opts: StartCentralOptions): Promise<CentralServer> {
  const log = opts.logger ?? pino({ level: 'silent' });
  const { config } = opts;
  const env = opts.env ?? process.env;
  const c = await openCentral({
    config,
    dataDir: opts.dataDir,
    databaseUrl: opts.databaseUrl ?? databaseUrl(config, env),
    env,
    logger: log,
  });
  const { store, fleet, keys, webhook } = c;
  const sessions = new Sessions(store, config.dashboard);
  const ratings = new RatingsBook(store);
  fleet.eventHandlers.push(ratings.onEvent);
  const chartSource = chartSourceFromSql(store.driver);
  const history = new HistoryRecorder(
    chartSource,
    log.child({ component: 'history' }),
    config.heartbeat.offlineAfterMissed,
    opts.historyFlushMs,
  );
  try {
    await history.start(config.retention.eventDays);
  } catch (err) {
    await c.close();
    throw err;
  }
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
  registerKioskRoutes(
    app,
    '/api/v1',
    fleet,
    keys,
    metrics,
    config.heartbeat.maxSkewSeconds * 1000,
    log,
    undefined,
    (id, prev, hb, now) => history.recordBeat(id, prev, hb, now),
  );
  app.use('/api/v1', dashboardRoutes(fleet, sessions, config));
  app.use('/api/v1', ratingsRoutes(ratings, sessions));
  app.use(
    '/api/v1',
    chartRoutes(new ChartQueries(chartSource), sessions, {
      kiosk: (id) => fleet.get(id) !== undefined,
      site: (s) => [...fleet.all()].some((k) => k.site === s),
    }),
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
    await c.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host === '[::]' ? '[::1]' : host}:${address.port}`;

  // Timers never overlap themselves: a slow database makes them skip a turn, not pile up.
  const every = (ms: number, what: string, fn: () => Promise<void>): NodeJS.Timeout => {
    let busy = false;
    const t = setInterval(() => {
      if (busy) return;
      busy = true;
      fn()
        .catch((err: unknown) => log.error({ err }, `${what} failed`))
        .finally(() => {
          busy = false;
        });
    }, ms);
    t.unref();
    return t;
  };
  const sweepTimer = every(config.heartbeat.sweepIntervalMs, 'fleet sweep', () => fleet.sweep(Date.now()));
  // Other replicas (and the enrollment CLI) change kiosks too: this replica's view follows within a second.
  const refreshTimer = every(1_000, 'fleet refresh', () => fleet.refresh());

  let pruning: Promise<unknown> | undefined;
  const pruneEveryMs = config.retention.pruneIntervalHours * 3_600_000;
  const maybePrune = (): void => {
    if (pruning) return;
    pruning = (async () => {
      const last = await lastPruneAt(store);
      if (last !== null && Date.now() - last < pruneEveryMs) return;
      // One replica prunes at a time.
      await store.driver.exclusive('retention', async () => {
        const again = await lastPruneAt(store);
        if (again !== null && Date.now() - again < pruneEveryMs) return;
        const counts = await prune(store, config.retention);
        log.info({ counts }, 'retention prune done');
      });
    })()
      .catch((err: unknown) => log.error({ err }, 'retention prune failed'))
      .finally(() => {
        pruning = undefined;
      });
  };
  maybePrune();
  const pruneTimer = setInterval(maybePrune, Math.min(pruneEveryMs, 3_600_000));
  pruneTimer.unref();
  const alertmanager =
    config.alerting === 'alertmanager' && config.alertmanager.url
      ? new AlertmanagerSink(
          { openAlerts: () => fleet.alerts.allOpen(), kiosk: (id) => fleet.get(id) },
          { ...config.alertmanager, url: config.alertmanager.url },
          log.child({ component: 'alertmanager' }),
        )
      : undefined;
  alertmanager?.start();

  log.info(
    { url, kiosks: fleet.size, webhook: webhook.enabled, alerting: config.alerting, database: store.dialect },
    'central listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        clearInterval(sweepTimer);
        clearInterval(refreshTimer);
        clearInterval(pruneTimer);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await alertmanager?.stop();
        await pruning;
        await history.stop();
        await c.close();
        log.info('central stopped');
      })();
      return closing;
    },
  };
}
