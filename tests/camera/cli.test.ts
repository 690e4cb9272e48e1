/** `kiosk device camera snapshot` as an engineer runs it: a real child process and real ffmpeg. */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJpeg } from '../../apps/agent/src/devices/camera/jpeg.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/kiosk.js');

/** Runs the CLI; falls back to tsx on main.ts while bin/kiosk.js does not exist yet. */
function kiosk(args: string[], env: NodeJS.ProcessEnv = process.env): SpawnSyncReturns<string> {
  const [cmd, pre] = existsSync(bin)
    ? [process.execPath, [bin]]
    : [process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(root, 'bin/kiosk-cli.ts')]];
  return spawnSync(cmd, [...pre, ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiosk-cam-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('kiosk device camera snapshot', () => {
  it('writes a JPEG from the simulated camera and prints path and size', () => {
    const out = join(dir, 'snap.jpg');
    const r = kiosk(['device', 'camera', 'snapshot', '--device', 'simulated', '--out', out, '--width', '320', '--height', '240']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const size = statSync(out).size;
    expect(r.stdout).toBe(`${out} ${size} bytes (320x240 JPEG)\n`);
    expect(parseJpeg(readFileSync(out))).toMatchObject({ ok: true, width: 320, height: 240 });
    // Engineer's file only: nobody else on the machine can read it.
    expect(statSync(out).mode & 0o077).toBe(0);
  });

  it('exits 1 with one readable line when the device is missing', () => {
    const device = join(dir, 'video7');
    const r = kiosk(['device', 'camera', 'snapshot', '--device', device, '--out', join(dir, 'x.jpg')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`camera not found: ${device}`);
    expect(existsSync(join(dir, 'x.jpg'))).toBe(false);
  });

  it('exits 1 naming the Debian package when ffmpeg is not installed', () => {
    const r = kiosk(['device', 'camera', 'snapshot', '--device', 'simulated', '--out', join(dir, 'x.jpg')], {
      ...process.env,
      PATH: join(dir, 'empty-bin'),
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('install the Debian package "ffmpeg"');
  });

  it('exits 1 on bad options and prints usage on --help', () => {
    const bad = kiosk(['device', 'camera', 'snapshot', '--device', 'simulated', '--out', join(dir, 'x.jpg'), '--width', 'wide']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--width must be an integer');
    const help = kiosk(['device', 'camera', 'snapshot', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--device /dev/videoN|simulated --out FILE');
  });
});
