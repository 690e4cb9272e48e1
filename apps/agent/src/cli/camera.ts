/**
 * `kiosk device camera snapshot`: a field engineer checks a camera by saving one still. This is
 * the only place a camera frame is written to disk, and only because an engineer asked for it
 * on the command line; the consent token it uses says so (purpose `maintenance`).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CameraDriver } from '../devices/camera/driver.js';
import { grantCameraConsent, revokeCameraConsent } from '../devices/camera/consent.js';
import { parseJpeg } from '../devices/camera/jpeg.js';
import type { CameraSource } from '../devices/camera/ffmpeg-args.js';
import { intOption, type CliCommand } from '@kiosk/platform';

const usage = [
  'Usage: kiosk device camera snapshot --device /dev/videoN|simulated --out FILE',
  '                                    [--width N] [--height N] [--timeout-ms N]',
  '',
  '  Takes one JPEG still and writes it to FILE (mode 0600). Prints "<path> <bytes> bytes (<W>x<H> JPEG)".',
  "  --device simulated uses ffmpeg's test pattern instead of a camera.",
  '  Defaults: 640x480, timeout 10000 ms. Exit 0 on success, 1 with a one-line reason on any error.',
  "  Only for engineers testing the device: a photo of a person needs that person's consent.",
].join('\n');

async function snapshot(args: string[]): Promise<number> {
  let device: string;
  let out: string;
  let width: number;
  let height: number;
  let timeoutMs: number;
  try {
    const { values } = parseArgs({
      args,
      options: {
        device: { type: 'string' },
        out: { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.device) throw new Error('--device is required (/dev/videoN or simulated)');
    if (!values.out) throw new Error('--out FILE is required');
    device = values.device;
    out = resolve(values.out);
    width = intOption('width', values.width, 640, 16, 4096);
    height = intOption('height', values.height, 480, 16, 4096);
    timeoutMs = intOption('timeout-ms', values['timeout-ms'], 10_000, 1, 600_000);
  } catch (err) {
    process.stderr.write(`kiosk device camera snapshot: ${(err as Error).message}; see --help\n`);
    return 1;
  }

  const source: CameraSource = device === 'simulated' ? { kind: 'simulated' } : { kind: 'v4l2', device };
  const driver = new CameraDriver({ source, width, height, timeoutMs });
  const consent = grantCameraConsent({ purpose: 'maintenance', ttlMs: timeoutMs + 60_000 });
  try {
    await driver.start();
    const jpeg = await driver.capture({ consent });
    await writeFile(out, jpeg, { mode: 0o600 });
    const info = parseJpeg(jpeg);
    const dims = info.ok ? `${info.width}x${info.height}` : `${width}x${height}`;
    process.stdout.write(`${out} ${jpeg.length} bytes (${dims} JPEG)\n`);
    return 0;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const msg = e.code && e.syscall ? `cannot write ${out}: ${e.code}` : e.message;
    process.stderr.write(`kiosk device camera snapshot: ${msg}\n`);
    return 1;
  } finally {
    revokeCameraConsent(consent);
    await driver.stop();
  }
}

export const cameraCommands: CliCommand[] = [
  {
    path: ['device', 'camera', 'snapshot'],
    summary: 'save one JPEG still from the camera (engineer check; --device simulated for the test source)',
    usage,
    run: snapshot,
  },
];
