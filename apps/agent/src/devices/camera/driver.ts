/**
 * Camera driver: a UVC camera through V4L2, driven by Debian's ffmpeg, or the simulated source
 * (ffmpeg's testsrc2 with a "SIMULATED <time>" overlay). It owns the ffmpeg processes, the
 * timeouts and the status; argument building and JPEG checks are pure (ffmpeg-args.ts, jpeg.ts).
 *
 * The camera is not a byte pipe, so unlike the serial devices it has no Transport: ffmpeg is
 * the transport. Frames live only in memory: ffmpeg writes them to a stdout pipe, the driver
 * hands the Buffer to the caller and keeps no copy.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { DeviceDriver, DeviceEvents, DeviceStatus } from '@kiosk/contracts/device-status';
import { checkCameraConsent, type CameraConsent } from './consent.js';
import { CameraError, cameraErrors } from './errors.js';
import {
  buildPreviewArgs,
  buildProbeArgs,
  buildStillArgs,
  classifyFfmpegFailure,
  parseV4l2Formats,
  summarizeFfmpegStderr,
  type CameraSource,
  type FfmpegFailureKind,
} from './ffmpeg-args.js';
import { liveFfmpegPids, runFfmpeg } from './ffmpeg-process.js';
import { parseJpeg } from './jpeg.js';
import { CameraPreview } from './preview.js';
import { silentDriverLogger, type DriverLogger } from '../driver-logger.js';

/** The subset of a pino logger the driver uses (the drivers' one shape; pino's Logger fits). */
export type CameraLogger = DriverLogger;

export interface CameraDriverOptions {
  source: CameraSource;
  enabled?: boolean;
  width: number;
  height: number;
  timeoutMs: number;
  warmupFrames?: number;
  previewFps?: number;
  jpegQuality?: number;
  /** How often the V4L2 node's presence is checked (a stat, no ffmpeg). */
  statusPollMs?: number;
  /** Binary to run; `ffmpeg` from PATH by default. */
  ffmpegPath?: string;
  /** Fonts tried for the simulated overlay, first existing wins; none → no overlay. */
  overlayFonts?: readonly string[];
  logger?: CameraLogger | undefined;
}

export interface CaptureOptions {
  /** From grantCameraConsent(); without it the camera is not opened. */
  consent: CameraConsent;
  width?: number;
  height?: number;
  timeoutMs?: number;
}

export interface PreviewRequest {
  consent: CameraConsent;
  width?: number;
  height?: number;
  fps?: number;
  /** No frame for this long ends the preview with a timeout; defaults to the capture timeout. */
  stallTimeoutMs?: number;
}

const defaultOverlayFonts = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
];

function checkSize(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 16 || n > 4096) throw new RangeError(`${what} must be an integer 16..4096, got ${n}`);
  return n;
}

export class CameraDriver extends EventEmitter<DeviceEvents> implements DeviceDriver {
  readonly kind = 'camera';
  private readonly o: Required<Omit<CameraDriverOptions, 'logger'>>;
  private readonly log: CameraLogger;
  private current: DeviceStatus;
  private started = false;
  private capturing: AbortController | undefined;
  private capturePromise: Promise<unknown> | undefined;
  private activePreview: CameraPreview | undefined;
  private probing: Promise<DeviceStatus> | undefined;
  private watch: NodeJS.Timeout | undefined;
  private overlayFont: string | undefined | null = null;
  /** V4L2 formats seen by the last successful probe, kept in the status extras. */
  private formats: string | undefined;
  private lastProbeAt = 0;

  constructor(options: CameraDriverOptions) {
    super();
    this.o = {
      enabled: true,
      warmupFrames: 5,
      previewFps: 4,
      jpegQuality: 4,
      statusPollMs: 2000,
      ffmpegPath: 'ffmpeg',
      overlayFonts: defaultOverlayFonts,
      // An explicit `undefined` means "use the default", not "no value".
      ...(Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as CameraDriverOptions),
    };
    checkSize('width', this.o.width);
    checkSize('height', this.o.height);
    this.log = options.logger ?? silentDriverLogger;
    this.current = {
      device: 'offline',
      detail: this.o.enabled ? 'not started' : 'disabled in configuration',
      extra: this.baseExtra(),
    };
  }

  status(): DeviceStatus {
    return this.current;
  }

  /** PIDs of this process's running ffmpegs (maintenance panel, tests). */
  static liveFfmpegPids(): number[] {
    return liveFfmpegPids();
  }

  get previewRunning(): boolean {
    return this.activePreview?.running ?? false;
  }

  async start(): Promise<void> {
    if (!this.o.enabled || this.started) return;
    this.started = true;
    this.setStatus({ device: 'starting' });
    await this.probe();
    if (!this.started) return;
    if (this.o.source.kind === 'v4l2') {
      this.watch = setInterval(() => this.checkPresence(), this.o.statusPollMs);
      // The watch must not keep a CLI or test process alive by itself.
      this.watch.unref();
    }
  }

  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.watch);
    this.watch = undefined;
    this.capturing?.abort();
    await Promise.allSettled([this.capturePromise, this.activePreview?.stop(), this.probing]);
    this.setStatus({ device: 'offline', detail: 'stopped' });
  }

  /**
   * Checks the camera without filming anyone: for V4L2 it lists the node's formats (the
   * camera's light stays off); for the simulated source it renders one synthetic frame.
   * Skipped (returns the current status) while a capture or preview holds the camera.
   */
  probe(): Promise<DeviceStatus> {
    if (this.capturing || this.activePreview) return Promise.resolve(this.current);
    this.probing ??= this.runProbe().finally(() => (this.probing = undefined));
    return this.probing;
  }

  /**
   * Takes one JPEG still. Refused without a valid consent token. While a live preview runs at
   * the same size, the still is the preview's next frame (the device can be opened only once).
   */
  async capture(options: CaptureOptions): Promise<Buffer> {
    const consent = checkCameraConsent(options?.consent);
    if (!consent.ok) {
      this.log.warn({ reason: consent.reason }, 'camera capture refused: no consent');
      throw cameraErrors.consentRequired(consent.reason);
    }
    this.assertUsable();
    const width = checkSize('width', options.width ?? this.o.width);
    const height = checkSize('height', options.height ?? this.o.height);
    const timeoutMs = options.timeoutMs ?? this.o.timeoutMs;

    const preview = this.activePreview;
    if (preview) {
      if (preview.width !== width || preview.height !== height) {
        throw cameraErrors.busy(`live preview is running at ${preview.width}x${preview.height}; stop it first`);
      }
      return this.checkedFrame(await preview.nextFrame(timeoutMs), width, height);
    }
    if (this.capturing) throw cameraErrors.busy('another capture is in progress');
    this.assertPresent();

    const abort = new AbortController();
    this.capturing = abort;
    const run = this.runCapture(width, height, timeoutMs, abort.signal);
    this.capturePromise = run;
    try {
      return await run;
    } finally {
      this.capturing = undefined;
      this.capturePromise = undefined;
    }
  }

  /**
   * Starts a low-rate live preview (one ffmpeg, MJPEG split into frames). Iterate it or listen
   * for 'frame'; stop it with `preview.stop()` or by leaving the for-await loop. Consent is
   * re-checked on every frame, so revoking it stops the preview.
   */
  preview(request: PreviewRequest): CameraPreview {
    const consent = checkCameraConsent(request?.consent);
    if (!consent.ok) {
      this.log.warn({ reason: consent.reason }, 'camera preview refused: no consent');
      throw cameraErrors.consentRequired(consent.reason);
    }
    this.assertUsable();
    if (this.activePreview) throw cameraErrors.busy('a live preview is already running');
    if (this.capturing) throw cameraErrors.busy('a capture is in progress');
    this.assertPresent();
    const width = checkSize('width', request.width ?? this.o.width);
    const height = checkSize('height', request.height ?? this.o.height);
    const fps = request.fps ?? this.o.previewFps;
    if (!(fps > 0 && fps <= 30)) throw new RangeError(`fps must be in (0, 30], got ${fps}`);
    const args = buildPreviewArgs(this.o.source, {
      width,
      height,
      fps,
      quality: this.o.jpegQuality,
      overlayFont: this.font(),
    });
    const preview = new CameraPreview({
      ffmpegPath: this.o.ffmpegPath,
      args,
      width,
      height,
      fps,
      stallTimeoutMs: request.stallTimeoutMs ?? this.o.timeoutMs,
      consent: request.consent,
      describeFailure: (kind, summary) => this.failureError(kind, summary),
    });
    this.activePreview = preview;
    this.setStatus({ device: 'deviceBusy', detail: 'live preview' });
    this.log.info({ width, height, fps, purpose: request.consent.purpose }, 'camera preview started');
    preview.once('end', (error) => {
      if (this.activePreview === preview) this.activePreview = undefined;
      this.log.info({ frames: preview.frames, error: error?.code }, 'camera preview ended');
      if (!this.started) return;
      if (error) this.statusForError(error);
      else this.setStatus({ device: 'online' });
    });
    return preview;
  }

  // --- internals -------------------------------------------------------------------------------

  private async runCapture(width: number, height: number, timeoutMs: number, signal: AbortSignal): Promise<Buffer> {
    this.setStatus({ device: 'deviceBusy', detail: 'capturing' });
    const args = buildStillArgs(this.o.source, {
      width,
      height,
      quality: this.o.jpegQuality,
      warmupFrames: this.o.warmupFrames,
      overlayFont: this.font(),
    });
    try {
      const r = await runFfmpeg(this.o.ffmpegPath, args, { timeoutMs, signal });
      if (r.code !== 0) {
        const summary = summarizeFfmpegStderr(r.stderr) || `ffmpeg exited (code ${r.code ?? r.signal})`;
        throw this.failureError(classifyFfmpegFailure(r.stderr), summary);
      }
      const frame = this.checkedFrame(r.stdout, width, height);
      this.log.debug({ width, height, bytes: frame.length }, 'camera still captured');
      if (this.started) this.setStatus({ device: 'online' });
      return frame;
    } catch (err) {
      const e = err instanceof CameraError ? err : cameraErrors.hardware(err instanceof Error ? err.message : String(err));
      this.log.warn({ code: e.code, err: e.message }, 'camera capture failed');
      if (this.started) this.statusForError(e);
      throw e;
    }
  }

  private checkedFrame(frame: Buffer, width: number, height: number): Buffer {
    const info = parseJpeg(frame);
    if (!info.ok) throw cameraErrors.badFrame(info.reason);
    if (info.width !== width || info.height !== height) {
      throw cameraErrors.badFrame(`got ${info.width}x${info.height}, asked for ${width}x${height}`);
    }
    return frame;
  }

  private async runProbe(): Promise<DeviceStatus> {
    this.lastProbeAt = Date.now();
    const src = this.o.source;
    if (src.kind === 'v4l2' && !existsSync(src.device)) {
      return this.setStatus({ device: 'noDevice', action: 'maintenance', detail: `${src.device} not present` });
    }
    if (src.kind === 'mjpegPipe') {
      // Reading a pipe would consume its frames; presence is all a probe can check.
      return existsSync(src.path)
        ? this.setStatus({ device: 'online' })
        : this.setStatus({ device: 'noDevice', action: 'maintenance', detail: `${src.path} not present` });
    }
    try {
      if (src.kind === 'v4l2') {
        const r = await runFfmpeg(this.o.ffmpegPath, buildProbeArgs(src), { timeoutMs: this.o.timeoutMs });
        const formats = parseV4l2Formats(r.stderr);
        if (formats.length > 0) {
          this.formats = formats.join(',');
          return this.setStatus({ device: 'online' });
        }
        const summary = summarizeFfmpegStderr(r.stderr) || 'no video formats listed (not a capture node?)';
        this.statusForError(this.failureError(classifyFfmpegFailure(r.stderr), summary));
        return this.current;
      }
      // Simulated: render one synthetic still end to end (no person in it, so no consent needed).
      const still = () =>
        buildStillArgs(src, { width: 160, height: 120, quality: this.o.jpegQuality, warmupFrames: 0, overlayFont: this.font() });
      let r = await runFfmpeg(this.o.ffmpegPath, still(), { timeoutMs: this.o.timeoutMs });
      if (r.code !== 0 && this.font() && /drawtext|No such filter|font/i.test(r.stderr)) {
        this.log.warn({ err: summarizeFfmpegStderr(r.stderr) }, 'simulated camera overlay unavailable; frames without timestamp');
        this.overlayFont = undefined;
        r = await runFfmpeg(this.o.ffmpegPath, still(), { timeoutMs: this.o.timeoutMs });
      }
      if (r.code === 0 && parseJpeg(r.stdout).ok) return this.setStatus({ device: 'online' });
      this.statusForError(cameraErrors.hardware(summarizeFfmpegStderr(r.stderr) || 'simulated source produced no JPEG'));
      return this.current;
    } catch (err) {
      const e = err instanceof CameraError ? err : cameraErrors.hardware(String(err));
      this.statusForError(e);
      this.log.warn({ code: e.code, err: e.message }, 'camera probe failed');
      return this.current;
    }
  }

  private failureError(kind: FfmpegFailureKind, summary: string): CameraError {
    const src = this.o.source;
    const path = src.kind === 'v4l2' ? src.device : src.kind === 'mjpegPipe' ? src.path : undefined;
    switch (kind) {
      case 'noDevice':
        // ffmpeg says "No such file" both for a vanished node and for other inputs; trust the node.
        if (path && !existsSync(path)) return cameraErrors.noDevice(path);
        return cameraErrors.hardware(summary);
      case 'busy':
        return cameraErrors.hardware(`in use by another process: ${summary}`);
      case 'permission':
        return cameraErrors.hardware(`${summary} (is the agent's user in the "video" group?)`);
      case 'hardwareError':
        return cameraErrors.hardware(summary);
    }
  }

  private statusForError(e: CameraError): void {
    switch (e.code) {
      case 'noDevice':
        this.setStatus({ device: 'noDevice', action: 'maintenance', detail: this.sourceLabel() + ' not present' });
        return;
      case 'ffmpegMissing':
        this.setStatus({ device: 'hardwareError', action: 'maintenance', detail: e.detail });
        return;
      case 'timeout':
      case 'badFrame':
      case 'hardwareError':
        this.setStatus({ device: 'hardwareError', action: 'reset', detail: e.detail });
        return;
      case 'consentRequired':
      case 'busy':
      case 'stopped':
        // The caller's mistake or our own shutdown; the device is as it was.
        if (this.current.device === 'deviceBusy') this.setStatus({ device: 'online' });
        return;
    }
  }

  private checkPresence(): void {
    const src = this.o.source;
    if (src.kind !== 'v4l2' || !this.started || this.capturing || this.activePreview) return;
    const present = existsSync(src.device);
    if (!present && this.current.device !== 'noDevice') {
      this.log.warn({ device: src.device }, 'camera unplugged');
      this.setStatus({ device: 'noDevice', action: 'maintenance', detail: `${src.device} not present` });
    } else if (present && this.current.device === 'noDevice') {
      this.log.info({ device: src.device }, 'camera plugged in; probing');
      void this.probe();
    } else if (present && this.current.device === 'hardwareError' && Date.now() - this.lastProbeAt > this.o.statusPollMs * 15) {
      // A node probed too early after plugging (udev permissions not applied yet) recovers by itself.
      void this.probe();
    }
  }

  private assertUsable(): void {
    if (!this.o.enabled) throw cameraErrors.disabled();
    if (!this.started) throw cameraErrors.notStarted();
  }

  private assertPresent(): void {
    const src = this.o.source;
    if (src.kind === 'v4l2' && !existsSync(src.device)) {
      this.setStatus({ device: 'noDevice', action: 'maintenance', detail: `${src.device} not present` });
      throw cameraErrors.noDevice(src.device);
    }
  }

  private font(): string | undefined {
    if (this.o.source.kind !== 'simulated') return undefined;
    if (this.overlayFont === null) this.overlayFont = this.o.overlayFonts.find((f) => existsSync(f));
    return this.overlayFont;
  }

  private sourceLabel(): string {
    const s = this.o.source;
    return s.kind === 'v4l2' ? s.device : s.kind === 'mjpegPipe' ? s.path : s.kind === 'mjpegHttp' ? s.url : 'simulated camera';
  }

  private baseExtra(): Record<string, string | number> {
    const s = this.o.source;
    return {
      source: s.kind,
      ...(s.kind === 'v4l2' ? { device: s.device } : {}),
      ...(this.formats ? { formats: this.formats } : {}),
      width: this.o.width,
      height: this.o.height,
    };
  }

  private setStatus(next: DeviceStatus): DeviceStatus {
    const status: DeviceStatus = { ...next, extra: { ...this.baseExtra(), ...next.extra } };
    if (JSON.stringify(status) !== JSON.stringify(this.current)) {
      this.current = status;
      this.emit('status', status);
    }
    return this.current;
  }
}
