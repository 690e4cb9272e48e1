import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildPreviewArgs,
  buildProbeArgs,
  buildStillArgs,
  classifyFfmpegFailure,
  escapeFilterValue,
  parseV4l2Formats,
  summarizeFfmpegStderr,
} from '../../apps/agent/src/devices/camera/ffmpeg-args.js';
import { parseJpeg } from '../../apps/agent/src/devices/camera/jpeg.js';

const v4l2 = { kind: 'v4l2' as const, device: '/dev/video0' };
const frame = { width: 320, height: 240, quality: 4 };

/** The value after a flag, e.g. valueOf(args, '-vf'). */
const valueOf = (args: string[], flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

describe('still arguments', () => {
  it('simulated: testsrc2 at the exact size, one frame, JPEG to stdout', () => {
    const args = buildStillArgs({ kind: 'simulated' }, { ...frame, warmupFrames: 5 });
    expect(args).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=1',
      '-frames:v',
      '1',
      '-an',
      '-c:v',
      'mjpeg',
      '-q:v',
      '4',
      '-pix_fmt',
      'yuvj420p',
      '-f',
      'image2pipe',
      'pipe:1',
    ]);
  });

  it('simulated with a font: timestamp overlay through drawtext', () => {
    const args = buildStillArgs({ kind: 'simulated' }, { ...frame, warmupFrames: 0, overlayFont: '/fonts/Sans.ttf' });
    const vf = valueOf(args, '-vf')!;
    expect(vf).toMatch(/^drawtext=fontfile=\/fonts\/Sans\.ttf:text=SIMULATED %\{localtime\}:/);
  });

  it('v4l2: input options, warm-up frames skipped, scaled and centre-cropped', () => {
    const args = buildStillArgs({ ...v4l2, inputFormat: 'mjpeg', inputSize: '1280x720' }, { ...frame, warmupFrames: 5 });
    expect(args.slice(4, 12)).toEqual(['-f', 'v4l2', '-input_format', 'mjpeg', '-video_size', '1280x720', '-i', '/dev/video0']);
    expect(valueOf(args, '-vf')).toBe(
      'select=gte(n\\,5),scale=320:240:force_original_aspect_ratio=increase,crop=320:240,setsar=1',
    );
    expect(valueOf(args, '-frames:v')).toBe('1');
  });

  it('v4l2 without warm-up or input options', () => {
    const args = buildStillArgs(v4l2, { ...frame, warmupFrames: 0 });
    expect(args).not.toContain('-input_format');
    expect(args).not.toContain('-video_size');
    expect(valueOf(args, '-vf')).not.toContain('select');
  });

  it('never names an output file: every build ends on the stdout pipe', () => {
    for (const source of [{ kind: 'simulated' as const }, v4l2, { kind: 'mjpegPipe' as const, path: '/tmp/x' }]) {
      expect(buildStillArgs(source, { ...frame, warmupFrames: 3 }).at(-1)).toBe('pipe:1');
      expect(buildPreviewArgs(source, { ...frame, fps: 4 }).at(-1)).toBe('pipe:1');
      expect(buildStillArgs(source, { ...frame, warmupFrames: 3 })).not.toContain('-y');
    }
  });
});

describe('preview arguments', () => {
  it('simulated: paced with -re at the preview rate, MJPEG stream flushed per frame', () => {
    const args = buildPreviewArgs({ kind: 'simulated' }, { ...frame, fps: 4 });
    expect(args.slice(4, 9)).toEqual(['-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=4']);
    expect(valueOf(args, '-flush_packets')).toBe('1');
    expect(args.slice(-3)).toEqual(['-f', 'mjpeg', 'pipe:1']);
    expect(args).not.toContain('-frames:v');
  });

  it('v4l2: the camera runs at its own rate and an fps filter decimates it', () => {
    const args = buildPreviewArgs(v4l2, { ...frame, fps: 2.5 });
    expect(args).not.toContain('-re');
    expect(valueOf(args, '-vf')).toMatch(/^fps=2\.500,scale=320:240:/);
  });
});

describe('probe', () => {
  it('v4l2 lists formats instead of streaming (the camera light stays off)', () => {
    expect(buildProbeArgs(v4l2)).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'info',
      '-f',
      'v4l2',
      '-list_formats',
      'all',
      '-i',
      '/dev/video0',
    ]);
  });

  it('parses the format list of a typical UVC camera', () => {
    const stderr = [
      '[video4linux2,v4l2 @ 0x55d0c3e4c940] Compressed:       mjpeg :          Motion-JPEG : 1280x720 640x480 320x240',
      '[video4linux2,v4l2 @ 0x55d0c3e4c940] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 320x240',
      '/dev/video0: Immediate exit requested',
    ].join('\n');
    expect(parseV4l2Formats(stderr)).toEqual(['mjpeg', 'yuyv422']);
    expect(parseV4l2Formats('/dev/video1: Inappropriate ioctl for device')).toEqual([]);
  });
});

describe('stderr interpretation', () => {
  it('classifies the common failures', () => {
    expect(classifyFfmpegFailure('/dev/video3: No such file or directory')).toBe('noDevice');
    expect(classifyFfmpegFailure('[v4l2 @ 0x1] ioctl(VIDIOC_STREAMON): Device or resource busy')).toBe('busy');
    expect(classifyFfmpegFailure('/dev/video0: Permission denied')).toBe('permission');
    expect(classifyFfmpegFailure('/dev/null: Inappropriate ioctl for device')).toBe('hardwareError');
  });

  it('summarises to the last line without the context prefix', () => {
    const s =
      '[video4linux2,v4l2 @ 0x5581aa0388c0] Cannot open video device /dev/video9: No such file or directory\n/dev/video9: No such file or directory\n';
    expect(summarizeFfmpegStderr(s)).toBe('/dev/video9: No such file or directory');
    expect(summarizeFfmpegStderr('[x @ 0xab] a\nImmediate exit requested\n')).toBe('a');
    expect(summarizeFfmpegStderr('x'.repeat(500), 50)).toHaveLength(50);
  });
});

describe('filter escaping', () => {
  it('escapes at option level, then at graph level', () => {
    expect(escapeFilterValue('plain/path.ttf')).toBe('plain/path.ttf');
    expect(escapeFilterValue('a:b')).toBe('a\\\\:b');
    expect(escapeFilterValue('a,b')).toBe('a\\,b');
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
  });

  const font = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
  it.skipIf(!existsSync(font))('real ffmpeg accepts an escaped font path with : , and [ ]', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiosk-cam-'));
    try {
      const odd = join(dir, "we:ird,[font]'s.ttf");
      copyFileSync(font, odd);
      const args = buildStillArgs(
        { kind: 'simulated' },
        { width: 160, height: 120, quality: 5, warmupFrames: 0, overlayFont: odd },
      );
      const out = execFileSync('ffmpeg', args, { maxBuffer: 8 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(parseJpeg(out)).toMatchObject({ ok: true, width: 160, height: 120 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
