import { execFile } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedPost, startTestCentral, validHeartbeat, waitFor, type TestCentral } from './helpers.js';

/**
 * Enrollment end to end on the default (SQLite) central: the `kiosk-central` CLI writes to the
 * database of a running central; the secret it prints signs heartbeats central accepts; a rotated
 * secret keeps the old one working for the grace period only; a disabled kiosk is refused.
 */
const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');
let central: TestCentral;
let configFile: string;

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(root, 'bin/kiosk-central.js'), '--config', configFile, ...args], {
      cwd: root,
      env: { ...process.env, CENTRAL_MASTER_KEY: '', CENTRAL_DATABASE_URL: '' },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const lastLine = (s: string): string => s.trimEnd().split('\n').at(-1)!;
let seq = Date.now();
const beat = (id: string, secret: string) =>
  signedPost(central.url, 'heartbeats', JSON.stringify(validHeartbeat(id)), { kioskId: id, secret, seq: ++seq });

beforeAll(async () => {
  central = await startTestCentral();
  configFile = join(central.dataDir, 'cli-config.json');
  // The CLI reads the same data directory (database and generated master key) as the running central.
  writeFileSync(configFile, JSON.stringify({ listen: { port: 0 }, dataDir: central.dataDir, dashboard: { users: [] } }));
});
afterAll(async () => {
  await central.close();
});

describe('kiosk-central enrollment CLI', () => {
  it('enrolls a kiosk whose printed secret signs heartbeats central accepts; the secret is stored sealed', async () => {
    expect((await beat('XN-ENROLL-01', 'not-enrolled-yet-secret')).body.reason).toBe('bad-signature');
    const added = await cli('kiosk', 'add', 'XN-ENROLL-01', '--site', '咸宁市 测试点', '--name', '7号机');
    expect(added.code).toBe(0);
    const secret = lastLine(added.stdout);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Central has never seen this id: it looks it up in the database.
    await waitFor('the new kiosk accepted', async () => (await beat('XN-ENROLL-01', secret)).status === 200);
    const again = await cli('kiosk', 'add', 'XN-ENROLL-01');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already enrolled/);
    const list = await cli('kiosk', 'list');
    expect(list.stdout).toMatch(/XN-ENROLL-01\tyes\t/);
    expect(list.stdout).toContain('咸宁市 测试点');
    expect(list.stdout).not.toContain(secret);
    const db = new Database(join(central.dataDir, 'central.db'), { readonly: true });
    try {
      const row = db.prepare('SELECT * FROM kiosks WHERE id = ?').get('XN-ENROLL-01') as Record<string, unknown>;
      expect(String(row.secret_enc)).toMatch(/^v1:/);
      expect(JSON.stringify(row)).not.toContain(secret);
    } finally {
      db.close();
    }
    // Without CENTRAL_MASTER_KEY a single SQLite central keeps a generated key beside its database, owner only.
    expect(statSync(join(central.dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  }, 90_000);

  it('rotates a secret: the old one works during the grace period, then is refused', async () => {
    const old = lastLine((await cli('kiosk', 'add', 'XN-ENROLL-02', '--site', 'S')).stdout);
    await waitFor('enrolled', async () => (await beat('XN-ENROLL-02', old)).status === 200);
    // 0.005 h = 18 s of grace.
    const rotated = await cli('kiosk', 'rotate-secret', 'XN-ENROLL-02', '--grace-hours', '0.005');
    expect(rotated.code).toBe(0);
    const fresh = lastLine(rotated.stdout);
    expect(fresh).not.toBe(old);
    // Running central learns of the rotation at the kiosk's next request (or its next view refresh).
    await waitFor('the new secret accepted', async () => (await beat('XN-ENROLL-02', fresh)).status === 200);
    expect((await beat('XN-ENROLL-02', old)).status).toBe(200);
    await waitFor(
      'the old secret refused after the grace',
      async () => (await beat('XN-ENROLL-02', old)).body.reason === 'bad-signature',
      60_000,
      500,
    );
    expect((await beat('XN-ENROLL-02', fresh)).status).toBe(200);
  }, 120_000);

  it('disables a kiosk: its secret is refused like an unknown kiosk’s', async () => {
    const secret = lastLine((await cli('kiosk', 'add', 'XN-ENROLL-03')).stdout);
    await waitFor('enrolled', async () => (await beat('XN-ENROLL-03', secret)).status === 200);
    expect((await cli('kiosk', 'disable', 'XN-ENROLL-03')).code).toBe(0);
    const refused = await beat('XN-ENROLL-03', secret);
    expect(refused.status).toBe(401);
    expect(refused.body.reason).toBe('bad-signature');
    expect((await cli('kiosk', 'rotate-secret', 'XN-ENROLL-03')).code).toBe(1);
    expect((await cli('kiosk', 'disable', 'XN-NOT-THERE')).code).toBe(1);
    expect((await cli('kiosk', 'frobnicate', 'X')).code).toBe(2);
  }, 120_000);
});
