import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '@kiosk/kiosk-config';
import { ConfigError, scryptHashPattern } from '@kiosk/platform';
import { thresholds } from './alerting/thresholds.js';

export const defaultCentralConfigPath = resolve(projectRoot, 'config/central.default.json');

const port = z.number().int().min(0).max(65535);
const positiveInt = z.number().int().positive();

/** Kiosks listed here are enrolled into the database on start if not enrolled yet (the demo kiosk); `kiosk-central kiosk add` is the way for real ones. */
const kioskSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash or underscore, at most 64'),
  /** Shared with the kiosk's config `central.secret`. */
  secret: z.string().min(16, 'must be at least 16 characters'),
  /** Groups the fleet view; defaults to "未分组 Unassigned". */
  site: z.string().min(1).max(100).optional(),
  /** Human name for the dashboard, e.g. where it stands. */
  name: z.string().min(1).max(100).optional(),
  /** Missed heartbeat intervals before this kiosk counts as offline (overrides heartbeat.offlineAfterMissed). */
  offlineAfterMissed: positiveInt.optional(),
});

const userSchema = z.object({
  username: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'letters, digits, dot, dash or underscore, at most 32'),
  role: z.enum(['viewer', 'operator']),
  /** `scrypt$N$r$p$salt$hash` (base64url; base64 from earlier versions); make one with `tsx apps/central/src/main.ts hash-password`. */
  passwordHash: z.string().regex(scryptHashPattern, 'must be a scrypt hash made by `central hash-password`'),
});

const centralConfigSchema = z
  .object({
    listen: z.object({
      /** 127.0.0.1 for a single machine; 0.0.0.0 (behind TLS) when kiosks reach it over the network. */
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(5850),
      /**
       * Addresses of the TLS reverse proxy in front of central (express "trust proxy": e.g.
       * "loopback" or a list of addresses). Only then is X-Forwarded-For believed for the
       * per-address login limit; otherwise every login would seem to come from the proxy, and a
       * stranger could spoof the header to dodge the limit. Default: trust nobody.
       */
      trustProxy: z.union([z.boolean(), z.string().min(1), z.array(z.string().min(1))]).default(false),
    }),
    /** SQLite file and screenshots; relative to the project root unless absolute. */
    dataDir: z.string().min(1).default('var/central'),
    /**
     * `url: "postgres://…"` puts central's data in PostgreSQL, shared by any number of replicas
     * (CENTRAL_DATABASE_URL overrides it). Without it: SQLite in dataDir, one process.
     */
    database: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
          .optional(),
      })
      .strict()
      .default({}),
    enrollment: z
      .object({
        /** After `kiosk-central kiosk rotate-secret`, the old secret is still accepted this long. */
        rotationGraceHours: z.number().min(0).default(24),
      })
      .default({ rotationGraceHours: 24 }),
    log: z
      .object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') })
      .default({ level: 'info' }),
    heartbeat: z
      .object({
        /** A kiosk is offline after this many missed intervals (its own interval, from its heartbeat). */
        offlineAfterMissed: positiveInt.default(thresholds.offlineAfterMissed),
        /** Assumed interval for kiosks that never sent a heartbeat. */
        defaultIntervalMs: positiveInt.default(30_000),
        /** Signed requests more than this far from central's clock are refused as stale. */
        maxSkewSeconds: positiveInt.max(3600).default(300),
        /** How often central looks for kiosks that went quiet. */
        sweepIntervalMs: positiveInt.default(1_000),
      })
      .default({
        offlineAfterMissed: thresholds.offlineAfterMissed,
        defaultIntervalMs: 30_000,
        maxSkewSeconds: 300,
        sweepIntervalMs: 1_000,
      }),
    kiosks: z
      .array(kioskSchema)
      .refine((k) => new Set(k.map((x) => x.id)).size === k.length, 'kiosk ids must be unique')
      .default([]),
    fleet: z
      .object({
        /** Devices without which a kiosk is out of order (error); others down only make it a warning. */
        essentialDevices: z.array(z.string()).default([...thresholds.essentialDevices]),
        /** Below this free disk space a kiosk is a warning. */
        diskLowBytes: z.number().int().min(0).default(thresholds.diskLowBytes),
        /** The dashboard's "not seen for N days" list. */
        notSeenDays: positiveInt.default(3),
      })
      .default({ essentialDevices: [...thresholds.essentialDevices], diskLowBytes: thresholds.diskLowBytes, notSeenDays: 3 }),
    alerts: z
      .object({
        /** More than this many openings of the same alert within the window → reported once as flapping. */
        flappingMaxOpenings: positiveInt.default(3),
        flappingWindowMinutes: positiveInt.default(30),
      })
      .default({ flappingMaxOpenings: 3, flappingWindowMinutes: 30 }),
    webhook: z
      .object({
        /** JSON POST target for alert notifications; leave out to disable. */
        url: z.url().optional(),
        timeoutMs: positiveInt.default(5_000),
        maxAttempts: positiveInt.max(50).default(8),
        /** First retry delay; doubles each time. */
        retryBaseMs: positiveInt.default(2_000),
      })
      .default({ timeoutMs: 5_000, maxAttempts: 8, retryBaseMs: 2_000 }),
    /**
     * Who sends alert notifications: "builtin" (central's own webhook, below) or "alertmanager"
     * (central posts its alerts to Alertmanager's v2 API, which routes, groups and silences them;
     * the webhook still runs if it has a url).
     */
    alerting: z.enum(['builtin', 'alertmanager']).default('builtin'),
    alertmanager: z
      .object({
        /** Alertmanager's base URL, e.g. http://127.0.0.1:9093 (several replicas: any one; they gossip). */
        url: z.url().optional(),
        /**
         * Firing alerts are posted again this often; each carries endsAt = now + 4 × this, so
         * Alertmanager resolves them by itself if central stops posting (as Prometheus does).
         */
        resendIntervalMs: positiveInt.default(60_000),
        /** How often central compares its open alerts with what it last posted. */
        syncIntervalMs: positiveInt.default(1_000),
        timeoutMs: positiveInt.default(5_000),
      })
      .strict()
      .default({ resendIntervalMs: 60_000, syncIntervalMs: 1_000, timeoutMs: 5_000 }),
    retention: z
      .object({
        heartbeatDays: positiveInt.default(7),
        /** Events, state changes, alerts, commands, audit: 180 days for government audit expectations. */
        eventDays: positiveInt.default(180),
        screenshotsPerKiosk: positiveInt.default(20),
        pruneIntervalHours: z.number().positive().default(24),
      })
      .default({ heartbeatDays: 7, eventDays: 180, screenshotsPerKiosk: 20, pruneIntervalHours: 24 }),
    commands: z
      .object({
        /** A command no kiosk picked up within this time expires (it is never dropped once delivered). */
        ttlHours: z.number().positive().default(24),
      })
      .default({ ttlHours: 24 }),
    dashboard: z.object({
      users: z.array(userSchema).refine((u) => new Set(u.map((x) => x.username)).size === u.length, 'usernames must be unique'),
      sessionHours: z.number().positive().default(12),
      /** Set when served over HTTPS so the session cookie is Secure. */
      secureCookies: z.boolean().default(false),
      /** Failed-login limits; counted before the password check and kept in central.db. */
      lockout: z
        .object({
          maxFailuresPerUser: positiveInt.default(5),
          maxFailuresPerAddress: positiveInt.default(20),
          lockMinutes: positiveInt.default(5),
          windowMinutes: positiveInt.default(15),
          maxEntries: positiveInt.min(100).default(10_000),
        })
        .default({ maxFailuresPerUser: 5, maxFailuresPerAddress: 20, lockMinutes: 5, windowMinutes: 15, maxEntries: 10_000 }),
    }),
  })
  .strict()
  .refine((c) => c.alerting !== 'alertmanager' || c.alertmanager.url !== undefined, {
    message: 'alerting "alertmanager" needs alertmanager.url',
    path: ['alertmanager', 'url'],
  });

export type CentralConfig = z.infer<typeof centralConfigSchema>;
export type CentralConfigInput = z.input<typeof centralConfigSchema>;

/** A ConfigError (exit 78 from processMain) that says it is central's. */
export class CentralConfigError extends ConfigError {
  override name = 'CentralConfigError';
}

/** Validates; throws one CentralConfigError naming every bad field. */
export function parseCentralConfig(raw: unknown, source = 'central configuration'): CentralConfig {
  const r = centralConfigSchema.safeParse(raw);
  if (!r.success) {
    const issues = r.error.issues
      .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`)
      .join('; ');
    throw new CentralConfigError(`invalid ${source}: ${issues}`);
  }
  return r.data;
}

export function loadCentralConfig(path: string): CentralConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CentralConfigError(`cannot read central config ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CentralConfigError(`central config ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseCentralConfig(raw, `central config ${path}`);
}

/** `--config PATH` (or `--config=PATH`) wins over CENTRAL_CONFIG, which wins over the default file. */
export function centralConfigPath(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const i = argv.indexOf('--config');
  if (i >= 0) {
    const p = argv[i + 1];
    if (!p || p.startsWith('--')) throw new CentralConfigError('--config needs a file path');
    return resolve(p);
  }
  const eq = argv.find((a) => a.startsWith('--config='));
  if (eq) return resolve(eq.slice('--config='.length));
  if (env.CENTRAL_CONFIG) return resolve(env.CENTRAL_CONFIG);
  return defaultCentralConfigPath;
}

/**
 * `--host H` / `--port N` replace `listen` from the file. `npm start` passes the kiosk config's
 * `embedded.central` this way, so that one setting decides where the embedded central listens
 * and where the orchestrator looks for it (issue 20 item 4).
 */
export function listenOverride(argv: readonly string[]): { host?: string; port?: number } {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    if (i >= 0) {
      const v = argv[i + 1];
      if (!v || v.startsWith('--')) throw new CentralConfigError(`${flag} needs a value`);
      return v;
    }
    return argv.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
  };
  const out: { host?: string; port?: number } = {};
  const host = value('--host');
  if (host !== undefined) out.host = host;
  const port = value('--port');
  if (port !== undefined) {
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new CentralConfigError(`--port must be 0–65535, not ${port}`);
    out.port = Number(port);
  }
  return out;
}

/** CENTRAL_DATABASE_URL wins over the config's `database.url`; undefined means SQLite. */
export function databaseUrl(config: CentralConfig, env: NodeJS.ProcessEnv): string | undefined {
  const fromEnv = env.CENTRAL_DATABASE_URL?.trim();
  if (fromEnv) {
    if (!/^postgres(ql)?:\/\//.test(fromEnv)) throw new CentralConfigError('CENTRAL_DATABASE_URL must be a postgres:// URL');
    return fromEnv;
  }
  return config.database.url;
}
