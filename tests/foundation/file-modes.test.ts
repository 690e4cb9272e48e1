import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAgent } from '../../apps/agent/src/agent.js';
import { projectRoot } from '@kiosk/kiosk-config';
import { silentLogger } from '@kiosk/platform';
import { startSandbox } from '../../apps/sandbox/src/server.js';
import { startCentral } from '../../apps/central/src/server.js';
import { silent, testConfig as centralTestConfig } from '../central/helpers.js';
import { testConfig, tempDir } from '../helpers/config.js';
import { freePort } from '../helpers/ports.js';

/** Issue 20 item 10: the kiosk's and central's data are readable by their owner only. */
const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);

function expectPrivate(dir: string, files: string[]): void {
  expect(mode(dir), dir).toBe('700');
  for (const f of files) {
    const p = join(dir, f);
    expect(existsSync(p), p).toBe(true);
    expect(mode(p), p).toBe('600');
  }
}

const uiDir = tempDir('kiosk-ui-');
writeFileSync(join(uiDir, 'index.html'), '<!doctype html><html><head></head><body></body></html>');

describe('data file modes', () => {
  it('creates agent.db (with its WAL files), agent.token and the data directory owner-only', async () => {
    const dataDir = join(tempDir(), 'fresh', 'data');
    const agent = await startAgent(
      testConfig((c) => (c.dataDir = dataDir)),
      { logger: silentLogger(), uiDir },
    );
    try {
      expectPrivate(dataDir, ['agent.db', 'agent.db-wal', 'agent.db-shm', 'agent.token']);
    } finally {
      await agent.stop();
    }
  });

  it('takes an older, world-readable install down to 0600/0700', async () => {
    const dataDir = join(tempDir(), 'old');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const old = new Database(join(dataDir, 'agent.db'));
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE leftover (x)');
    chmodSync(join(dataDir, 'agent.db'), 0o644);
    old.close();
    expect(mode(join(dataDir, 'agent.db'))).toBe('644');
    const agent = await startAgent(
      testConfig((c) => (c.dataDir = dataDir)),
      { logger: silentLogger(), uiDir },
    );
    try {
      expectPrivate(dataDir, ['agent.db', 'agent.db-wal', 'agent.db-shm']);
    } finally {
      await agent.stop();
    }
  });

  it('creates central.db and its directory owner-only', async () => {
    const dataDir = join(tempDir(), 'central');
    const central = await startCentral({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      config: await centralTestConfig(),
      logger: silent,
    });
    try {
      expectPrivate(dataDir, ['central.db', 'central.db-wal', 'central.db-shm']);
    } finally {
      await central.close();
    }
  });

  it('creates sandbox.db owner-only', async () => {
    const dataDir = join(tempDir(), 'sandbox');
    const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, dataDir });
    try {
      expectPrivate(dataDir, ['sandbox.db']);
    } finally {
      await sandbox.close();
    }
  });
});

describe('the sandbox’s synthetic people are not in the kiosk’s data directory', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));

  it('defaults to a directory of its own and moves a sandbox.db left in the kiosk data directory by older versions', async () => {
    const defaults = testConfig();
    expect(defaults.embedded.sandbox.dataDir).not.toBe(defaults.dataDir);

    const root = tempDir();
    const kioskData = join(root, 'kiosk-data');
    const sandboxData = join(root, 'sandbox-data');
    // An older version's layout: sandbox.db beside agent.db.
    const legacy = await startSandbox({ host: '127.0.0.1', port: 0, dataDir: kioskData });
    await legacy.close();
    expect(existsSync(join(kioskData, 'sandbox.db'))).toBe(true);

    const port = await freePort();
    const config = testConfig((c) => {
      c.dataDir = kioskData;
      c.embedded.sandbox.dataDir = sandboxData;
      c.embedded.sandbox.port = port;
    });
    const configFile = join(root, 'kiosk.json');
    writeFileSync(configFile, JSON.stringify(config));
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/sandbox/src/main.ts', '--config', configFile], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await expect
      .poll(
        () =>
          fetch(`http://127.0.0.1:${port}/healthz`).then(
            (r) => r.ok,
            () => false,
          ),
        { timeout: 30_000, interval: 100 },
      )
      .toBe(true);
    expect(err).toBe('');
    expect(existsSync(join(kioskData, 'sandbox.db'))).toBe(false);
    expect(existsSync(join(kioskData, 'sandbox.db-wal'))).toBe(false);
    expectPrivate(sandboxData, ['sandbox.db']);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
