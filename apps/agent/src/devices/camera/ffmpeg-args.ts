/**
 * Pure ffmpeg command-line building and stderr interpretation for the camera. No I/O: the
 * driver decides which font exists and which binary to run, then asks for an argument list.
 */

/** Where frames come from. `simulated` and `v4l2` are the config's kinds (config/schema.ts). */
export type CameraSource =
  | { kind: 'simulated' }
  | {
      kind: 'v4l2';
      device: string;
      /** V4L2 pixel format to request, e.g. `mjpeg` or `yuyv422`; camera default when absent. */
      inputFormat?: string | undefined;
      /** Sensor mode `WxH`; camera default when absent. Output is scaled and cropped regardless. */
      inputSize?: string | undefined;
    }
  /**
   * An MJPEG byte stream read from a named pipe or file: a vendor camera daemon that hands frames
   * over a fifo, and the test seam for "an input that never produces a frame". Not in the config
   * schema; only code can ask for it.
   */
  | { kind: 'mjpegPipe'; path: string }
  /**
   * A network camera that serves MJPEG over HTTP (multipart/x-mixed-replace), as many IP and
   * booth cameras do, and as the simulators' camera does (`GET /camera/stream.mjpg`).
   */
  | { kind: 'mjpegHttp'; url: string };

interface FrameOptions {
  width: number;
  height: number;
  /** ffmpeg `-q:v` for mjpeg: 2 (best, biggest) … 31 (worst). */
  quality: number;
  /** Font for the "SIMULATED <time>" overlay on the simulated source; no overlay when absent. */
  overlayFont?: string | undefined;
}

export interface StillOptions extends FrameOptions {
  /** Frames skipped first so a real camera's auto-exposure settles; ignored for `simulated`. */
  warmupFrames: number;
}

export interface PreviewOptions extends FrameOptions {
  fps: number;
}

/** Options every run gets: no banner, never read the terminal, only real errors on stderr. */
const common = ['-hide_banner', '-nostdin', '-loglevel', 'error'];

/**
 * Escapes a value for a filter option inside a filtergraph: first the option level (`\ ' :`),
 * then the graph level (`\ ' [ ] , ;`). See ffmpeg-filters(1), "Notes on filtergraph escaping".
 */
export function escapeFilterValue(value: string): string {
  const optionLevel = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return optionLevel.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

function formatRate(fps: number): string {
  // ffmpeg takes rationals; keep integers plain and fractions exact enough.
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(3);
}

function inputArgs(source: CameraSource, width: number, height: number, rate: number, realtime: boolean): string[] {
  switch (source.kind) {
    case 'simulated':
      // lavfi generates as fast as it can; -re paces it like a real camera for previews.
      return [...(realtime ? ['-re'] : []), '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${formatRate(rate)}`];
    case 'v4l2':
      return [
        '-f',
        'v4l2',
        ...(source.inputFormat ? ['-input_format', source.inputFormat] : []),
        ...(source.inputSize ? ['-video_size', source.inputSize] : []),
        '-i',
        source.device,
      ];
    case 'mjpegPipe':
      return ['-f', 'mjpeg', '-i', source.path];
    case 'mjpegHttp':
      // The multipart demuxer; -rw_timeout (µs) so a server that stops sending fails the read.
      return ['-rw_timeout', '5000000', '-f', 'mpjpeg', '-i', source.url];
  }
}

function overlayFilter(font: string): string {
  const text = escapeFilterValue('SIMULATED %{localtime}');
  return (
    `drawtext=fontfile=${escapeFilterValue(font)}:text=${text}:fontsize=h/16:fontcolor=white` +
    ':box=1:boxcolor=black@0.6:boxborderw=4:x=8:y=h-th-12'
  );
}

/** Fill the requested size keeping the aspect ratio (centre crop), as a face photo wants. */
function fitFilter(width: number, height: number): string {
  return `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},setsar=1`;
}

function filters(source: CameraSource, o: FrameOptions, pre: string[]): string[] {
  const chain = [...pre];
  // testsrc2 is generated at the exact size; everything else is scaled to it.
  if (source.kind !== 'simulated') chain.push(fitFilter(o.width, o.height));
  else if (o.overlayFont) chain.push(overlayFilter(o.overlayFont));
  return chain.length > 0 ? ['-vf', chain.join(',')] : [];
}

const jpegOut = (quality: number): string[] => ['-an', '-c:v', 'mjpeg', '-q:v', String(quality), '-pix_fmt', 'yuvj420p'];

/** One JPEG still on stdout; nothing touches the disk. */
export function buildStillArgs(source: CameraSource, o: StillOptions): string[] {
  const skip = source.kind === 'simulated' ? 0 : Math.max(0, Math.floor(o.warmupFrames));
  return [
    ...common,
    ...inputArgs(source, o.width, o.height, 1, false),
    ...filters(source, o, skip > 0 ? [`select=gte(n\\,${skip})`] : []),
    '-frames:v',
    '1',
    ...jpegOut(o.quality),
    '-f',
    'image2pipe',
    'pipe:1',
  ];
}

/** A paced stream of JPEG frames on stdout (concatenated; split them with JpegStreamSplitter). */
export function buildPreviewArgs(source: CameraSource, o: PreviewOptions): string[] {
  const pre = source.kind === 'simulated' ? [] : [`fps=${formatRate(o.fps)}`];
  return [
    ...common,
    ...inputArgs(source, o.width, o.height, o.fps, true),
    ...filters(source, o, pre),
    ...jpegOut(o.quality),
    // Without this ffmpeg may sit on a frame in its output buffer and the preview stutters.
    '-flush_packets',
    '1',
    '-f',
    'mjpeg',
    'pipe:1',
  ];
}

/**
 * Probe without streaming: V4L2 `-list_formats` opens the node and asks for its formats (the
 * camera's light stays off, so nobody is filmed without consent). It always exits non-zero
 * ("Immediate exit requested"); success is judged from the listed formats. For other sources,
 * decode one frame into the null muxer.
 */
export function buildProbeArgs(source: CameraSource): string[] {
  if (source.kind === 'v4l2') {
    return ['-hide_banner', '-nostdin', '-loglevel', 'info', '-f', 'v4l2', '-list_formats', 'all', '-i', source.device];
  }
  return [...common, ...inputArgs(source, 160, 120, 1, false), '-frames:v', '1', '-f', 'null', '-'];
}

/** Pixel formats from `-list_formats all` output, e.g. ['mjpeg', 'yuyv422']. */
export function parseV4l2Formats(stderr: string): string[] {
  const found: string[] = [];
  for (const m of stderr.matchAll(/\b(?:Raw|Compressed)\s*:\s*(\S+)\s*:/g)) {
    const name = m[1]!;
    if (!found.includes(name)) found.push(name);
  }
  return found;
}

export type FfmpegFailureKind = 'noDevice' | 'busy' | 'permission' | 'hardwareError';

/** Sorts an ffmpeg failure by what its stderr says; the driver maps this to a device state. */
export function classifyFfmpegFailure(stderr: string): FfmpegFailureKind {
  if (/No such file or directory|No such device/i.test(stderr)) return 'noDevice';
  if (/Device or resource busy/i.test(stderr)) return 'busy';
  if (/Permission denied/i.test(stderr)) return 'permission';
  return 'hardwareError';
}

/**
 * The last meaningful stderr line without ffmpeg's `[demuxer @ 0x…] ` prefix, for a one-line
 * reason. Camera stderr holds device paths and codec chatter, never frame data or personal data.
 */
export function summarizeFfmpegStderr(stderr: string, max = 200): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((l) => l.length > 0 && !/^Immediate exit requested$/i.test(l));
  const last = lines[lines.length - 1] ?? '';
  return last.length > max ? `${last.slice(0, max - 1)}…` : last;
}
