import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  killStartBundleGroup,
  running,
  spawnStartBundle,
  untilKioskRunning,
  writeStartBundleConfig,
} from '../helpers/start-bundle.js';
import type { ChildProcess } from 'node:child_process';

/**
 * `npm start` as a user runs it: the bundled orchestrator with every companion process, on free
 * ports so it can run beside a developer's own `npm start`. Needs `npm run build` (npm test does it).
 */

let child: ChildProcess | undefined;
afterAll(() => {
  // If an assertion failed mid-way, take the whole process group down with the orchestrator.
  killStartBundleGroup(child);
});

describe('npm start', () => {
  it.each([
    ['SIGTERM to the orchestrator', 'SIGTERM'],
    ['Ctrl-C (SIGINT to the whole process group)', 'SIGINT'],
    ['SIGKILL of the orchestrator alone (children notice and stop themselves)', 'SIGKILL'],
  ] as const)(
    'starts every process on loopback, prints the URLs, and stops cleanly on %s',
    async (_label, signal) => {
      const files = await writeStartBundleConfig('start', {
        config: (c) => {
          c.log.level = 'info';
          c.devices.scanner = {
            enabled: true,
            transport: { kind: 'serial', path: join(c.embedded.simulators.ptyDir, 'scanner'), baudRate: 9600 },
            partialTimeoutMs: 500,
            sameCodeMs: 2000,
          };
        },
      });
      const { configFile, ptyDir } = files;
      const { agentPort, sandboxPort, simPort, centralPort } = files.ports;
      const run = spawnStartBundle(files);
      child = run.child;
      const { exited } = run;
      await untilKioskRunning(run, 45_000);
      for (const port of [agentPort, sandboxPort, simPort, centralPort]) expect(run.out()).toContain(`http://127.0.0.1:${port}/`);
      // structured logs from every process
      const services = new Set(
        run
          .out()
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
        await expect.poll(() => /"msg":"agent stopped"/.test(run.out()), { timeout: 5000 }).toBe(true);
      } else {
        expect(code).toBe(0);
      }
      expect(running('socat', ptyDir)).toEqual([]);
      expect(running('sh', ptyDir)).toEqual([]);
      expect(running('node', configFile)).toEqual([]);
      expect(existsSync(join(ptyDir, 'idcard'))).toBe(false);
      expect(existsSync(join(ptyDir, 'printer'))).toBe(false);
      expect(run.out()).toMatch(/"msg":"agent stopped"/);
      expect(run.out()).not.toMatch(/did not stop in time/);
      await expect(fetch(`http://127.0.0.1:${agentPort}/healthz`)).rejects.toThrow();
    },
    90_000,
  );
});
