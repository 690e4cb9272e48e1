import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '@kiosk/kiosk-config';

/**
 * Where promtool is: on PATH / /usr/bin when Debian's `prometheus` package is installed, else
 * unpacked by scripts/ensure-system-deps.mjs into var/tools/prometheus. Null if neither.
 */
export function findPromtool(): string | null {
  const candidates = ['/usr/bin/promtool', join(projectRoot, 'var/tools/prometheus/usr/bin/promtool')];
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const onPath = which.status === 0 ? which.stdout.trim() : '';
  return onPath || null;
}

export interface PromtoolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `promtool check metrics` reads the exposition on stdin; exit 0 = valid and lint-clean. */
export function checkMetrics(promtool: string, text: string): PromtoolResult {
  const r = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function checkRules(promtool: string, file: string): PromtoolResult {
  const r = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `promtool test rules FILE`: unit tests of alerting rules on given series; exit 0 = all pass. */
export function testRules(promtool: string, file: string): PromtoolResult {
  const r = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
