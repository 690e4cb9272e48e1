import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError as KioskConfigError } from '@kiosk/kiosk-config';
import { ConfigError, EX_CONFIG } from '@kiosk/platform';

/** Runs a tiny program that calls processMain, as each app's main.ts does. */
function run(body: string): { status: number | null; stderr: string } {
  const src = `import { processMain, ConfigError } from '@kiosk/platform';\nprocessMain('demo', async () => { ${body} });`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', src], {
    encoding: 'utf8',
    cwd: process.cwd(),
  });
  return { status: r.status, stderr: r.stderr };
}

describe('processMain', () => {
  it('a config error exits 78 with one line naming the program', () => {
    const r = run("throw new ConfigError('invalid config: listen.port: expected number');");
    expect(r.status).toBe(EX_CONFIG);
    expect(r.stderr).toBe('demo: invalid config: listen.port: expected number\n');
  });
  it('any other failure exits 1; a returned number is the exit code', () => {
    expect(run("throw new Error('port in use');")).toEqual({ status: 1, stderr: 'demo: port in use\n' });
    expect(run('return 3;').status).toBe(3);
    expect(run('return;').status).toBe(0);
  });
  it("the kiosk config loader's errors are config errors", () => {
    expect(new KioskConfigError('x')).toBeInstanceOf(ConfigError);
  });
});
