import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { AlertBook } from '../../apps/central/src/alerts.js';
import { Enrollment } from '../../apps/central/src/enrollment.js';
import { KioskKeys } from '../../apps/central/src/kiosk-keys.js';
import { LoginThrottle } from '../../apps/central/src/login-throttle.js';
import { prune } from '../../apps/central/src/retention.js';
import { SecretBox } from '../../apps/central/src/secrets.js';
import { CentralStore } from '../../apps/central/src/store/store.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempDir } from './helpers.js';

/**
 * Central's store on both engines it supports: every statement is the same, so every behaviour
 * must be too. The conditional statements are raced with themselves (several connections on
 * PostgreSQL, several stores on one database) to show the database, not memory, decides.
 */
const box = SecretBox.fromKey('a'.repeat(64));
const silent = pino({ level: 'silent' });
let pgCluster: TestPostgres | undefined;
const dirs: { remove(): void }[] = [];

interface Engine {
  name: string;
  /**
   * A fresh, migrated store; `again` opens another store on the same database (a second replica).
   * `replica` is that for PostgreSQL; SQLite is one process by design (its group commit holds the
   * write lock for up to 50 ms), so there races run on one store.
   */
  open(): Promise<{
    store: CentralStore;
    again(): Promise<CentralStore>;
    replica(): Promise<{ store: CentralStore; close(): Promise<void> }>;
  }>;
}

const engines: Engine[] = [
  {
    name: 'sqlite',
    async open() {
      const t = tempDir('central-store-');
      dirs.push(t);
      const store = await CentralStore.open({ dataDir: t.dir });
      return {
        store,
        again: () => CentralStore.open({ dataDir: t.dir }),
        replica: async () => ({ store, close: async () => undefined }),
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      pgCluster ??= await startPostgres();
      const url = await pgCluster.createDatabase();
      const again = () => CentralStore.open({ databaseUrl: url, dataDir: '/nonexistent' });
      return {
        store: await again(),
        again,
        replica: async () => {
          const s = await again();
          return { store: s, close: () => s.close() };
        },
      };
    },
  },
];

afterAll(async () => {
  await pgCluster?.stop();
  for (const d of dirs) d.remove();
});

const enrollKiosk = async (store: CentralStore, id = 'K-1', secret = 'kiosk-secret-0123456789'): Promise<void> => {
  await store.enroll({ id, site: '站点', name: '1号机', secretEnc: box.seal(id, secret) }, Date.now(), false);
};

describe.each(engines)('central store on $name', (engine) => {
  let store: CentralStore;
  let again: () => Promise<CentralStore>;
  let replica: () => Promise<{ store: CentralStore; close(): Promise<void> }>;
  beforeAll(async () => {
    ({ store, again, replica } = await engine.open());
  }, 120_000);
  afterAll(async () => {
    await store?.close();
  });

  it('migrates to the newest schema once; opening again applies nothing and keeps the data', async () => {
    await enrollKiosk(store, 'K-MIG');
    const versions = (await store.queryRows('SELECT version FROM schema_migrations ORDER BY version')).map((r) =>
      Number(r.version),
    );
    expect(versions).toEqual([1, 2, 3, 4, 5]);
    const second = await again();
    try {
      expect((await second.listEnrolled()).map((k) => k.id)).toContain('K-MIG');
      expect((await second.queryRows('SELECT count(*) AS n FROM schema_migrations'))[0]).toEqual({ n: 5 });
    } finally {
      await second.close();
    }
  });

  it('takes a sequence number only above the watermark, once, even when raced from two replicas', async () => {
    await enrollKiosk(store, 'K-SEQ');
    expect(await store.claimSeq('K-SEQ', 100, 'request')).toBeDefined();
    expect(await store.claimSeq('K-SEQ', 100, 'request')).toBeUndefined();
    expect(await store.claimSeq('K-SEQ', 99, 'request')).toBeUndefined();
    expect(await store.refusal('K-SEQ', 'request')).toEqual({ enabled: true, watermark: 100 });
    // The command-wait watermark is separate.
    expect(await store.claimSeq('K-SEQ', 50, 'wait')).toBeDefined();
    const r = await replica();
    const other = r.store;
    try {
      const claims = await Promise.all([
        ...Array.from({ length: 8 }, () => store.claimSeq('K-SEQ', 200, 'request')),
        ...Array.from({ length: 8 }, () => other.claimSeq('K-SEQ', 200, 'request')),
      ]);
      expect(claims.filter(Boolean)).toHaveLength(1);
    } finally {
      await r.close();
    }
    await store.driver.flush();
    expect(await store.setEnabled('K-SEQ', false, Date.now())).toBe(true);
    expect(await store.claimSeq('K-SEQ', 300, 'request')).toBeUndefined();
    expect(await store.refusal('K-SEQ', 'request')).toEqual({ enabled: false, watermark: 200 });
  });

  it('returns what a request needs with the claim: open commands and alerts, watermark of events', async () => {
    await enrollKiosk(store, 'K-FACTS');
    await store.transaction(async (tx) => {
      await store.insertCommand(
        {
          id: 'cmd-facts',
          kioskId: 'K-FACTS',
          kind: 'restart-ui',
          message: null,
          user: 'ops',
          now: 1,
          expiresAt: Date.now() + 60_000,
        },
        tx,
      );
      await store.openAlert(
        {
          kioskId: 'K-FACTS',
          code: 'paper',
          severity: 'warning',
          source: 'heartbeat',
          message: 'low',
          now: 1,
          suppressed: false,
        },
        tx,
      );
      expect(await store.insertEvent({ kioskId: 'K-FACTS', seq: 7, type: 't', at: '', receivedAt: 1, payload: '{}' }, tx)).toBe(
        true,
      );
      await store.raiseEventSeq('K-FACTS', 7, 1, tx);
    });
    const c = await store.claimSeq('K-FACTS', 1, 'request');
    expect(c).toMatchObject({
      site: '站点',
      name: '1号机',
      last_event_seq: 7,
      open_commands: 1,
      open_alerts: 1,
      state: 'offline',
    });
  });

  it('writes a group of heartbeats: every raw beat kept, the kiosk row takes the newest, never an older one', async () => {
    await enrollKiosk(store, 'K-BEAT');
    const t = Date.now();
    const beatAt = (at: number, c: string) => ({
      kioskId: 'K-BEAT',
      at,
      seq: at,
      raw: `{"at":${at}}`,
      firstSeenAt: t + 1000,
      intervalMs: 30_000,
      bootId: 'b',
      bootCounters: '{}',
      totals: '{}',
      conditions: c,
    });
    await store.writeBeats([beatAt(t + 2000, '["two"]'), beatAt(t + 3000, '["three"]'), beatAt(t + 2500, '["late"]')]);
    await store.driver.flush();
    await store.writeBeats([beatAt(t + 1500, '["older"]')]);
    await store.driver.flush();
    const row = await store.kioskRow('K-BEAT');
    expect(row).toMatchObject({ last_seen_at: t + 3000, conditions: '["three"]', first_seen_at: t + 1000, updated_at: t + 3000 });
    expect((await store.queryRows('SELECT count(*) AS n FROM heartbeats WHERE kiosk_id = ?', ['K-BEAT']))[0]).toEqual({ n: 4 });
  });

  it('inserts each (kiosk, event seq) once and never moves the event watermark down', async () => {
    await enrollKiosk(store, 'K-EV');
    const e = { kioskId: 'K-EV', seq: 5, type: 'x', at: '2026-01-01T00:00:00Z', receivedAt: 1, payload: '{}' };
    const inserted = await Promise.all([1, 2, 3].map(() => store.transaction((tx) => store.insertEvent(e, tx))));
    expect(inserted.filter(Boolean)).toHaveLength(1);
    expect(await store.transaction((tx) => store.raiseEventSeq('K-EV', 5, 1, tx))).toBe(5);
    expect(await store.transaction((tx) => store.raiseEventSeq('K-EV', 3, 1, tx))).toBe(5);
  });

  it('opens one alert per kiosk and code however many replicas try, and resolves it once', async () => {
    const r = await replica();
    const other = r.store;
    const opened: string[] = [];
    const book = (s: CentralStore) =>
      new AlertBook(s, { flappingMaxOpenings: 3, flappingWindowMs: 60_000 }, async (change) => {
        opened.push(change);
      });
    try {
      const a = book(store);
      const b = book(other);
      const cond = { code: 'paper', severity: 'error' as const, message: '缺纸 Paper out' };
      const alerts = await Promise.all([
        store.transaction((tx) => a.raise('K-AL', 'heartbeat', cond, 10, tx)),
        other.transaction((tx) => b.raise('K-AL', 'heartbeat', cond, 10, tx)),
        store.transaction((tx) => a.raise('K-AL', 'heartbeat', cond, 10, tx)),
      ]);
      expect(new Set(alerts.map((x) => x.id)).size).toBe(1);
      expect(opened.filter((c) => c === 'opened')).toHaveLength(1);
      const open = await a.openFor('K-AL');
      expect(open).toHaveLength(1);
      await Promise.all([
        store.transaction((tx) => a.resolve({ ...open[0]! }, 20, tx)),
        other.transaction((tx) => b.resolve({ ...open[0]! }, 20, tx)),
      ]);
      expect(opened.filter((c) => c === 'resolved')).toHaveLength(1);
      expect(await a.openFor('K-AL')).toHaveLength(0);
    } finally {
      await r.close();
    }
  });

  it('hands a queued command out once, and expires only commands nobody picked up', async () => {
    await store.transaction(async (tx) => {
      await store.insertCommand(
        { id: 'cmd-1', kioskId: 'K-CMD', kind: 'restart-ui', message: null, user: 'ops', now: 1, expiresAt: 5 },
        tx,
      );
      await store.insertCommand(
        { id: 'cmd-2', kioskId: 'K-CMD', kind: 'restart-ui', message: null, user: 'ops', now: 2, expiresAt: 5 },
        tx,
      );
    });
    const handed = await Promise.all([1, 2, 3].map(() => store.transaction((tx) => store.markDelivered('cmd-1', 3, tx))));
    expect(handed.filter(Boolean)).toHaveLength(1);
    const expired = await store.transaction((tx) => store.expireCommands(10, tx));
    expect(expired.map((r) => r.id)).toEqual(['cmd-2']);
    expect((await store.command('cmd-1'))?.status).toBe('delivered');
  });

  it('counts parallel failed logins in the database: no more than the limit get to try', async () => {
    const policy = { maxFailuresPerUser: 5, maxFailuresPerAddress: 1000, lockMinutes: 5, windowMinutes: 15, maxEntries: 1000 };
    const r = await replica();
    const other = r.store;
    try {
      const a = new LoginThrottle(store, policy);
      const b = new LoginThrottle(other, policy);
      const now = Date.now();
      const attempts = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).begin('ops', `10.0.0.${i}`, now)));
      expect(attempts.filter(Boolean)).toHaveLength(5);
      expect(await a.begin('ops', '10.9.9.9', now + 1000)).toBeNull();
      // Past the lock and the window the name may try again.
      expect(await b.begin('ops', '10.9.9.9', now + 21 * 60_000)).not.toBeNull();
    } finally {
      await r.close();
    }
  });

  it('answers portable read-only SQL for reports and refuses anything else', async () => {
    await enrollKiosk(store, 'K-Q');
    const rows = await store.queryRows('SELECT id, site FROM kiosks WHERE id = ? AND enabled = ?', ['K-Q', 1]);
    expect(rows).toEqual([{ id: 'K-Q', site: '站点' }]);
    const agg = await store.queryRows(`SELECT count(*) AS n, sum(last_event_seq) AS s FROM kiosks WHERE id LIKE ?`, ['K-%']);
    expect(typeof agg[0]!.n).toBe('number');
    await expect(store.queryRows('DELETE FROM kiosks')).rejects.toThrow(/SELECT/);
    await expect(store.queryRows('SELECT 1; DELETE FROM kiosks')).rejects.toThrow(/SELECT/);
    if (engine.name === 'postgres') {
      // A data-modifying CTE is a SELECT by its first word; the read-only transaction still refuses it.
      await expect(
        store.queryRows(`WITH d AS (DELETE FROM kiosks WHERE id = 'K-Q' RETURNING id) SELECT * FROM d`),
      ).rejects.toThrow(/read-only/);
    }
    expect(await store.queryRows('SELECT id FROM kiosks WHERE id = ?', ['K-Q'])).toHaveLength(1);
  });

  it('prunes by retention on either engine', async () => {
    const day = 86_400_000;
    const now = Date.now();
    const db = store.driver;
    const hb = 'INSERT INTO heartbeats (kiosk_id, received_at, seq, body) VALUES (?, ?, ?, ?)';
    await db.run(hb, ['K-RET', now - 8 * day, 1, '{}']);
    await db.run(hb, ['K-RET', now - 6 * day, 2, '{}']);
    for (let i = 0; i < 3; i++)
      await db.run('INSERT INTO screenshots (id, kiosk_id, command_id, at, png) VALUES (?, ?, ?, ?, ?)', [
        `s${i}`,
        'K-RET',
        null,
        now - i,
        Buffer.from([i]),
      ]);
    const counts = await prune(store, { heartbeatDays: 7, eventDays: 180, screenshotsPerKiosk: 2, pruneIntervalHours: 24 }, now);
    expect(counts).toMatchObject({ heartbeats: 1, screenshots: 1 });
    expect(await db.all('SELECT seq FROM heartbeats WHERE kiosk_id = ?', ['K-RET'])).toEqual([{ seq: 2 }]);
    expect((await db.all<{ id: string }>('SELECT id FROM screenshots ORDER BY id')).map((r) => r.id)).toEqual(['s0', 's1']);
    expect(Buffer.from((await store.screenshot('s1'))!.png)).toEqual(Buffer.from([1]));
    expect(await store.maintenanceValue('last_prune_at')).toBe(now);
  });

  it('keeps kiosk secrets sealed: never in plain text, only for this kiosk, rotation keeps the old one for the grace', async () => {
    const enrollment = new Enrollment(store, box);
    const secret = await enrollment.add({ id: 'K-ENR', site: '站点', name: '2号机' });
    const dump = JSON.stringify(await store.queryRows('SELECT * FROM kiosks'));
    expect(dump).not.toContain(secret);
    await expect(enrollment.add({ id: 'K-ENR' })).rejects.toThrow(/already enrolled/);
    const keys = new KioskKeys(store, box, silent);
    expect((await keys.lookup('K-ENR'))?.secret).toBe(secret);
    // A sealed secret moved onto another kiosk's row does not open.
    const sealed = (await store.credentials('K-ENR'))!.secret_enc!;
    expect(() => box.open('K-OTHER', sealed)).toThrow();
    const now = Date.now();
    const next = await enrollment.rotate('K-ENR', 60_000, now);
    const fresh = await new KioskKeys(store, box, silent).lookup('K-ENR');
    expect(fresh).toMatchObject({ secret: next, previous: secret, previousUntil: now + 60_000 });
    await enrollment.disable('K-ENR');
    expect(await new KioskKeys(store, box, silent).lookup('K-ENR')).toBeUndefined();
    expect((await enrollment.list()).find((k) => k.id === 'K-ENR')?.enabled).toBe(0);
  });
});

describe('an existing central.db from before enrollment', () => {
  it('is upgraded in place, and the kiosks its config lists are enrolled with their history kept', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { centralMigrations } = await import('../../apps/central/src/store/migrations.js');
    const t = tempDir('central-upgrade-');
    dirs.push(t);
    const old = new Database(`${t.dir}/central.db`);
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of centralMigrations.sqlite.filter((x) => x.version <= 3)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
    }
    old
      .prepare(
        `INSERT INTO kiosks (id, site, name, last_request_seq, last_seen_at, state) VALUES ('XN-OLD', '老站点', '旧机', 1234, 5, 'online')`,
      )
      .run();
    old.close();
    const store = await CentralStore.open({ dataDir: t.dir });
    try {
      expect(await store.listEnrolled()).toEqual([]);
      const enrollment = new Enrollment(store, box);
      expect(
        await enrollment.enrollConfigured([{ id: 'XN-OLD', secret: 'configured-secret-123456', site: '老站点', name: '旧机' }]),
      ).toBe(1);
      // Enrolled once: a restart with the same config changes nothing, and the old watermark holds.
      expect(
        await enrollment.enrollConfigured([{ id: 'XN-OLD', secret: 'configured-secret-123456', site: '老站点', name: '旧机' }]),
      ).toBe(0);
      expect(await store.claimSeq('XN-OLD', 1000, 'request')).toBeUndefined();
      expect(await store.claimSeq('XN-OLD', 2000, 'request')).toMatchObject({ site: '老站点', state: 'online' });
      expect((await new KioskKeys(store, box, silent).lookup('XN-OLD'))?.secret).toBe('configured-secret-123456');
    } finally {
      await store.close();
    }
  });
});
