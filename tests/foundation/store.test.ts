import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { openDatabase, migrate } from '@kiosk/platform';
import { agentMigrations, type Migration } from '../../apps/agent/src/store/migrations.js';
import { tempDir } from '../helpers/config.js';

describe('store', () => {
  it('opens a real file in WAL mode and applies numbered migrations once', () => {
    const file = join(tempDir(), 'agent.db');
    const db = openDatabase(file, agentMigrations);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(agentMigrations.map((m) => m.version));
    db.close();
    const again = openDatabase(file, agentMigrations);
    expect(migrate(again, agentMigrations)).toEqual([]);
    again.close();
  });

  it('applies only the new migration when the software grows', () => {
    const file = join(tempDir(), 'grow.db');
    const v1: Migration[] = [{ version: 1, name: 'a', sql: 'CREATE TABLE a (x INTEGER)' }];
    openDatabase(file, v1).close();
    const v2 = [...v1, { version: 2, name: 'b', sql: 'CREATE TABLE b (y INTEGER)' }];
    const db = openDatabase(file, v2);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='b'").get()).toBeTruthy();
    db.close();
  });

  it('rolls back a failing migration and refuses gaps or a newer schema', () => {
    const file = join(tempDir(), 'bad.db');
    const bad: Migration[] = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE ok (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE half (x INTEGER); THIS IS NOT SQL' },
    ];
    expect(() => openDatabase(file, bad)).toThrow();
    const db = openDatabase(file, bad.slice(0, 1));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name='half'").get()).toBeUndefined();
    db.close();
    expect(() => openDatabase(join(tempDir(), 'gap.db'), [{ version: 2, name: 'x', sql: '' }])).toThrow(/without gaps/);
    const newer = join(tempDir(), 'newer.db');
    openDatabase(newer, [...bad.slice(0, 1), { version: 2, name: 'x', sql: 'SELECT 1' }]).close();
    expect(() => openDatabase(newer, bad.slice(0, 1))).toThrow(/newer than this software/);
  });

  it('keeps every committed row after the writer is killed with SIGKILL', async () => {
    const file = join(tempDir(), 'crash.db');
    // A child process commits rows as fast as it can and reports each commit; we kill it mid-way.
    const script = `
      import { openDatabase } from './packages/platform/src/database.ts';
      import { agentMigrations } from './apps/agent/src/store/migrations.ts';
      const db = openDatabase(${JSON.stringify(file)}, agentMigrations);
      const ins = db.prepare("INSERT INTO audit_log (at, actor, action) VALUES (datetime('now'), 'test', ?)");
      for (let i = 1; ; i++) { ins.run('row-' + i); process.stdout.write(i + '\\n'); }
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let lastReported = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        const nums = d.toString().trim().split('\n').map(Number).filter(Number.isFinite);
        lastReported = Math.max(lastReported, ...nums);
        if (lastReported >= 200 && !child.killed) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(`${file}-wal`)).toBe(true);
    const db = openDatabase(file, agentMigrations);
    const count = db.prepare('SELECT count(*) FROM audit_log').pluck().get() as number;
    expect(count).toBeGreaterThanOrEqual(lastReported);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });
});
