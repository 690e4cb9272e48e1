import express, { type NextFunction, type Request, type Response } from 'express';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ensurePrivateDir, errorStatus, publicMessage, upstreamError } from '@kiosk/platform';
import { pino, type Logger } from 'pino';
import type { Health } from '@kiosk/contracts/upstream';
import { FaultRegistry } from './faults.js';
import type { OpDeps } from './http.js';
import { MoneyFaults } from './money-faults.js';
import { mountFaultAdmin } from './routes/admin.js';
import { mountMoneyFaultAdmin } from './routes/money-faults.js';
import { mountGas } from './routes/gas.js';
import { mountPayments } from './routes/payments.js';
import { mountRegistries } from './routes/registries.js';
import { mountSlips } from './routes/slips.js';
import { mountFace } from './routes/face.js';
import { mountEvaluation } from './routes/evaluation.js';
import { mountLicences } from './routes/licences.js';
import { generateLicences } from './licences.js';
import { mountEid } from './routes/eid.js';
import { mountPhoto } from './routes/photo.js';
import { idCardProfilePeople } from './profiles.js';
import { openSandboxDb } from './store.js';
import type { ExtraPerson } from '@kiosk/synthetic';
import { chinaDate } from '@kiosk/platform';

export interface SandboxOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** The sandbox keeps `sandbox.db` here. */
  dataDir: string;
  logger?: Logger;
  /** Base of URLs printed in QR codes (verify, pay); defaults to the listening URL. */
  publicBaseUrl?: string;
  /** Data generator seed; default DEFAULT_SEED. */
  seed?: string;
  /** Fixes the synthetic data's "today" (YYYY-MM-DD); default: the date the file was first seeded. */
  asOf?: string;
  /** People seeded in addition to the generated ones (default: the ID card simulator's profiles). */
  extraPeople?: readonly ExtraPerson[];
  /** Clock for order expiry and timestamps (tests). */
  now?: () => Date;
}

export interface SandboxHandle {
  url: string;
  /** Where QR codes point. */
  publicBaseUrl: string;
  faults: FaultRegistry;
  /** Named money misbehaviours (late credit, lost answer, payment during close …). */
  moneyFaults: MoneyFaults;
  close(): Promise<void>;
}

const SERVICE = 'kiosk-sandbox-upstream';

export async function startSandbox(opts: SandboxOptions): Promise<SandboxHandle> {
  const log = (opts.logger ?? pino({ level: 'silent' })).child({ component: 'sandbox' });
  const now = opts.now ?? (() => new Date());
  const extraPeople = opts.extraPeople ?? idCardProfilePeople();
  ensurePrivateDir(opts.dataDir);
  const { db, data, reseeded } = openSandboxDb(join(opts.dataDir, 'sandbox.db'), chinaDate(now()), {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.asOf !== undefined ? { asOf: opts.asOf } : {}),
    extraPeople,
  });
  log.info(
    { people: data.people.length, gasAccounts: data.gasAccounts.length, asOf: data.asOf, reseeded },
    'synthetic data ready',
  );

  const faults = new FaultRegistry();
  const moneyFaults = new MoneyFaults(faults);
  const deps: OpDeps = { log, faults, hanging: new Set(), held: moneyFaults.held };
  const startedAt = now().toISOString();
  let baseUrl = opts.publicBaseUrl?.replace(/\/+$/, '') ?? '';
  const publicBaseUrl = () => baseUrl;

  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.get('/healthz', (_req, res) => {
    const body: Health = { status: 'ok', service: SERVICE, people: data.people.length, startedAt };
    res.json(body);
  });
  const router = express.Router();
  mountRegistries(router, db, deps, now);
  mountSlips(router, db, deps, now, publicBaseUrl);
  mountFace(router, deps);
  mountEvaluation(router, db, deps, now);
  mountLicences(router, db, deps, now, generateLicences(data));
  mountEid(router, deps, now);
  mountPhoto(router, db, deps, now);
  mountGas(router, db, deps, now);
  mountPayments(router, db, deps, now, publicBaseUrl, moneyFaults);
  mountFaultAdmin(router, faults);
  mountMoneyFaultAdmin(router, moneyFaults);
  app.use(router);
  app.use((_req, res) => {
    res.status(404).json(upstreamError('NO_SUCH_ROUTE', 'no such route'));
  });
  app.use((err: Error & { type?: string }, req: Request, res: Response, _next: NextFunction) => {
    const status = errorStatus(err);
    if (status === 500) log.error({ err, path: req.path }, 'unhandled sandbox error');
    const code = err.type === 'entity.parse.failed' ? 'INVALID_JSON' : status === 500 ? 'INTERNAL' : 'BAD_REQUEST';
    const message = status === 500 ? 'internal error in the sandbox' : publicMessage(err, status);
    if (!res.headersSent) res.status(status).json(upstreamError(code, message));
  });

  const server = app.listen(opts.port, opts.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => {
      db.close();
      reject(err);
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  if (!baseUrl) baseUrl = url;
  log.info({ url, publicBaseUrl: baseUrl }, 'sandbox upstream listening');

  let closed: Promise<void> | undefined;
  return {
    url,
    publicBaseUrl: baseUrl,
    faults,
    moneyFaults,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const t of deps.hanging) clearTimeout(t);
        deps.hanging.clear();
        server.close(() => {
          db.close();
          log.info('sandbox upstream stopped');
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
