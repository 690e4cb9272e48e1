import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { freePort } from '../helpers/ports.js';
import {
  killStartBundleGroup,
  running,
  spawnStartBundle,
  untilKioskRunning,
  writeStartBundleConfig,
  type StartBundleFiles,
  type StartBundleRun,
} from '../helpers/start-bundle.js';
import { createServer } from 'node:http';
import { restartDelay } from '../../scripts/supervisor.js';

/**
 * Issue 20 items 4 and 11, on the real bundled `npm start` (needs `npm run build`): a companion
 * that exits (central, sandbox, simulators) is started again while the kiosk keeps serving, and
 * the embedded central listens where the kiosk config's `embedded.central` says, whatever central's
 * own file says.
 */
const startBundle = join(projectRoot, 'dist/start.mjs');

const ok = (url: string): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(3000) }).then(
    (r) => r.ok,
    () => false,
  );

let child: ChildProcess | undefined;
afterAll(() => {
  killStartBundleGroup(child);
});

interface Stack extends StartBundleRun {
  ports: StartBundleFiles['ports'] & { centralFilePort: number };
  configFile: string;
  centralFile: string;
  ptyDir: string;
}

/** Spawns the bundled orchestrator on free ports; central's own file names another port than embedded.central. */
async function launchStack(beforeSpawn: (ports: Stack['ports']) => Promise<void> = async () => {}): Promise<Stack> {
  const centralFilePort = await freePort();
  // Central's own file says another port: the kiosk config's embedded.central must win.
  const files = await writeStartBundleConfig('companions', { config: (c) => (c.log.level = 'info'), centralFilePort });
  const ports = { ...files.ports, centralFilePort };
  await beforeSpawn(ports);
  const run = spawnStartBundle(files);
  child = run.child;
  return { ...run, ports, configFile: files.configFile, centralFile: files.centralFile, ptyDir: files.ptyDir };
}

const untilRunning = (s: Stack): Promise<void> => untilKioskRunning(s, 60_000);

describe('npm start keeps the kiosk up while companions restart', () => {
  it('restarts central, the sandbox, the simulators and the agent when they exit; central listens on embedded.central.port', async () => {
    expect(existsSync(startBundle), 'run `npm run build` first').toBe(true);
    const s = await launchStack();
    const { agentPort, sandboxPort, simPort, centralPort, centralFilePort } = s.ports;
    const { configFile, centralFile, ptyDir } = s;
    child = s.child;
    await untilRunning(s);
    const agentHealth = `http://127.0.0.1:${agentPort}/healthz`;
    const centralHealth = `http://127.0.0.1:${centralPort}/healthz`;

    // Item 4: one source of truth for the embedded central's port.
    expect(await ok(centralHealth)).toBe(true);
    expect(await ok(`http://127.0.0.1:${centralFilePort}/healthz`)).toBe(false);
    await expect
      .poll(async () => ((await (await fetch(agentHealth)).json()) as { devices: Record<string, string> }).devices, {
        timeout: 15_000,
      })
      .toMatchObject({ idcard: 'online', printer: 'online' });

    // Item 11: kill each companion; the orchestrator and the agent stay, the companion comes back.
    const companions = [
      { name: 'central', needles: ['dist/central.mjs', centralFile], signal: 'SIGKILL' as const, health: centralHealth },
      {
        name: 'sandbox',
        needles: ['dist/sandbox.mjs', configFile],
        signal: 'SIGKILL' as const,
        health: `http://127.0.0.1:${sandboxPort}/healthz`,
      },
      // The simulators own socat children: a clean exit (SIGTERM) lets them take their ptys down first.
      {
        name: 'simulators',
        needles: ['dist/simulators.mjs', configFile],
        signal: 'SIGTERM' as const,
        health: `http://127.0.0.1:${simPort}/`,
      },
    ];
    for (const c of companions) {
      const before = running('node', ...c.needles);
      expect(before, c.name).toHaveLength(1);
      process.kill(before[0]!.pid, c.signal);
      await expect
        .poll(() => running('node', ...c.needles).some((p) => p.pid === before[0]!.pid), { timeout: 15_000 })
        .toBe(false);
      // The kiosk still answers while its companion is away.
      expect(await ok(agentHealth), `agent during ${c.name} restart`).toBe(true);
      expect(child.exitCode, `orchestrator during ${c.name} restart`).toBeNull();
      await expect.poll(() => running('node', ...c.needles).length, { timeout: 30_000 }).toBe(1);
      await expect.poll(() => ok(c.health), { timeout: 30_000 }).toBe(true);
      expect(s.out()).toMatch(new RegExp(`"process":"${c.name}".*"msg":"process exited unexpectedly; restarting it"`));
    }
    // The agent itself crashing is restarted too (the kiosk comes back without anyone at the console).
    const agentBefore = running('node', 'dist/agent.mjs', configFile);
    expect(agentBefore).toHaveLength(1);
    process.kill(agentBefore[0]!.pid, 'SIGKILL');
    await expect
      .poll(() => running('node', 'dist/agent.mjs', configFile).some((p) => p.pid !== agentBefore[0]!.pid), { timeout: 30_000 })
      .toBe(true);
    await expect.poll(() => ok(agentHealth), { timeout: 30_000 }).toBe(true);
    expect(child.exitCode).toBeNull();
    // The restarted simulators bring the devices back to the agent.
    await expect
      .poll(async () => ((await (await fetch(agentHealth)).json()) as { devices: Record<string, string> }).devices, {
        timeout: 30_000,
      })
      .toMatchObject({ idcard: 'online', printer: 'online' });
    expect(s.out()).toMatch(/"msg":"process restarted"/);
    expect(await ok(agentHealth)).toBe(true);

    child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(running('node', configFile)).toEqual([]);
    expect(running('node', centralFile)).toEqual([]);
    expect(running('socat', ptyDir)).toEqual([]);
    expect(s.out()).not.toMatch(/did not stop in time/);
  }, 180_000);

  it('keeps serving when a companion cannot start at all, retrying it with backoff', async () => {
    // Something else already holds the embedded central's port.
    const blocker = createServer((_req, res) => res.writeHead(500).end());
    const s = await launchStack((ports) => new Promise<void>((r) => blocker.listen(ports.centralPort, '127.0.0.1', () => r())));
    child = s.child;
    try {
      await untilRunning(s);
      expect(await ok(`http://127.0.0.1:${s.ports.agentPort}/healthz`)).toBe(true);
      await expect
        .poll(() => /"process":"central".*"msg":"process exited unexpectedly; restarting it"/.test(s.out()), { timeout: 30_000 })
        .toBe(true);
      // Freed: central comes up on a later attempt.
      await new Promise<void>((r) => blocker.close(() => r()));
      await expect.poll(() => ok(`http://127.0.0.1:${s.ports.centralPort}/healthz`), { timeout: 60_000 }).toBe(true);
      expect(s.child.exitCode).toBeNull();
    } finally {
      if (blocker.listening) blocker.close();
      s.child.kill('SIGTERM');
      expect(await s.exited).toBe(0);
    }
    expect(running('node', s.configFile)).toEqual([]);
  }, 180_000);

  it('stops everything with exit code 1 when the agent itself cannot start', async () => {
    const blocker = createServer((_req, res) => res.writeHead(500).end());
    const s = await launchStack((ports) => new Promise<void>((r) => blocker.listen(ports.agentPort, '127.0.0.1', () => r())));
    child = s.child;
    try {
      expect(await s.exited).toBe(1);
    } finally {
      blocker.close();
    }
    expect(s.out()).not.toContain('Kiosk is running');
    expect(running('node', s.configFile)).toEqual([]);
    expect(running('node', s.centralFile)).toEqual([]);
    expect(running('socat', s.ptyDir)).toEqual([]);
  }, 180_000);
});

describe('restart backoff', () => {
  it('doubles from the base and stops growing at the cap', () => {
    const b = { baseMs: 1000, maxMs: 30_000, stableMs: 60_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 50].map((a) => restartDelay(a, b))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000,
    ]);
  });
});
