import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '@kiosk/kiosk-config';
import { verifySecret } from '../../apps/agent/src/staff/hash.js';

const main = join(projectRoot, 'bin/kiosk-cli.ts');
const tsx = join(projectRoot, 'node_modules/tsx/dist/cli.mjs');

function kiosk(args: string[], input: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [tsx, main, ...args], { input, encoding: 'utf8', cwd: projectRoot });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kiosk staff CLI', () => {
  it('hash-pin reads stdin and prints a verifying hash, never the PIN', async () => {
    const r = kiosk(['staff', 'hash-pin'], '135790\n');
    expect(r.status).toBe(0);
    const hash = r.stdout.trim();
    expect(hash).not.toContain('135790');
    expect(await verifySecret('135790', hash)).toBe(true);
  }, 30_000);

  it('hash-id normalises the check letter; bad input exits 1', async () => {
    const r = kiosk(['staff', 'hash-id'], '42122419580923042x');
    expect(r.status).toBe(0);
    expect(await verifySecret('42122419580923042X', r.stdout.trim())).toBe(true);
    expect(kiosk(['staff', 'hash-pin'], '12a4').status).toBe(1);
    expect(kiosk(['staff', 'hash-id'], 'nope').status).toBe(1);
  }, 30_000);
});
