/**
 * Owns ffmpeg child processes. Every process started here is tracked until it has exited, and a
 * caller's promise settles only after the process is gone, so a timeout or stop() never leaves an
 * ffmpeg behind. Frames travel over the stdout pipe only; nothing is written to disk.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cameraErrors } from './errors.js';

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort: if the agent exits (process.exit, uncaught error), take its ffmpegs with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) {
      try {
        child.kill('SIGKILL');
      } catch {
        // Already gone; nothing else can be done in an exit handler.
      }
    }
  });
}

/** PIDs of ffmpeg processes this module started that have not exited yet (diagnostics, tests). */
export function liveFfmpegPids(): number[] {
  return [...live].map((c) => c.pid).filter((p): p is number => p !== undefined);
}

const stderrKeep = 8 * 1024;

function spawnTracked(ffmpegPath: string, args: readonly string[]): ChildProcess {
  installExitHook();
  // stdin ignored (-nostdin too): ffmpeg must never wait on or react to a terminal.
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
  if (child.pid !== undefined) {
    live.add(child);
    child.once('close', () => live.delete(child));
  }
  return child;
}

function tail(acc: string, chunk: Buffer): string {
  const next = acc + chunk.toString('utf8');
  return next.length > stderrKeep ? next.slice(next.length - stderrKeep) : next;
}

export interface FfmpegResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunOptions {
  timeoutMs: number;
  /** Aborting kills ffmpeg; the promise then rejects with a `stopped` CameraError. */
  signal?: AbortSignal | undefined;
  /** Output larger than this is not a still; kill and fail. */
  maxStdoutBytes?: number | undefined;
  onSpawn?: ((pid: number) => void) | undefined;
}

/**
 * Runs ffmpeg to completion and returns its stdout in memory. Rejects with a CameraError on
 * timeout (`timeout`), abort (`stopped`), missing binary (`ffmpegMissing`) or oversized output;
 * a non-zero exit is returned, not thrown, so the caller can read stderr.
 */
export function runFfmpeg(ffmpegPath: string, args: readonly string[], options: RunOptions): Promise<FfmpegResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(cameraErrors.stopped());
      return;
    }
    const child = spawnTracked(ffmpegPath, args);
    const chunks: Buffer[] = [];
    let size = 0;
    let stderr = '';
    let failure: Error | undefined;
    let settled = false;
    const maxBytes = options.maxStdoutBytes ?? 32 * 1024 * 1024;

    const kill = (why: Error): void => {
      failure ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(cameraErrors.timeout(options.timeoutMs)), options.timeoutMs);
    const onAbort = (): void => kill(cameraErrors.stopped());
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };

    child.stdout?.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        kill(cameraErrors.badFrame(`more than ${maxBytes} bytes of output`));
        return;
      }
      chunks.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = tail(stderr, chunk);
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      if (settled) return;
      // Spawn failed: there is no process to wait for.
      if (child.pid === undefined) {
        cleanup();
        reject(err.code === 'ENOENT' || err.code === 'EACCES' ? cameraErrors.ffmpegMissing(ffmpegPath) : err);
        return;
      }
      kill(err);
    });
    child.once('close', (code, signal) => {
      if (settled) return;
      cleanup();
      if (failure) reject(failure);
      else resolve({ stdout: Buffer.concat(chunks, size), stderr, code, signal });
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
  });
}

export interface FfmpegStream {
  readonly pid: number | undefined;
  /** Kills ffmpeg (if still running) and resolves once it has exited. */
  stop(): Promise<void>;
  readonly exited: boolean;
}

export interface StreamHandlers {
  onData(chunk: Buffer): void;
  /** Called once when ffmpeg has exited; `spawnError` is set when it never started. */
  onExit(result: {
    code: number | null;
    signal: NodeJS.Signals | null;
    stderr: string;
    stoppedByUs: boolean;
    spawnError?: Error;
  }): void;
}

/** Starts a long-running ffmpeg whose stdout is consumed as it arrives (the live preview). */
export function startFfmpegStream(ffmpegPath: string, args: readonly string[], handlers: StreamHandlers): FfmpegStream {
  const child = spawnTracked(ffmpegPath, args);
  let stderr = '';
  let exited = false;
  let stoppedByUs = false;
  let reported = false;
  const exitWaiters: (() => void)[] = [];
  const finish = (result: Parameters<StreamHandlers['onExit']>[0]): void => {
    exited = true;
    if (!reported) {
      reported = true;
      handlers.onExit(result);
    }
    for (const w of exitWaiters.splice(0)) w();
  };

  child.stdout?.on('data', (chunk: Buffer) => {
    if (!stoppedByUs) handlers.onData(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = tail(stderr, chunk);
  });
  child.once('error', (err: NodeJS.ErrnoException) => {
    if (child.pid === undefined) {
      const spawnError = err.code === 'ENOENT' || err.code === 'EACCES' ? cameraErrors.ffmpegMissing(ffmpegPath) : err;
      // Deferred so the caller has the handle before it hears about the failure.
      queueMicrotask(() => finish({ code: null, signal: null, stderr, stoppedByUs, spawnError }));
      return;
    }
    child.kill('SIGKILL');
  });
  child.once('close', (code, signal) => {
    // A spawn failure is reported by the 'error' handler with its reason.
    if (child.pid !== undefined) finish({ code, signal, stderr, stoppedByUs });
  });

  return {
    pid: child.pid,
    get exited() {
      return exited;
    },
    stop(): Promise<void> {
      if (exited) return Promise.resolve();
      stoppedByUs = true;
      const done = new Promise<void>((resolve) => exitWaiters.push(resolve));
      if (child.pid !== undefined) child.kill('SIGKILL');
      return done;
    },
  };
}
