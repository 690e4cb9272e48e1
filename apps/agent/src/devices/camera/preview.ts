/**
 * A live preview: one ffmpeg process streaming MJPEG at a few fps, split into JPEG frames. Use it
 * as an async iterable (`for await (const jpeg of preview)`; leaving the loop stops ffmpeg) or
 * listen for 'frame'. Slow consumers get the newest frames: a preview is for looking, not for
 * recording, so stale frames are dropped rather than queued.
 */
import { EventEmitter } from 'node:events';
import { checkCameraConsent, type CameraConsent } from './consent.js';
import { CameraError, cameraErrors } from './errors.js';
import { startFfmpegStream, type FfmpegStream } from './ffmpeg-process.js';
import { classifyFfmpegFailure, summarizeFfmpegStderr } from './ffmpeg-args.js';
import { JpegStreamSplitter, parseJpeg } from './jpeg.js';

export interface PreviewEvents {
  frame: [jpeg: Buffer];
  /** Exactly once. `error` is absent when the preview was stopped on purpose. */
  end: [error: CameraError | undefined];
}

export interface PreviewSpec {
  ffmpegPath: string;
  args: string[];
  width: number;
  height: number;
  fps: number;
  /** No frame for this long (first frame included) ends the preview with a timeout error. */
  stallTimeoutMs: number;
  consent: CameraConsent;
  /** Turns an ffmpeg failure into the error the preview ends with (the driver knows the device). */
  describeFailure(kind: ReturnType<typeof classifyFfmpegFailure>, summary: string): CameraError;
}

/** Frames kept for a consumer that is not waiting; older ones are dropped. */
const maxQueued = 2;

export class CameraPreview extends EventEmitter<PreviewEvents> implements AsyncIterable<Buffer> {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  private readonly stream: FfmpegStream;
  private readonly splitter = new JpegStreamSplitter();
  private readonly queue: Buffer[] = [];
  private readonly waiters: { resolve: (r: IteratorResult<Buffer>) => void; reject: (e: unknown) => void }[] = [];
  private readonly frameWaiters: ((frame: Buffer | CameraError) => void)[] = [];
  private stallTimer: NodeJS.Timeout | undefined;
  private endError: CameraError | undefined;
  /** Why the preview ended, kept after the iterator has reported it. */
  failure: CameraError | undefined;
  private ending: CameraError | 'stopped' | undefined;
  private finished = false;
  private readonly finishedPromise: Promise<void>;
  private resolveFinished!: () => void;
  /** Frames delivered so far. */
  frames = 0;

  constructor(private readonly spec: PreviewSpec) {
    super();
    this.width = spec.width;
    this.height = spec.height;
    this.fps = spec.fps;
    this.finishedPromise = new Promise((resolve) => (this.resolveFinished = resolve));
    this.armStall();
    this.stream = startFfmpegStream(spec.ffmpegPath, spec.args, {
      onData: (chunk) => this.onData(chunk),
      onExit: (r) => {
        let error: CameraError | undefined;
        if (this.ending instanceof CameraError) error = this.ending;
        else if (this.ending === 'stopped' || r.stoppedByUs) error = undefined;
        else if (r.spawnError)
          error = r.spawnError instanceof CameraError ? r.spawnError : cameraErrors.hardware(r.spawnError.message);
        else {
          const summary = summarizeFfmpegStderr(r.stderr) || `ffmpeg exited (code ${r.code ?? r.signal})`;
          error = spec.describeFailure(classifyFfmpegFailure(r.stderr), summary);
        }
        this.finish(error);
      },
    });
  }

  get pid(): number | undefined {
    return this.stream.pid;
  }

  get running(): boolean {
    return !this.finished;
  }

  /** Stops ffmpeg; resolves when it has exited and the preview has ended. Safe to call twice. */
  async stop(): Promise<void> {
    this.ending ??= 'stopped';
    await this.stream.stop();
    await this.finishedPromise;
  }

  /** Resolves when the preview has ended for any reason. */
  whenEnded(): Promise<void> {
    return this.finishedPromise;
  }

  /** The next frame to arrive (used by a still capture while the preview runs). */
  nextFrame(timeoutMs: number): Promise<Buffer> {
    if (this.finished) return Promise.reject(this.failure ?? cameraErrors.stopped());
    return new Promise((resolve, reject) => {
      const waiter = (f: Buffer | CameraError): void => {
        clearTimeout(timer);
        if (f instanceof Buffer) resolve(f);
        else reject(f instanceof Error ? f : new Error(String(f)));
      };
      const timer = setTimeout(() => {
        const i = this.frameWaiters.indexOf(waiter);
        if (i >= 0) this.frameWaiters.splice(i, 1);
        reject(cameraErrors.timeout(timeoutMs));
      }, timeoutMs);
      this.frameWaiters.push(waiter);
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return {
      next: () => {
        const consent = checkCameraConsent(this.spec.consent);
        if (!consent.ok && !this.finished) {
          // Frames taken before the withdrawal are not handed out after it.
          this.queue.length = 0;
          this.abort(cameraErrors.consentRequired(consent.reason));
        }
        const queued = this.queue.shift();
        if (queued) return Promise.resolve({ value: queued, done: false });
        if (this.finished) {
          if (this.endError) {
            const e = this.endError;
            // Report the failure to the loop once; later calls just end.
            this.endError = undefined;
            return Promise.reject(e);
          }
          return Promise.resolve({ value: undefined, done: true });
        }
        return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
      },
      return: async () => {
        await this.stop();
        return { value: undefined, done: true };
      },
    };
  }

  private onData(chunk: Buffer): void {
    if (this.ending) return;
    for (const frame of this.splitter.push(chunk)) {
      if (!parseJpeg(frame).ok) continue;
      const consent = checkCameraConsent(this.spec.consent);
      if (!consent.ok) {
        // Consent withdrawn or expired mid-preview: stop filming now, deliver nothing more.
        this.abort(cameraErrors.consentRequired(consent.reason));
        return;
      }
      this.deliver(frame);
    }
  }

  private deliver(frame: Buffer): void {
    this.frames += 1;
    this.armStall();
    for (const w of this.frameWaiters.splice(0)) w(frame);
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve({ value: frame, done: false });
    else {
      this.queue.push(frame);
      if (this.queue.length > maxQueued) this.queue.shift();
    }
    this.emit('frame', frame);
  }

  private armStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => this.abort(cameraErrors.timeout(this.spec.stallTimeoutMs)), this.spec.stallTimeoutMs);
  }

  private abort(error: CameraError): void {
    if (this.ending) return;
    this.ending = error;
    void this.stream.stop();
  }

  private finish(error: CameraError | undefined): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.stallTimer);
    this.endError = error;
    this.failure = error;
    // A stopped preview hands out nothing more; unread frames are dropped, not kept around.
    this.queue.length = 0;
    for (const w of this.frameWaiters.splice(0)) w(error ?? cameraErrors.stopped());
    const waiters = this.waiters.splice(0);
    for (const w of waiters) {
      if (error) w.reject(error);
      else w.resolve({ value: undefined, done: true });
    }
    // The error went to a waiting loop already; don't throw it again on the next call.
    if (error && waiters.length > 0) this.endError = undefined;
    this.emit('end', error);
    this.resolveFinished();
  }
}
