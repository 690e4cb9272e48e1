import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import {
  CentralConfigError,
  centralConfigPath,
  defaultCentralConfigPath,
  loadCentralConfig,
  parseCentralConfig,
} from '../../apps/central/src/config.js';
import { verifyPassword } from '../../apps/central/src/password.js';
import { tempDir, waitFor } from './helpers.js';

describe('central configuration', () => {
  it('the default config is valid, knows the demo kiosk with the kiosk config’s secret, and has demo users', async () => {
    const c = loadCentralConfig(defaultCentralConfigPath);
    const kioskConfig = JSON.parse(readFileSync(join(projectRoot, 'config/kiosk.default.json'), 'utf8')) as {
      kiosk: { id: string };
      central: { secret: string; url: string };
    };
    const k = c.kiosks.find((x) => x.id === kioskConfig.kiosk.id);
    expect(k?.id).toBe('XN-ZWFW-24H-01');
    expect(k?.secret).toBe(kioskConfig.central.secret);
    expect(c.listen).toEqual({ host: '127.0.0.1', port: 5850, trustProxy: false });
    expect(new URL(kioskConfig.central.url).port).toBe('5850');
    expect(c.heartbeat.offlineAfterMissed).toBe(3);
    expect(c.retention).toMatchObject({ heartbeatDays: 7, eventDays: 180 });
    // The demo passwords documented in docs/central.md.
    const ops = c.dashboard.users.find((u) => u.username === 'ops');
    const viewer = c.dashboard.users.find((u) => u.username === 'viewer');
    expect(ops?.role).toBe('operator');
    expect(viewer?.role).toBe('viewer');
    expect(await verifyPassword('kiosk-ops-demo', ops!.passwordHash)).toBe(true);
    expect(await verifyPassword('kiosk-view-demo', viewer!.passwordHash)).toBe(true);
    expect(await verifyPassword('wrong', viewer!.passwordHash)).toBe(false);
    expect(readFileSync(join(projectRoot, 'docs/central.md'), 'utf8')).toContain('kiosk-ops-demo');
  });

  it('names the bad field in one message', () => {
    const raw = JSON.parse(readFileSync(defaultCentralConfigPath, 'utf8')) as { kiosks: { secret: string }[] };
    raw.kiosks[0]!.secret = 'short';
    expect(() => parseCentralConfig(raw)).toThrow(CentralConfigError);
    expect(() => parseCentralConfig(raw)).toThrow(/kiosks\.0\.secret: must be at least 16 characters/);
    expect(() => parseCentralConfig({ ...raw, kiosks: raw.kiosks, extra: 1 })).toThrow(/extra/);
  });

  it('takes --config over CENTRAL_CONFIG over the default', () => {
    expect(centralConfigPath(['--config', '/a.json'], { CENTRAL_CONFIG: '/b.json' })).toBe('/a.json');
    expect(centralConfigPath(['--config=/c.json'], {})).toBe('/c.json');
    expect(centralConfigPath([], { CENTRAL_CONFIG: '/b.json' })).toBe('/b.json');
    expect(centralConfigPath([], {})).toBe(defaultCentralConfigPath);
  });
});

describe('central process (apps/central/src/main.ts)', () => {
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'apps/central/src/main.ts'), ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('listens where configured, logs JSON, and stops cleanly on SIGTERM', async () => {
    const tmp = tempDir();
    try {
      const raw = JSON.parse(readFileSync(defaultCentralConfigPath, 'utf8')) as Record<string, unknown>;
      const file = join(tmp.dir, 'central.json');
      writeFileSync(file, JSON.stringify({ ...raw, listen: { host: '127.0.0.1', port: 0 }, dataDir: join(tmp.dir, 'data') }));
      const child = run([], { CENTRAL_CONFIG: file });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const url = await waitFor('listening log line', () => {
        for (const line of out.split('\n')) {
          if (!line.trim()) continue;
          const j = JSON.parse(line) as { msg?: string; url?: string };
          if (j.msg === 'central listening') return j.url;
        }
        return undefined;
      });
      const health = (await (await fetch(`${url}/healthz`)).json()) as { status: string; kiosks: number };
      expect(health).toEqual({ status: 'ok', kiosks: 1 });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { msg: string });
      expect(lines.map((l) => l.msg)).toContain('central stopped');
    } finally {
      tmp.remove();
    }
  });

  it('refuses an invalid config with one line naming the field', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'bad.json');
      writeFileSync(file, JSON.stringify({ listen: { host: '127.0.0.1', port: 'x' }, kiosks: [], dashboard: { users: [] } }));
      const child = run(['--config', file]);
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      expect(code).toBe(78); // EX_CONFIG, as every process of the kiosk (processMain)
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toContain('listen.port');
    } finally {
      tmp.remove();
    }
  });
});
