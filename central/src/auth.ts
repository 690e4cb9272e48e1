import { createHash, randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../../device-agent/src/store/database.js';
import { endpoints, parseSignedHeaders, signatureMatches, type Endpoint, type RejectReason } from '../../device-agent/src/monitor/protocol.js';
import type { CentralConfig } from './config.js';
import type { Fleet, KioskRecord } from './fleet.js';
import { hashPassword, verifyPassword } from './password.js';

export interface SignedLocals {
  kiosk: KioskRecord;
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
};

/**
 * Verifies a signed kiosk request: the kiosk is known, the HMAC matches the exact body, the
 * timestamp is within ±maxSkew, and the sequence number is above the last one accepted.
 * The signature is checked before freshness and replay so that strangers learn nothing.
 * Needs the raw body (express.raw) so the signed bytes are the bytes checked.
 */
export function verifyKioskRequest(
  fleet: Fleet,
  endpoint: Endpoint,
  maxSkewMs: number,
  onReject: (reason: RejectReason) => void,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const reject = (reason: RejectReason, detail?: string): void => {
      onReject(reason);
      res.status(401).json({
        ok: false,
        reason,
        error: detail ? `${reasonText[reason]}: ${detail}` : reasonText[reason],
        serverTime: new Date().toISOString(),
      });
    };
    const p = parseSignedHeaders((name) => req.get(name));
    if (!p.ok) return reject(p.reason, p.error);
    const k = fleet.get(p.kioskId);
    if (!k) return reject('unknown-kiosk');
    if (!signatureMatches(k.secret, { endpoint, kioskId: p.kioskId, timestamp: p.timestamp, seq: p.seq }, body, p.signature)) {
      return reject('bad-signature');
    }
    const skew = p.timestamp - Date.now();
    if (Math.abs(skew) > maxSkewMs) return reject('stale', `${Math.round(skew / 1000)} s off`);
    // Command-wait requests are held open while the kiosk sends others, so they count against a
    // watermark of their own (in memory: a replayed wait only sees commands the kiosk gets anyway).
    const mark = endpoint === endpoints.commandWait ? 'lastWaitSeq' : 'lastRequestSeq';
    if (p.seq <= k[mark]) return reject('replay', `${p.seq} is not above ${k[mark]}`);
    // Claimed now, synchronously, so a concurrent duplicate of this request is refused too.
    k[mark] = p.seq;
    const locals: SignedLocals = { kiosk: k, body };
    Object.assign(res.locals, locals);
    next();
  };
}

export type Role = 'viewer' | 'operator';

export interface SessionUser {
  username: string;
  role: Role;
}

export const sessionCookie = 'central_session';

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
  private readonly stmts;
  private readonly failures = new Map<string, { n: number; until: number }>();
  // Unknown usernames are checked against this so a login takes as long as for a real user.
  private dummyHash: Promise<string> | undefined;

  constructor(
    db: Db,
    private readonly config: CentralConfig['dashboard'],
  ) {
    this.users = new Map(config.users.map((u) => [u.username, u]));
    this.ttlMs = config.sessionHours * 3_600_000;
    this.stmts = {
      insert: db.prepare('INSERT INTO sessions (token_hash, username, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      get: db.prepare<[string], { username: string; role: Role; expires_at: number }>(
        'SELECT username, role, expires_at FROM sessions WHERE token_hash = ?',
      ),
      remove: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    };
  }

  /** Locks a username for 5 minutes after 5 wrong passwords in a row. */
  lockedOut(username: string, now = Date.now()): boolean {
    const f = this.failures.get(username);
    return !!f && f.n >= 5 && now < f.until;
  }

  async login(username: string, password: string, now = Date.now()): Promise<{ token: string; user: SessionUser } | null> {
    const u = this.users.get(username);
    this.dummyHash ??= hashPassword('not-a-real-password');
    const ok = await verifyPassword(password, u?.passwordHash ?? (await this.dummyHash));
    if (!u || !ok) {
      const f = this.failures.get(username) ?? { n: 0, until: 0 };
      f.n += 1;
      f.until = now + 5 * 60_000;
      this.failures.set(username, f);
      return null;
    }
    this.failures.delete(username);
    const token = randomBytes(32).toString('base64url');
    this.stmts.insert.run(tokenHash(token), u.username, u.role, now, now + this.ttlMs);
    return { token, user: { username: u.username, role: u.role } };
  }

  userFor(req: Request, now = Date.now()): SessionUser | null {
    const token = parseCookies(req.headers.cookie).get(sessionCookie);
    if (!token) return null;
    const row = this.stmts.get.get(tokenHash(token));
    if (!row || row.expires_at < now) return null;
    // A user removed from the config, or whose role changed, loses the old session's rights at once.
    const u = this.users.get(row.username);
    if (!u || u.role !== row.role) return null;
    return { username: row.username, role: row.role };
  }

  logout(req: Request): void {
    const token = parseCookies(req.headers.cookie).get(sessionCookie);
    if (token) this.stmts.remove.run(tokenHash(token));
  }

  cookie(token: string): string {
    const parts = [`${sessionCookie}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.round(this.ttlMs / 1000)}`];
    if (this.config.secureCookies) parts.push('Secure');
    return parts.join('; ');
  }

  clearCookie(): string {
    return `${sessionCookie}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  /** 401 without a session; 403 when the role is not enough (operator > viewer). */
  require(role: Role): RequestHandler {
    return (req, res, next) => {
      const user = this.userFor(req);
      if (!user) {
        res.status(401).json({ ok: false, error: '请先登录 Login required' });
        return;
      }
      if (role === 'operator' && user.role !== 'operator') {
        res.status(403).json({ ok: false, error: '需要运维操作员权限 Operator role required' });
        return;
      }
      res.locals.user = user;
      next();
    };
  }
}

export function currentUser(res: Response): SessionUser {
  return res.locals.user as SessionUser;
}

/**
 * State-changing dashboard calls must be JSON and, when the browser says where it comes from,
 * come from this server: with the SameSite=Strict cookie this shuts out cross-site requests.
 */
export const sameOriginJson: RequestHandler = (req, res, next) => {
  if (!req.is('application/json')) {
    res.status(415).json({ ok: false, error: 'Content-Type must be application/json' });
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
      res.status(403).json({ ok: false, error: 'cross-origin request refused' });
      return;
    }
  }
  next();
};
