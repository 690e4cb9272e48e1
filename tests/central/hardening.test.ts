import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { signedHeaders } from '@kiosk/contracts/heartbeat';
import { hashPassword } from '../../apps/central/src/password.js';
import { LoginThrottle } from '../../apps/central/src/login-throttle.js';
import { CentralStore } from '../../apps/central/src/store/store.js';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  kioskA,
  signedPost,
  startTestCentral,
  tempDir,
  tinyPng,
  users,
  validHeartbeat,
  waitFor,
  type TestCentral,
} from './helpers.js';

/** Issue 20 items 1–3: what an attacker without a kiosk secret or a password could do to central. */

const mb = 1024 * 1024;

function loginOnce(url: string, username: string, password: string): Promise<number> {
  return fetch(`${url}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  }).then(
    (r) => r.status,
    () => 0,
  );
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

/**
 * A request written by hand over TCP: the headers go out at once, the body only when the test says
 * so. `answer` resolves with the status line's code as soon as central answers.
 */
class RawUpload {
  readonly socket: Socket;
  readonly answer: Promise<{ status: number; text: string }>;
  private constructor(socket: Socket) {
    this.socket = socket;
    let buf = '';
    this.answer = new Promise((resolve) => {
      socket.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        const m = /^HTTP\/1\.1 (\d{3})/.exec(buf);
        if (m && buf.includes('\r\n\r\n')) resolve({ status: Number(m[1]), text: buf });
      });
      socket.on('error', () => {});
      socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(buf)?.[1] ?? 0), text: buf }));
    });
  }
  static async open(url: string, path: string, length: number, extra: Record<string, string> = {}): Promise<RawUpload> {
    const u = new URL(url);
    const socket = connect(Number(u.port), u.hostname);
    await once(socket, 'connect');
    const head = [`POST ${path} HTTP/1.1`, `Host: ${u.host}`, 'Content-Type: image/png', `Content-Length: ${length}`];
    for (const [k, v] of Object.entries(extra)) head.push(`${k}: ${v}`);
    socket.write(head.join('\r\n') + '\r\n\r\n');
    return new RawUpload(socket);
  }
  close(): void {
    this.socket.destroy();
  }
}

/** Signing headers that look right but were made with a secret nobody has. */
function forgedHeaders(kioskId: string, seq: number, body: string | Buffer = ''): Record<string, string> {
  return signedHeaders('not-the-secret-xxxxxxxxxxxx', { endpoint: 'screenshots', kioskId, timestamp: Date.now(), seq }, body);
}

describe('dashboard login lockout (item 1)', () => {
  it('counts each attempt before the password check: 300 parallel wrong passwords get 5 checks, and the right one sent with 40 wrong ones is locked out', async () => {
    // The production work factor: the race the audit found needs a hash slow enough to overlap.
    const realHash = await hashPassword(users.operator.password);
    const central = await startTestCentral({
      dashboard: {
        users: [{ username: users.operator.username, role: 'operator', passwordHash: realHash }],
        lockout: { maxFailuresPerAddress: 10_000 },
      },
    });
    try {
      const statuses = await Promise.all(Array.from({ length: 300 }, () => loginOnce(central.url, 'ops', 'wrong-password')));
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(295);
      expect(await loginOnce(central.url, 'ops', users.operator.password)).toBe(429);
    } finally {
      await central.close();
    }

    const central2 = await startTestCentral({
      dashboard: {
        users: [{ username: users.operator.username, role: 'operator', passwordHash: realHash }],
        lockout: { maxFailuresPerAddress: 10_000 },
      },
    });
    try {
      const wrong = Array.from({ length: 40 }, () => loginOnce(central2.url, 'ops', 'wrong-password'));
      // As soon as 5 of them are counted (their slow hashes still running), the right password is refused.
      const db = new Database(join(central2.dataDir, 'central.db'), { readonly: true });
      try {
        await waitFor(
          '5 attempts counted',
          () =>
            (db.prepare("SELECT failures FROM login_attempts WHERE key = 'user:ops'").get() as { failures: number } | undefined)
              ?.failures === 5,
        );
      } finally {
        db.close();
      }
      expect(await loginOnce(central2.url, 'ops', users.operator.password)).toBe(429);
      const statuses = await Promise.all(wrong);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 200)).toHaveLength(0);
    } finally {
      await central2.close();
    }
  }, 120_000);

  it('locks a client address that tries many usernames, even for a right password', async () => {
    const c = await startTestCentral(); // default limit: 20 failures per address
    try {
      for (let i = 0; i < 20; i++) expect(await loginOnce(c.url, `guess-${i}`, 'pw')).toBe(401);
      expect(await loginOnce(c.url, 'guess-x', 'pw')).toBe(429);
      expect(await loginOnce(c.url, users.viewer.username, users.viewer.password)).toBe(429);
    } finally {
      await c.close();
    }
  });

  it('does not believe X-Forwarded-For unless the proxy is trusted', async () => {
    const spoofed = (c: TestCentral, i: number, username: string, password: string) =>
      fetch(`${c.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify({ username, password }),
      }).then((r) => r.status);
    const direct = await startTestCentral();
    try {
      // A stranger rotating the header is still one address: locked after 20 failures.
      for (let i = 0; i < 20; i++) expect(await spoofed(direct, i, `guess-${i}`, 'pw')).toBe(401);
      expect(await spoofed(direct, 99, users.viewer.username, users.viewer.password)).toBe(429);
    } finally {
      await direct.close();
    }
    const proxied = await startTestCentral({ listen: { host: '127.0.0.1', port: 0, trustProxy: 'loopback' } });
    try {
      // Behind a trusted proxy each client has its own count: one noisy client does not lock the rest out.
      for (let i = 0; i < 20; i++) expect(await spoofed(proxied, 1, `guess-${i}`, 'pw')).toBe(401);
      expect(await spoofed(proxied, 1, users.viewer.username, users.viewer.password)).toBe(429);
      expect(await spoofed(proxied, 2, users.viewer.username, users.viewer.password)).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('keeps a lockout across a restart of central', async () => {
    const c = await startTestCentral();
    try {
      for (let i = 0; i < 5; i++) expect(await loginOnce(c.url, users.viewer.username, 'wrong')).toBe(401);
      await c.restart();
      expect(await loginOnce(c.url, users.viewer.username, users.viewer.password)).toBe(429);
      // Other users are not affected.
      expect(await loginOnce(c.url, users.operator.username, users.operator.password)).toBe(200);
    } finally {
      await c.close();
    }
  });

  it('a good password clears the username’s count and gives the address its attempt back', async () => {
    const c = await startTestCentral();
    try {
      // 4 wrong then right, four times: the user never reaches 5 in a row, and the 4 good logins do not count.
      for (let round = 0; round < 4; round++) {
        for (let i = 0; i < 4; i++) expect(await loginOnce(c.url, users.viewer.username, 'wrong')).toBe(401);
        expect(await loginOnce(c.url, users.viewer.username, users.viewer.password)).toBe(200);
      }
      // Failures, not logins, count for the address: 16 so far, 4 more reach its limit of 20.
      for (let i = 0; i < 4; i++) expect(await loginOnce(c.url, users.operator.username, 'wrong')).toBe(401);
      expect(await loginOnce(c.url, users.operator.username, users.operator.password)).toBe(429);
    } finally {
      await c.close();
    }
  });

  it('bounds the failure table however many usernames are tried, without unlocking a locked user first', async () => {
    const tmp = tempDir();
    const store = await CentralStore.open({ dataDir: tmp.dir });
    try {
      const t = new LoginThrottle(store, {
        maxFailuresPerUser: 5,
        maxFailuresPerAddress: 1_000_000,
        lockMinutes: 5,
        windowMinutes: 15,
        maxEntries: 100,
      });
      const now = Date.now();
      for (let i = 0; i < 5; i++) await (await t.begin('ops', '10.0.0.1', now))!.settle(false);
      expect(await t.begin('ops', '10.0.0.1', now)).toBeNull();
      for (let i = 0; i < 5000; i++) await (await t.begin(`flood-${i}`, `10.1.${i >> 8}.${i & 255}`, now + 1 + i))?.settle(false);
      expect(await t.size()).toBeLessThanOrEqual(100);
      expect(await t.begin('ops', '10.0.0.2', now + 6000)).toBeNull();
      // After the lock and the window, old failures are forgotten.
      expect(await t.begin('ops', '10.0.0.2', now + 16 * 60_000)).not.toBeNull();
    } finally {
      await store.close();
      tmp.remove();
    }
  });
});

describe('signed bodies are not read before the headers are checked (item 2)', () => {
  let central: TestCentral;
  let seq = 10_000;
  beforeAll(async () => {
    central = await startTestCentral();
  });
  afterAll(async () => {
    await central.close();
  });

  it('answers an unsigned 15 MB upload before a single body byte is sent', async () => {
    const up = await RawUpload.open(central.url, '/api/v1/screenshots', 15 * mb);
    const a = await Promise.race([up.answer, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    up.close();
    expect(a?.status).toBe(401);
    expect(a?.text).toMatch(/"reason":"unsigned"/);
  });

  it('refuses a declared length above the route’s limit before reading it', async () => {
    const up = await RawUpload.open(central.url, '/api/v1/heartbeats', 15 * mb, forgedHeaders(kioskA.id, ++seq));
    const a = await Promise.race([up.answer, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    up.close();
    expect(a?.status).toBe(413);
    expect(a?.text).toMatch(/"reason":"too-large"/);
  });

  it('refuses 100 parallel unsigned 15 MB uploads without reading their bodies', async () => {
    const before = await metric(central.url, 'central_request_body_bytes_total');
    expect(before).toBeGreaterThanOrEqual(0);
    const body = Buffer.alloc(15 * mb, 0x41);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        fetch(`${central.url}/api/v1/screenshots`, { method: 'POST', headers: { 'content-type': 'image/png' }, body }).then(
          async (r) => ({ status: r.status, reason: ((await r.json()) as { reason?: string }).reason }),
          () => ({ status: 0, reason: 'connection closed' }),
        ),
      ),
    );
    // Each is refused: 401 unsigned, or the connection closed under a sender that kept pushing.
    // (Which of the two a sender sees depends on how far its upload got when central closed.)
    for (const r of results) expect([401, 0]).toContain(r.status);
    for (const r of results) if (r.status === 401) expect(r.reason).toBe('unsigned');
    expect((await metric(central.url, 'central_request_body_bytes_total')) - before).toBe(0);
    expect((await fetch(`${central.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('lets one large body per kiosk id be read at a time, then accepts a properly signed screenshot streamed and verified', async () => {
    const start = await metric(central.url, 'central_request_body_bytes_total');
    const hold = await RawUpload.open(central.url, '/api/v1/screenshots', 15 * mb, forgedHeaders(kioskA.id, ++seq));
    hold.socket.write(Buffer.alloc(64 * 1024));
    // Once central reads the first upload's body, a second large one for the same kiosk is refused unread.
    await waitFor(
      'central reading the held upload',
      async () => (await metric(central.url, 'central_request_body_bytes_total')) >= start + 64 * 1024,
    );
    const before = await metric(central.url, 'central_request_body_bytes_total');
    const second = await RawUpload.open(central.url, '/api/v1/screenshots', 1 * mb, forgedHeaders(kioskA.id, ++seq));
    // Answered without its body: a central that read it would wait for bytes that never come.
    const a = await Promise.race([second.answer, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    second.close();
    expect(a?.status).toBe(503);
    expect(a?.text).toMatch(/"reason":"busy"/);
    expect(a?.text).toMatch(/Retry-After: 5/i);
    // Small bodies (heartbeats) of the same kiosk still go through meanwhile.
    const hb = await signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(kioskA.id)), {
      ...kioskA,
      kioskId: kioskA.id,
      seq: ++seq,
    });
    expect(hb.status).toBe(200);
    hold.close();

    // A real, signed 2 MB PNG is read in full and stored once the held one is gone.
    const png = Buffer.concat([tinyPng, Buffer.alloc(2 * mb)]);
    const res = await waitFor('the held upload to be released', async () => {
      const h = signedHeaders(
        kioskA.secret,
        { endpoint: 'screenshots', kioskId: kioskA.id, timestamp: Date.now(), seq: ++seq },
        png,
      );
      const r = await fetch(`${central.url}/api/v1/screenshots`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'image/png' },
        body: png,
      });
      return r.status === 503 ? null : r;
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    expect((await metric(central.url, 'central_request_body_bytes_total')) - before).toBeGreaterThanOrEqual(png.length);
  });

  it('caps the bytes being read unverified over all kiosk ids', async () => {
    const held: RawUpload[] = [];
    const start = await metric(central.url, 'central_request_body_bytes_total');
    for (let i = 0; i < 4; i++)
      held.push(await RawUpload.open(central.url, '/api/v1/screenshots', 15 * mb, forgedHeaders(`XN-GHOST-${i}`, ++seq)));
    for (const h of held) h.socket.write(Buffer.alloc(1024));
    // All four are being read (60 MiB reserved) before the fifth asks.
    await waitFor(
      'central reading the four held uploads',
      async () => (await metric(central.url, 'central_request_body_bytes_total')) >= start + 4 * 1024,
    );
    const fifth = await RawUpload.open(central.url, '/api/v1/screenshots', 15 * mb, forgedHeaders('XN-GHOST-5', ++seq));
    const a = await Promise.race([fifth.answer, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(a?.status).toBe(503);
    fifth.close();
    for (const h of held) h.close();
  });
});

describe('unknown kiosks and bad signatures are answered alike (item 3)', () => {
  let central: TestCentral;
  let seq = 20_000;
  beforeAll(async () => {
    central = await startTestCentral();
  });
  afterAll(async () => {
    await central.close();
  });

  const comparable = (r: { status: number; body: Record<string, unknown> }) => ({
    status: r.status,
    body: { ...r.body, serverTime: 'x' },
  });

  it('gives the same status and body for an unknown kiosk id as for a known one with a wrong secret', async () => {
    const body = JSON.stringify(validHeartbeat(kioskA.id));
    const known = await signedPost(central.url, 'heartbeats', body, {
      kioskId: kioskA.id,
      secret: 'wrong-secret-xxxxxxxxxxxx',
      seq: ++seq,
    });
    const unknown = await signedPost(central.url, 'heartbeats', body, {
      kioskId: 'XN-NOBODY-99',
      secret: 'wrong-secret-xxxxxxxxxxxx',
      seq: ++seq,
    });
    expect(comparable(unknown)).toEqual(comparable(known));
    expect(known.status).toBe(401);
    expect(known.body.reason).toBe('bad-signature');
    // /metrics is open to anyone who can reach central: it must not tell the two apart either.
    const text = await (await fetch(`${central.url}/metrics`)).text();
    expect(text).toMatch(/central_requests_rejected_total\{reason="unknown-kiosk"\} 0/);
  });

  it('does the same for large bodies', async () => {
    const png = Buffer.concat([tinyPng, Buffer.alloc(1 * mb)]);
    const send = async (kioskId: string) => {
      const h = forgedHeaders(kioskId, ++seq, png);
      const r = await fetch(`${central.url}/api/v1/screenshots`, {
        method: 'POST',
        headers: { ...h, 'content-type': 'image/png' },
        body: png,
      });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    expect(comparable(await send('XN-NOBODY-98'))).toEqual(comparable(await send(kioskA.id)));
  });
});
