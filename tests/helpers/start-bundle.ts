/**
 * The bundled `npm start` (dist/start.mjs, needs `npm run build`) as the tests run it: every
 * companion on free loopback ports, the devices over ptys in a fresh directory, central's own
 * config file beside the kiosk's, the orchestrator in its own process group.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { projectRoot, type KioskConfig } from '@kiosk/kiosk-config';
import { tempDir, testConfig, writeConfig } from './config.js';
import { freePort } from './ports.js';

const startBundle = join(projectRoot, 'dist/start.mjs');

export interface StartBundleFiles {
  config: KioskConfig;
  configFile: string;
  /** Central's own config file (CENTRAL_CONFIG). */
  centralFile: string;
  ptyDir: string;
  ports: { agentPort: number; sandboxPort: number; simPort: number; centralPort: number };
}

/**
 * Writes the kiosk config and central's file for one run; `name` tags the temp dirs. `centralFilePort`:
 * the port central's own file names (default: the kiosk config's embedded.central port).
 */
export async function writeStartBundleConfig(
  name: string,
  opts: { config?: (c: KioskConfig) => void; centralFilePort?: number } = {},
): Promise<StartBundleFiles> {
  expect(existsSync(startBundle), 'run `npm run build` first').toBe(true);
  const [agentPort, sandboxPort, simPort, centralPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const ptyDir = tempDir(`kiosk-${name}-pty-`);
  const config = testConfig((c) => {
    c.agent.port = agentPort;
    c.embedded.sandbox.port = sandboxPort;
    c.embedded.simulators.port = simPort;
    c.embedded.simulators.ptyDir = ptyDir;
    c.embedded.central.port = centralPort;
    c.devices.idcard.transport = { kind: 'serial', path: join(ptyDir, 'idcard'), baudRate: 115200 };
    c.devices.printer.transport = { kind: 'serial', path: join(ptyDir, 'printer'), baudRate: 115200 };
    if (c.devices.gascard) c.devices.gascard.transport = { kind: 'serial', path: join(ptyDir, 'gascard'), baudRate: 115200 };
    c.upstream.baseUrl = `http://127.0.0.1:${sandboxPort}`;
    c.central.url = `http://127.0.0.1:${centralPort}`;
    opts.config?.(c);
  });
  const central = JSON.parse(readFileSync(join(projectRoot, 'config/central.default.json'), 'utf8')) as {
    listen: { host: string; port: number };
    dataDir: string;
  };
  central.listen.port = opts.centralFilePort ?? centralPort;
  central.dataDir = tempDir(`kiosk-${name}-central-`);
  const centralFile = join(tempDir(), 'central.json');
  writeFileSync(centralFile, JSON.stringify(central));
  const configFile = writeConfig(config);
  return { config, configFile, centralFile, ptyDir, ports: { agentPort, sandboxPort, simPort, centralPort } };
}

export interface StartBundleRun {
  child: ChildProcess;
  /** stdout and stderr so far (empty when `quiet`). */
  out: () => string;
  exited: Promise<number | null>;
}

/** Spawns the orchestrator in its own process group, like a shell job, so Ctrl-C can reach the whole group. */
export function spawnStartBundle(files: StartBundleFiles, opts: { quiet?: boolean } = {}): StartBundleRun {
  const child = spawn(process.execPath, [startBundle, '--config', files.configFile], {
    cwd: projectRoot,
    env: { ...process.env, CENTRAL_CONFIG: files.centralFile },
    stdio: opts.quiet ? 'ignore' : ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

/** Waits for the orchestrator's "Kiosk is running"; fails with the output's tail when it exits or takes longer than `ms`. */
export async function untilKioskRunning(run: StartBundleRun, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!run.out().includes('Kiosk is running')) {
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`did not start:\n${run.out().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** After a failed assertion: the whole process group down with the orchestrator. */
export function killStartBundleGroup(child: ChildProcess | undefined): void {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** pid and command line of running processes (by exact name) whose command line mentions every needle. */
export function running(name: string, ...needles: string[]): { pid: number; line: string }[] {
  try {
    return execFileSync('pgrep', ['-a', '-x', name], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter((l) => needles.every((n) => l.includes(n)))
      .map((line) => ({ pid: Number(line.split(' ')[0]), line }));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}
