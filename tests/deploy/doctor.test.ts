import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { writeConfig } from '../helpers/config.js';
import { freePort } from '../helpers/ports.js';
import { spawnStartBundle, writeStartBundleConfig } from '../helpers/start-bundle.js';
import { TestSocket } from '../helpers/ws.js';

/**
 * `npx kiosk doctor` against the `npm start` stack (agent, simulators over ptys, sandbox, central),
 * on free ports. Needs `npm run build` (npm test does it).
 */
let child: ChildProcess | undefined;
let configFile = '';
let config: KioskConfig;
let ui: TestSocket | undefined;

function doctor(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin/kiosk.js'), 'doctor', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout + r.stderr };
}

async function health(): Promise<Record<string, unknown>> {
  return (await (await fetch(`http://127.0.0.1:${config.agent.port}/healthz`)).json()) as Record<string, unknown>;
}

async function until(test: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await test().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  const files = await writeStartBundleConfig('doctor', {
    config: (c) => {
      c.log.level = 'warn';
      c.central.heartbeatIntervalMs = 1000;
    },
  });
  ({ config, configFile } = files);
  child = spawnStartBundle(files, { quiet: true }).child;
  await until(async () => {
    const h = (await health()) as { devices?: Record<string, string>; central?: { ok: boolean | null } };
    return (
      Object.values(h.devices ?? {}).length === 4 &&
      Object.values(h.devices ?? {}).every((s) => s === 'online') &&
      h.central?.ok === true
    );
  }, 'stack up: devices online, a heartbeat accepted');
  // The kiosk screen: a UI connection pinging like the real page does.
  ui = await TestSocket.open(`http://127.0.0.1:${config.agent.port}`, readFileSync(join(config.dataDir, 'agent.token'), 'utf8'));
  await ui.command('Kiosk.Ping');
}, 120_000);

afterAll(async () => {
  ui?.ws.close();
  if (child?.pid && child.exitCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});

describe('kiosk doctor', () => {
  it('reports OK for every check, every simulated device included, and exits 0', () => {
    const r = doctor('--config', configFile);
    const lines = r.out.trim().split('\n');
    for (const line of lines) expect(line, r.out).toMatch(/^(OK|WARN|FAIL) [a-z][a-z -]*: .+ — .+$/);
    for (const d of ['idcard', 'printer', 'camera', 'gascard'])
      expect(lines, r.out).toContainEqual(expect.stringMatching(new RegExp(`^OK device ${d}: online`)));
    for (const name of ['config', 'data-dir', 'disk', 'agent', 'clock', 'central', 'upstream gateway', 'browser']) {
      expect(lines, r.out).toContainEqual(expect.stringMatching(new RegExp(`^OK ${name}: `)));
    }
    expect(lines.filter((l) => l.startsWith('OK upstream ')).length).toBeGreaterThan(1);
    expect(r.code, r.out).toBe(0);
    process.stdout.write(`kiosk doctor against npm start:\n${r.out}`);
  });

  it('--json gives the same checks and the worst level', () => {
    const r = doctor('--config', configFile, '--json');
    const parsed = JSON.parse(r.out) as { worst: string; checks: { level: string; name: string }[] };
    expect(parsed.worst).toBe('OK');
    expect(parsed.checks.map((c) => c.name)).toContain('device gascard');
    expect(r.code).toBe(0);
  });

  it('WARN exits 1: free disk space under twice the guard threshold', () => {
    const st = statfsSync(config.dataDir);
    const free = st.bavail * st.bsize;
    const tight = writeConfig({
      ...config,
      selfcare: { ...config.selfcare, disk: { ...config.selfcare.disk, minFreeBytes: Math.floor(free / 1.5) } },
    });
    const r = doctor('--config', tight);
    expect(r.out).toMatch(/^WARN disk: .* free, less than twice/m);
    expect(r.out).not.toMatch(/^FAIL/m);
    expect(r.code).toBe(1);
  });

  it('a device that needs someone (printer out of paper) FAILs and exits 2', async () => {
    const paper = (state: string): Promise<Response> =>
      fetch(`http://127.0.0.1:${config.embedded.simulators.port}/printer/state`, {
        method: 'POST',
        // A fresh connection: the doctor run between the two calls can outlast the server's
        // keep-alive, and a reused socket closed under load fails the request (seen in CI load).
        headers: { 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ paper: state }),
      });
    expect((await paper('out')).ok).toBe(true);
    await until(
      async () => ((await health()) as { devices?: Record<string, string> }).devices?.printer !== 'online',
      'printer reports paper out',
    );
    const r = doctor('--config', configFile);
    expect(r.out).toMatch(/^FAIL device printer: userError .* — needs someone on site/m);
    expect(r.code).toBe(2);
    await paper('full');
  });

  it('FAILs and exits 2 for an invalid config, naming the bad field', () => {
    const bad = writeConfig({ ...config, central: { ...config.central, secret: 'short' } });
    const r = doctor('--config', bad);
    expect(r.out).toMatch(/^FAIL config: .*central\.secret/m);
    expect(r.code).toBe(2);
  });

  it('FAILs when the agent is not running (another port)', async () => {
    const other = writeConfig({ ...config, agent: { ...config.agent, port: await freePort() } });
    const r = doctor('--config', other);
    expect(r.out).toMatch(/^FAIL agent: not answering/m);
    expect(r.code).toBe(2);
  });
});
