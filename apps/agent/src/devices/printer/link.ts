import { setTimeout as sleep } from 'node:timers/promises';
import type { Transport } from '@kiosk/transport';
import { CLEAR_RESPONSE, clearBuffers, closingCutOffset, realtimeStatus, transmitPaperStatus } from '@kiosk/protocol-escpos';
import type { EncodedJob } from '@kiosk/protocol-escpos';
import {
  StatusStreamParser,
  decodePaperStatusReply,
  decodePrinterStatus,
  isPaperStatusReply,
  summarizeStatus,
  type AsbStatus,
  type NotReadyReason,
  type PrinterStatusSummary,
  type RawStatus,
  reasonText,
} from '@kiosk/protocol-escpos';

/**
 * The conversation with one printer over a Transport: real-time status requests (one at a
 * time, each with a timeout) and windowed job sending. No database, no polling: the driver and
 * the CLI both build on this.
 */

export interface SendOptions {
  /** Largest write; each is drained before the next (serialport write-stall note). */
  windowBytes: number;
  /** Per status request. */
  statusTimeoutMs: number;
  /** The job ends with GS r 1 and we wait for its reply. */
  processedMarker: boolean;
  /** Longest wait for that reply. */
  jobTimeoutMs: number;
  /** Called after each drained window with the total bytes sent so far. */
  onProgress?: (bytesSent: number) => void;
}

type SendOutcome = 'printed' | 'failed' | 'unknown';

export interface SendResult {
  outcome: SendOutcome;
  /** Why it failed or is unknown. */
  reason?: NotReadyReason | 'writeFailed' | 'noProcessedMarker';
  /** The GS r 1 reply taken as the end-of-job marker, when one arrived. */
  markerReply?: number;
  /** Human-readable detail (zh-CN / English). */
  detail?: string;
  bytesSent: number;
  /** Printing stopped part-way (a half slip may exist). */
  interrupted: boolean;
  /** Status read after the job (or at the point it stopped), when the printer answered. */
  status?: PrinterStatusSummary;
}

interface Waiter {
  resolve: (b: number | undefined) => void;
  timer: NodeJS.Timeout;
}

/** Splits a job into writes of at most `window` bytes that end on command boundaries when possible. */
function planWindows(job: EncodedJob, window: number): { end: number; atBoundary: boolean }[] {
  const out: { end: number; atBoundary: boolean }[] = [];
  const total = job.bytes.length;
  const b = job.boundaries;
  let start = 0;
  let k = 0;
  while (start < total) {
    const limit = start + window;
    while (k < b.length && b[k]! <= start) k++;
    let best = -1;
    let j = k;
    while (j < b.length && b[j]! <= limit) best = b[j++]!;
    if (best > start) {
      out.push({ end: best, atBoundary: true });
      start = best;
    } else {
      // One command bigger than a window (a long QR payload): split it, no status checks inside.
      const end = Math.min(total, limit);
      out.push({ end, atBoundary: b.includes(end) || end === total });
      start = end;
    }
  }
  return out;
}

export class PrinterLink {
  private readonly parser = new StatusStreamParser();
  private realtimeWaiter: Waiter | undefined;
  private markerWaiter: Waiter | undefined;
  private lastAsbStatus: AsbStatus | undefined;
  /** Bytes that answered nothing we asked (line noise, resets, late replies), for logs. */
  private strays = 0;
  /** A pending DLE DC4 fn=8: how much of CLEAR_RESPONSE has arrived. */
  private clearWaiter: { matched: number; finish: (ok: boolean) => void } | undefined;
  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onClose = (): void => {
    this.parser.reset();
    this.realtimeWaiter?.resolve(undefined);
    this.markerWaiter?.resolve(undefined);
    this.clearWaiter?.finish(false);
  };

  constructor(readonly transport: Transport) {
    transport.on('data', this.onData);
    transport.on('close', this.onClose);
  }

  dispose(): void {
    this.transport.off('data', this.onData);
    this.transport.off('close', this.onClose);
    this.onClose();
  }

  /** The last Automatic Status Back block seen (only printers with ASB on send these). */
  get lastAsb(): AsbStatus | undefined {
    return this.lastAsbStatus;
  }

  /** Bytes received so far that were no reply to a pending request. */
  get strayBytes(): number {
    return this.strays;
  }

  private receive(chunk: Buffer): void {
    for (const e of this.parser.push(chunk)) {
      if (e.kind === 'realtime') {
        if (this.realtimeWaiter) this.realtimeWaiter.resolve(e.byte);
        else this.strays++;
      } else if (e.kind === 'other' && this.clearWaiter) {
        const c = this.clearWaiter;
        if (e.byte === CLEAR_RESPONSE[c.matched]) c.matched++;
        else c.matched = e.byte === CLEAR_RESPONSE[0] ? 1 : 0;
        if (c.matched === CLEAR_RESPONSE.length) c.finish(true);
      } else if (e.kind === 'other') {
        // Only a byte that can be a GS r 1 reply answers the end-of-job request; anything else
        // (noise, a reset announcement, a clear response) is no news about the job.
        if (this.markerWaiter && isPaperStatusReply(e.byte)) this.markerWaiter.resolve(e.byte);
        else this.strays++;
      } else if (e.kind === 'asb') this.lastAsbStatus = e.status;
    }
  }

  private wait(slot: 'realtimeWaiter' | 'markerWaiter', timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const w: Waiter = {
        resolve: (b) => {
          if (this[slot] !== w) return;
          clearTimeout(w.timer);
          this[slot] = undefined;
          resolve(b);
        },
        timer: setTimeout(() => w.resolve(undefined), timeoutMs),
      };
      this[slot]?.resolve(undefined);
      this[slot] = w;
    });
  }

  /** One DLE EOT n; undefined when the printer did not answer in time (or the pipe is closed). */
  async queryRealtime(n: 1 | 2 | 3 | 4, timeoutMs: number): Promise<number | undefined> {
    if (!this.transport.isOpen) return undefined;
    const reply = this.wait('realtimeWaiter', timeoutMs);
    try {
      await this.transport.write(realtimeStatus(n));
    } catch {
      this.realtimeWaiter?.resolve(undefined);
    }
    return reply;
  }

  /**
   * DLE EOT 1, 2, 3, 4, each sent only after the previous reply ("subsequent data must not be
   * transmitted until the first status is received"). Stops at the first silence.
   */
  async queryStatus(timeoutMs: number): Promise<PrinterStatusSummary> {
    const raw: RawStatus = {};
    for (const n of [1, 2, 3, 4] as const) {
      const b = await this.queryRealtime(n, timeoutMs);
      if (b === undefined) break;
      raw[n] = b;
    }
    return summarizeStatus(raw);
  }

  /**
   * Sends a job in drained windows. Between windows (only at command boundaries) it asks DLE EOT 1
   * and stops sending as soon as the printer goes offline, so a paper-out leaves at most one
   * window in the printer.
   *
   * A job that ends with GS r 1 goes in two parts: everything before its closing cut, then an
   * extra GS r 1 whose reply says the printer got through that part with paper; only then the
   * cut and the final GS r 1. So a slip that stops part-way never has its cut in the printer's
   * buffer: what the printer still holds prints after a refill as an uncut remainder, which the
   * driver clears (DLE DC4 fn=8) or follows with a VOID mark and the cut (see remainder.ts).
   *
   * "printed" needs all of: each GS r 1 reply (a byte of its pattern, arriving after the request
   * was sent) saying the paper was there, and a DLE EOT read afterwards saying the printer is
   * ready. A paper end in either means the slip stopped part-way (failed, interrupted).
   */
  async sendJob(job: EncodedJob, o: SendOptions): Promise<SendResult> {
    const total = job.bytes.length;
    const cutAt = o.processedMarker ? closingCutOffset(job.bytes, job.boundaries) : -1;
    let sent = 0;
    const parts: { end: number; check: boolean }[] =
      cutAt > 0
        ? [
            { end: cutAt, check: true },
            { end: total, check: false },
          ]
        : [{ end: total, check: false }];

    for (const part of parts) {
      const final = part.end === total;
      const windows = planWindows(
        { bytes: job.bytes.subarray(0, part.end), boundaries: job.boundaries.filter((b) => b <= part.end) },
        o.windowBytes,
      ).filter((w) => w.end > sent);
      let marker: Promise<number | undefined> | undefined;
      for (const [i, w] of windows.entries()) {
        const last = i === windows.length - 1;
        // Armed just before the request goes out: a byte that came earlier cannot be its answer.
        if (last && final && o.processedMarker) marker = this.wait('markerWaiter', o.jobTimeoutMs);
        try {
          await this.transport.write(job.bytes.subarray(sent, w.end));
        } catch (err) {
          this.markerWaiter?.resolve(undefined);
          return {
            outcome: sent === 0 ? 'failed' : 'unknown',
            reason: 'writeFailed',
            detail: `发送中断 / write failed after ${sent} of ${total} bytes: ${(err as Error).message}`,
            bytesSent: sent,
            interrupted: sent > 0,
          };
        }
        sent = w.end;
        o.onProgress?.(sent);
        if (!w.atBoundary || last) continue;
        const b = await this.queryRealtime(1, o.statusTimeoutMs);
        if (b === undefined || decodeSafely(b)?.offline !== false) {
          const status = await this.queryStatus(o.statusTimeoutMs);
          return this.stoppedResult(status, sent, total);
        }
      }
      if (part.check) {
        marker = this.wait('markerWaiter', o.jobTimeoutMs);
        try {
          await this.transport.write(transmitPaperStatus());
        } catch {
          this.markerWaiter?.resolve(undefined);
        }
      }
      if (!marker) continue;
      const reply = await this.awaitMarker(marker, o.statusTimeoutMs);
      const status = await this.queryStatus(o.statusTimeoutMs);
      const withMarker = (r: SendResult): SendResult => (reply === undefined ? r : { ...r, markerReply: reply });
      if (reply !== undefined && decodePaperStatusReply(reply).paperEnd) {
        // The printer got this far with no paper under the head: the slip is incomplete.
        return withMarker(
          this.stoppedResult({ ...status, notReady: status.notReady ?? 'paperOut', paper: 'out' }, sent, total, true),
        );
      }
      if (!status.replied) {
        return withMarker({
          outcome: 'unknown',
          reason: 'noReply',
          detail: reasonDetail('noReply'),
          bytesSent: sent,
          interrupted: !final || reply === undefined,
          status,
        });
      }
      // Not ready right after: whatever answered GS r, the slip cannot be vouched for.
      if (status.notReady) return withMarker(this.stoppedResult(status, sent, total));
      if (reply === undefined) {
        return {
          outcome: 'unknown',
          reason: 'noProcessedMarker',
          detail: '打印机未确认完成 / the printer did not confirm the job was processed',
          bytesSent: sent,
          interrupted: !final,
          status,
        };
      }
      if (final) return withMarker({ outcome: 'printed', bytesSent: sent, interrupted: false, status });
    }
    // No GS r 1 in this profile: the status after the job is all there is.
    const status = await this.queryStatus(o.statusTimeoutMs);
    if (!status.replied) {
      return {
        outcome: 'unknown',
        reason: 'noReply',
        detail: reasonDetail('noReply'),
        bytesSent: sent,
        interrupted: false,
        status,
      };
    }
    if (status.notReady) return this.stoppedResult(status, sent, total);
    return { outcome: 'printed', bytesSent: sent, interrupted: false, status };
  }

  /** Waits for a GS r 1 reply, giving up early when the printer reports offline meanwhile. */
  private async awaitMarker(marker: Promise<number | undefined>, statusTimeoutMs: number): Promise<number | undefined> {
    let done = false;
    let byte: number | undefined;
    void marker.then((b) => {
      byte = b;
      done = true;
    });
    while (!done) {
      await Promise.race([marker, sleep(250)]);
      if (done) break;
      const b = await this.queryRealtime(1, statusTimeoutMs);
      if (done) break;
      if (b === undefined || decodeSafely(b)?.offline !== false) {
        this.markerWaiter?.resolve(undefined);
        break;
      }
    }
    await marker;
    return byte;
  }

  /**
   * DLE DC4 fn=8: the printer drops everything it still holds (receive and print buffers), also
   * while offline. True only when it answered 37 25 00 within the timeout — a printer that does
   * not know the command says nothing, and its buffer must be assumed full.
   */
  async clearBuffers(timeoutMs: number): Promise<boolean> {
    if (!this.transport.isOpen) return false;
    const done = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), timeoutMs);
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        if (this.clearWaiter === w) this.clearWaiter = undefined;
        resolve(ok);
      };
      const w = { matched: 0, finish };
      this.clearWaiter?.finish(false);
      this.clearWaiter = w;
    });
    try {
      await this.transport.write(clearBuffers());
    } catch {
      this.clearWaiter?.finish(false);
    }
    return done;
  }

  private stoppedResult(status: PrinterStatusSummary, sent: number, total: number, replied = status.replied): SendResult {
    const reason = status.notReady ?? 'noReply';
    return {
      outcome: replied ? 'failed' : 'unknown',
      reason,
      detail: `${reasonDetail(reason)} (${sent}/${total} bytes sent)`,
      bytesSent: sent,
      interrupted: true,
      status,
    };
  }
}

function decodeSafely(b: number): { offline: boolean } | undefined {
  try {
    return decodePrinterStatus(b);
  } catch {
    return undefined;
  }
}

const reasonDetail = (r: NotReadyReason): string => reasonText[r];
