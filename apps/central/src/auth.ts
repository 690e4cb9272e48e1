import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { serviceError } from '@kiosk/platform';
import {
  digestMatches,
  endpoints,
  parseSignedHeaders,
  signer,
  type Endpoint,
  type RejectReason,
} from '@kiosk/contracts/heartbeat';
import type { DashboardRole, DashboardUser } from '@kiosk/contracts/central-dashboard';
import type { CentralConfig } from './config.js';
import { acceptedSecrets, type KioskKeys } from './kiosk-keys.js';
import type { CentralStore, ClaimedKiosk } from './store/store.js';
import { hashPassword, verifyPassword } from './password.js';
import type { UploadGate } from './upload-gate.js';
import { LoginThrottle } from './login-throttle.js';

export interface SignedLocals {
  kioskId: string;
  /** The kiosk's facts, read with the claim of this request's sequence number. */
  claimed: ClaimedKiosk;
  seq: number;
  body: Buffer;
}

export function signedLocals(res: Response): SignedLocals {
  return res.locals as SignedLocals;
}

const reasonText: Record<RejectReason, string> = {
  unsigned: 'request is not signed',
  'unknown-kiosk': 'unknown kiosk',
  'bad-signature': 'signature does not match',
  stale: 'timestamp too far from server time',
  replay: 'sequence number already used',
  'too-large': 'body too large',
  busy: 'too many uploads in progress; try again shortly',
};

const rejectStatus: Partial<Record<RejectReason, number>> = { 'too-large': 413, busy: 503 };

/** Set by `bodyLimit` ahead of `verifyKioskRequest`: the most a route accepts. */
const limitKey = 'signedBodyLimit';
const defaultBodyLimit = 256 * 1024;

/** Declares the largest body a signed route accepts (`256kb`, `16mb`); nothing is read here. */
export function bodyLimit(limit: string): RequestHandler {
  const m = /^(\d+)(kb|mb)$/i.exec(limit);
  if (!m) throw new Error(`body limit must look like 256kb or 16mb, not ${limit}`);
  const bytes = Number(m[1]) * (m[2]!.toLowerCase() === 'mb' ? 1024 * 1024 : 1024);
  return (_req, res, next) => {
    res.locals[limitKey] = bytes;
    next();
  };
}

export interface SignedReading {
  gate: UploadGate;
  /** Told every body byte read before verification (central_request_body_bytes_total). */
  onBodyBytes(n: number): void;
}

// Unknown kiosk ids are checked against this so that they cost and answer exactly like a wrong secret.
const strangerSecret = randomBytes(32).toString('hex');

/**
 * Verifies a signed kiosk request: the HMAC matches the exact body, the timestamp is within
 * ±maxSkew, and the sequence number is above the last one accepted.
 *
 * Order matters against strangers. Before any body byte is read: the signing headers must be
 * there, the declared length must fit the route, and the upload gate must have room (one large
 * body per claimed kiosk id, a cap on all unverified bytes). The body is then hashed as it
 * streams in; it is kept only for a known kiosk (an unknown one is hashed with a throw-away
 * secret and dropped) and both end in the same `bad-signature` answer, so kiosk ids cannot be
 * enumerated. Freshness and replay are checked after the signature so strangers learn nothing.
 */
export function verifyKioskRequest(
  keys: KioskKeys,
  store: CentralStore,
  endpoint: Endpoint,
  maxSkewMs: number,
  onReject: (reason: RejectReason) => void,
  reading: SignedReading,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const reject = (reason: RejectReason, detail?: string): void => {
      onReject(reason);
      if (!req.complete) {
        // Refused before the body was read: close instead of draining whatever the sender still pushes.
        res.setHeader('Connection', 'close');
        if (reason === 'busy') res.setHeader('Retry-After', '5');
      }
      res.status(rejectStatus[reason] ?? 401).json({
        ok: false,
        reason,
        error: detail ? `${reasonText[reason]}: ${detail}` : reasonText[reason],
        serverTime: new Date().toISOString(),
      });
    };
    const p = parseSignedHeaders((name) => req.get(name));
    if (!p.ok) return reject(p.reason, p.error);
    const limit = typeof res.locals[limitKey] === 'number' ? res.locals[limitKey] : defaultBodyLimit;
    const declared = req.get('content-length');
    if (declared !== undefined && !/^\d{1,12}$/.test(declared)) return reject('too-large', 'malformed Content-Length');
    const length = declared === undefined ? limit : Number(declared);
    if (length > limit) return reject('too-large', `at most ${limit} bytes`);
    const release = reading.gate.acquire(p.kioskId, length);
    if (!release) return reject('busy');
    const fields = { endpoint, kioskId: p.kioskId, timestamp: p.timestamp, seq: p.seq };

    const read = (key: Awaited<ReturnType<KioskKeys['lookup']>>): void => {
      const secrets = key ? acceptedSecrets(key, Date.now()) : [strangerSecret];
      const hmacs = secrets.map((s) => signer(s, fields));
      const chunks: Buffer[] = [];
      let bytes = 0;
      let done = false;
      const finish = (): void => {
        done = true;
        release();
        req.removeListener('data', onData);
      };
      const onData = (chunk: Buffer): void => {
        if (done) return;
        bytes += chunk.length;
        reading.onBodyBytes(chunk.length);
        if (bytes > length) {
          finish();
          req.pause();
          return reject('too-large', `more than the ${length} bytes declared`);
        }
        for (const h of hmacs) h.update(chunk);
        if (key) chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('error', finish);
      req.once('close', () => {
        if (!done) finish();
      });
      req.once('end', () => {
        if (done) return;
        finish();
        const body = Buffer.concat(chunks, bytes);
        // Compared for unknown ids too, so both paths do the same work.
        let matches = hmacs.map((h) => digestMatches(h.digest(), p.signature)).some(Boolean);
        void (async () => {
          if (key && !matches) {
            // Perhaps rotated meanwhile (by the CLI or another replica): look again, at most every 2 s.
            const fresh = await keys.reload(p.kioskId);
            if (fresh && (fresh.secret !== key.secret || fresh.previous !== key.previous)) {
              matches = acceptedSecrets(fresh, Date.now()).some((s) =>
                digestMatches(signer(s, fields).update(body).digest(), p.signature),
              );
            }
          }
          if (!key || !matches) return reject('bad-signature');
          const skew = p.timestamp - Date.now();
          if (Math.abs(skew) > maxSkewMs) return reject('stale', `${Math.round(skew / 1000)} s off`);
          // Command-wait requests are held open while the kiosk sends others, so they count against a
          // watermark of their own. Both watermarks move in the database, conditionally: a request
          // accepted by one replica is a replay for every other.
          const mark = endpoint === endpoints.commandWait ? 'wait' : 'request';
          const claimed = await store.claimSeq(p.kioskId, p.seq, mark);
          if (!claimed) {
            const why = await store.refusal(p.kioskId, mark);
            if (!why || !why.enabled) {
              // Disabled (or removed) since its key was cached: answered like any unknown kiosk.
              keys.forget(p.kioskId);
              return reject('bad-signature');
            }
            return reject('replay', `${p.seq} is not above ${why.watermark}`);
          }
          const locals: SignedLocals = { kioskId: p.kioskId, claimed, seq: p.seq, body };
          Object.assign(res.locals, locals);
          next();
        })().catch((err: unknown) => next(err));
      });
    };

    const cached = keys.get(p.kioskId);
    if (cached) return read(cached);
    // Not known here: ask the database (rate-limited per id) before reading the body.
    keys.lookup(p.kioskId).then(read, (err: unknown) => {
      release();
      next(err);
    });
  };
}

const sessionCookie = 'central_session';

function parseCookies(header: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) m.set(part.slice(0, i).trim(), decodeURIComponent(part.slice(i + 1).trim()));
  }
  return m;
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Dashboard logins: scrypt passwords from config, opaque session tokens (only their hash is stored). */
export class Sessions {
  private readonly users: Map<string, CentralConfig['dashboard']['users'][number]>;
  private readonly ttlMs: number;
  private readonly throttle: LoginThrottle;
  // Unknown usernames are checked against this so a login takes as long as for a real user.
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly store: CentralStore,
    private readonly config: CentralConfig['dashboard'],
  ) {
    this.users = new Map(config.users.map((u) => [u.username, u]));
    this.ttlMs = config.sessionHours * 3_600_000;
    this.throttle = new LoginThrottle(store, config.lockout);
  }

  /**
   * `locked` when the username or the client address has too many failures (see LoginThrottle);
   * the attempt is counted before the slow password check so parallel guesses cannot race it.
   */
  async login(
    username: string,
    password: string,
    address: string,
    now = Date.now(),
  ): Promise<{ token: string; user: DashboardUser } | 'locked' | null> {
    const attempt = await this.throttle.begin(username, address, now);
    if (!attempt) return 'locked';
    const u = this.users.get(username);
    this.dummyHash ??= hashPassword('not-a-real-password');
    const ok = await verifyPassword(password, u?.passwordHash ?? (await this.dummyHash));
    await attempt.settle(!!u && ok);
    if (!u || !ok) return null;
    const token = randomBytes(32).toString('base64url');
    await this.store.insertSession(tokenHash(token), u.username, u.role, now, now + this.ttlMs);
    return { token, user: { username: u.username, role: u.role } };
  }

  async userFor(req: Request, now = Date.now()): Promise<DashboardUser | null> {
    const token = parseCookies(req.headers.cookie).get(sessionCookie);
    if (!token) return null;
    const row = await this.store.session(tokenHash(token));
    if (!row || Number(row.expires_at) < now) return null;
    // A user removed from the config, or whose role changed, loses the old session's rights at once.
    const u = this.users.get(row.username);
    if (!u || u.role !== row.role) return null;
    return { username: row.username, role: row.role };
  }

  async logout(req: Request): Promise<void> {
    const token = parseCookies(req.headers.cookie).get(sessionCookie);
    if (token) await this.store.removeSession(tokenHash(token));
  }

  cookie(token: string): string {
    const parts = [
      `${sessionCookie}=${token}`,
      'Path=/',
      'HttpOnly',
      'SameSite=Strict',
      `Max-Age=${Math.round(this.ttlMs / 1000)}`,
    ];
    if (this.config.secureCookies) parts.push('Secure');
    return parts.join('; ');
  }

  clearCookie(): string {
    return `${sessionCookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** 401 without a session; 403 when the role is not enough (operator > viewer). */
  require(role: DashboardRole): RequestHandler {
    return (req, res, next) => {
      this.userFor(req).then((user) => {
        if (!user) {
          res.status(401).json(serviceError('请先登录 Login required'));
          return;
        }
        if (role === 'operator' && user.role !== 'operator') {
          res.status(403).json(serviceError('需要运维操作员权限 Operator role required'));
          return;
        }
        res.locals.user = user;
        next();
      }, next);
    };
  }
}

export function currentUser(res: Response): DashboardUser {
  return res.locals.user as DashboardUser;
}

/**
 * State-changing dashboard calls must be JSON and, when the browser says where it comes from,
 * come from this server: with the SameSite=Strict cookie this shuts out cross-site requests.
 */
export const sameOriginJson: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) {
    res.status(415).json(serviceError('Content-Type must be application/json'));
    return;
  }
  const origin = req.get('origin');
  if (origin && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      host = '';
    }
    if (host !== req.get('host')) {
      res.status(403).json(serviceError('cross-origin request refused'));
      return;
    }
  }
  next();
};
