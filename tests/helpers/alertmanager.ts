import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * Debian's Alertmanager (package prometheus-alertmanager, installed by
 * scripts/ensure-system-deps.mjs --for test) and its amtool. Null if not installed.
 */
export function findAlertmanager(): { alertmanager: string; amtool: string } | null {
  const am = ['/usr/bin/prometheus-alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p));
  const amtool = '/usr/bin/amtool';
  return am && existsSync(amtool) ? { alertmanager: am, amtool } : null;
}

export const missingAlertmanager =
  'Alertmanager not found: install the Debian package "prometheus-alertmanager" (node scripts/ensure-system-deps.mjs --for test does this as root)';

export function amtoolCheckConfig(amtool: string, file: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(amtool, ['check-config', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What Alertmanager answers on GET /api/v2/alerts (its `gettableAlert`). */
export interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface TestAlertmanager {
  url: string;
  dir: string;
  /** GET /api/v2/alerts: the alerts Alertmanager holds that have not resolved. */
  alerts(): Promise<GettableAlert[]>;
  close(): Promise<void>;
}

/**
 * A throwaway Alertmanager: own config, storage under a temp dir, loopback port, clustering off.
 * `config` is the YAML text; the default routes everything to a receiver that sends nothing.
 * `atPort`: listen there (a test that starts central first, pointing at a port still closed).
 */
export async function startAlertmanager(config?: string, atPort?: number): Promise<TestAlertmanager> {
  const bins = findAlertmanager();
  if (!bins) throw new Error(missingAlertmanager);
  const dir = mkdtempSync(join(tmpdir(), 'kiosk-alertmanager-'));
  mkdirSync(join(dir, 'data'));
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, config ?? "route:\n  receiver: 'null'\nreceivers:\n  - name: 'null'\n");
  const port = atPort ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    bins.alertmanager,
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip cluster (no port 9094, no peers).
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`alertmanager exited (${child.exitCode}): ${output.slice(-500)}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`alertmanager did not become ready: ${output.slice(-500)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    dir,
    async alerts() {
      const res = await fetch(`${url}/api/v2/alerts`);
      if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
      return (await res.json()) as GettableAlert[];
    },
    close: stop,
  };
}
