import { afterAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';
import { testConfig, tempDir, writeConfig } from '../helpers/config.js';
import { freePort } from '../helpers/ports.js';

/**
 * `npm start` as a user runs it: the bundled orchestrator with every companion process, on free
 * ports so it can run beside a developer's own `npm start`. Needs `npm run build` (npm test does it).
 */
const startBundle = join(projectRoot, 'dist/start.mjs');

/** Command lines of running processes (by exact name) that mention `needle`. */
function running(name: string, needle: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-x', name], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((l) => l.includes(needle));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

let child: ChildProcess | undefined;
afterAll(() => {
  // If an assertion failed mid-way, take the whole process group down with the orchestrator.
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

describe('npm start', () => {
  it.each([
    ['SIGTERM to the orchestrator', 'SIGTERM'],
    ['Ctrl-C (SIGINT to the whole process group)', 'SIGINT'],
    ['SIGKILL of the orchestrator alone (children notice and stop themselves)', 'SIGKILL'],
  ] as const)(
    'starts every process on loopback, prints the URLs, and stops cleanly on %s',
    async (_label, signal) => {
      expect(existsSync(startBundle), 'run `npm run build` first').toBe(true);
      const [agentPort, sandboxPort, simPort, centralPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
      const ptyDir = tempDir('kiosk-start-pty-');
      const config = testConfig((c) => {
        c.log.level = 'info';
        c.agent.port = agentPort;
        c.embedded.sandbox.port = sandboxPort;
        c.embedded.simulators.port = simPort;
        c.embedded.simulators.ptyDir = ptyDir;
        c.embedded.central.port = centralPort;
        c.devices.idcard.transport = { kind: 'serial', path: join(ptyDir, 'idcard'), baudRate: 115200 };
        c.devices.printer.transport = { kind: 'serial', path: join(ptyDir, 'printer'), baudRate: 115200 };
        if (c.devices.gascard) c.devices.gascard.transport = { kind: 'serial', path: join(ptyDir, 'gascard'), baudRate: 115200 };
        c.devices.scanner = {
          enabled: true,
          transport: { kind: 'serial', path: join(ptyDir, 'scanner'), baudRate: 9600 },
          partialTimeoutMs: 500,
          sameCodeMs: 2000,
        };
        c.upstream.baseUrl = `http://127.0.0.1:${sandboxPort}`;
        c.central.url = `http://127.0.0.1:${centralPort}`;
      });
      const central = JSON.parse(readFileSync(join(projectRoot, 'config/central.default.json'), 'utf8')) as {
        listen: { host: string; port: number };
        dataDir: string;
      };
      central.listen.port = centralPort;
      central.dataDir = tempDir('kiosk-start-central-');
      const centralFile = join(tempDir(), 'central.json');
      writeFileSync(centralFile, JSON.stringify(central));

      const configFile = writeConfig(config);
      child = spawn(process.execPath, [startBundle, '--config', configFile], {
        cwd: projectRoot,
        env: { ...process.env, CENTRAL_CONFIG: centralFile },
        stdio: ['ignore', 'pipe', 'pipe'],
        // its own process group, like a shell job, so Ctrl-C can be sent to the whole group
        detached: true,
      });
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
      const deadline = Date.now() + 45_000;
      while (!out.includes('Kiosk is running')) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not start:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      for (const port of [agentPort, sandboxPort, simPort, centralPort]) expect(out).toContain(`http://127.0.0.1:${port}/`);
      // structured logs from every process
      const services = new Set(
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => (JSON.parse(l) as { service?: string }).service),
      );
      for (const s of ['device-agent', 'sandbox', 'simulators', 'central']) expect(services).toContain(s);

      expect((await fetch(`http://127.0.0.1:${agentPort}/healthz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${agentPort}/`)).text()).toContain('kiosk-token');
      expect((await fetch(`http://127.0.0.1:${sandboxPort}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${centralPort}/healthz`)).status).toBe(200);
      const sims = (await (await fetch(`http://127.0.0.1:${simPort}/`)).json()) as { devices: { name: string }[] };
      expect(sims.devices.map((d) => d.name).sort()).toEqual(['gascard', 'idcard', 'printer', 'scanner']);
      expect(existsSync(join(ptyDir, 'idcard'))).toBe(true);
      expect(running('socat', ptyDir)).toHaveLength(4);
      // the agent drives the simulated devices through the real drivers over the ptys
      await expect
        .poll(
          async () =>
            ((await (await fetch(`http://127.0.0.1:${agentPort}/healthz`)).json()) as { devices: Record<string, string> })
              .devices,
          {
            timeout: 10_000,
          },
        )
        .toMatchObject({ idcard: 'online', printer: 'online', gascard: 'online', scanner: 'online' });

      if (signal === 'SIGINT') process.kill(-child.pid!, 'SIGINT');
      else child.kill(signal);
      const code = await exited;
      if (signal === 'SIGKILL') {
        // Nobody is left to stop the children: each must see its lifeline close and stop itself.
        await expect
          .poll(() => running('node', configFile).length + running('socat', ptyDir).length, { timeout: 20_000 })
          .toBe(0);
        await expect.poll(() => /"msg":"agent stopped"/.test(out), { timeout: 5000 }).toBe(true);
      } else {
        expect(code).toBe(0);
      }
      expect(running('socat', ptyDir)).toEqual([]);
      expect(running('sh', ptyDir)).toEqual([]);
      expect(running('node', configFile)).toEqual([]);
      expect(existsSync(join(ptyDir, 'idcard'))).toBe(false);
      expect(existsSync(join(ptyDir, 'printer'))).toBe(false);
      expect(out).toMatch(/"msg":"agent stopped"/);
      expect(out).not.toMatch(/did not stop in time/);
      await expect(fetch(`http://127.0.0.1:${agentPort}/healthz`)).rejects.toThrow();
    },
    90_000,
  );
});
