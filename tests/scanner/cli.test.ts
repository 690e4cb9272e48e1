/** `kiosk device scanner read` as an engineer runs it: a child process on a real pty against the simulator. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScannerSimulator, type ScannerSimulator } from '../../apps/simulators/src/scanner/index.js';
import { tempDir } from '../helpers/config.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/kiosk.js');
const EID = 'EHBEID:1:0123456789ABCDEFGHIJ:0011223344556677';

interface Run {
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
}

function kiosk(args: string[]): Run {
  const [cmd, pre] = existsSync(bin)
    ? [process.execPath, [bin]]
    : [process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'device-agent/src/cli/main.ts')]];
  const child = spawn(cmd, [...pre, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { code: new Promise((r) => child.once('exit', (c) => r(c))), stdout: () => out, stderr: () => err };
}

const sims: ScannerSimulator[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

async function sim(): Promise<{ sim: ScannerSimulator; port: string }> {
  const dir = tempDir('kiosk-scanner-cli-');
  const s = createScannerSimulator({ agentPath: join(dir, 'scanner'), devicePath: join(dir, 'scanner-dev') });
  await s.start();
  sims.push(s);
  return { sim: s, port: join(dir, 'scanner') };
}

/** Presents the code until the CLI has printed (it may still be starting when the first one goes out). */
async function presentUntilDone(s: ScannerSimulator, text: string, run: Run): Promise<number | null> {
  let done = false;
  void run.code.then(() => (done = true));
  let n = 0;
  while (!done) {
    // Different codes each time would be different scans; the same code within the same-code
    // window is one, so only the first one the CLI sees counts.
    await s.scan({ text });
    n += 1;
    await new Promise((r) => setTimeout(r, 250));
    if (n > 200) throw new Error('the CLI never printed');
  }
  return run.code;
}

describe('kiosk device scanner read', () => {
  it('prints an e-ID code as masked JSON and exits 0', async () => {
    const { sim: s, port } = await sim();
    const run = kiosk(['device', 'scanner', 'read', '--port', port, '--timeout-ms', '60000']);
    expect(await presentUntilDone(s, EID, run)).toBe(0);
    const printed = JSON.parse(run.stdout()) as Record<string, unknown>;
    expect(printed).toEqual({ text: `EHBEID:1:${'*'.repeat(33)}6677`, kind: 'eid', masked: true, length: EID.length });
    expect(run.stdout()).not.toContain('0123456789ABCDEFGHIJ');
  }, 90_000);

  it('prints a non-personal code as it is', async () => {
    const { sim: s, port } = await sim();
    const run = kiosk(['device', 'scanner', 'read', '--port', port, '--timeout-ms', '60000']);
    expect(await presentUntilDone(s, '6901234567892', run)).toBe(0);
    expect(JSON.parse(run.stdout())).toEqual({ text: '6901234567892', kind: 'other', masked: false, length: 13 });
  }, 90_000);

  it('exits 2 with a readable line when no code comes in time', async () => {
    const { port } = await sim();
    const run = kiosk(['device', 'scanner', 'read', '--port', port, '--timeout-ms', '300']);
    expect(await run.code).toBe(2);
    expect(run.stdout()).toBe('');
    expect(run.stderr()).toBe('kiosk device scanner read: no code within 300 ms\n');
  }, 60_000);

  it('exits 1 for a missing port or a bad option', async () => {
    const missing = kiosk(['device', 'scanner', 'read', '--port', '/nonexistent/ttyX', '--timeout-ms', '300']);
    expect(await missing.code).toBe(1);
    expect(missing.stderr()).toMatch(/^kiosk device scanner read: .*nonexistent/);
    const bad = kiosk(['device', 'scanner', 'read', '--port', '/tmp/x', '--timeout-ms', 'soon']);
    expect(await bad.code).toBe(1);
    expect(bad.stderr()).toMatch(/--timeout-ms must be an integer/);
  }, 60_000);
});
