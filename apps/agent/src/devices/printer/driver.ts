import { EventEmitter } from 'node:events';
import type { Logger } from '@kiosk/platform';
import { Mutex, silentLogger } from '@kiosk/platform';
import type { ReceiptDocument } from '../../receipts/document.js';
import { renderReceipt } from '../../receipts/render.js';
import type { Db } from '@kiosk/platform';
import type { Transport } from '@kiosk/transport';
import type { DeviceDriver, DeviceStatus } from '@kiosk/contracts/device-status';
import type { EncodedJob } from '@kiosk/protocol-escpos';
import { reasonText, type NotReadyReason, type PrinterStatusSummary } from '@kiosk/protocol-escpos';
import { JobStore, type PrintJob, type StoredJobData } from './jobs.js';
import { PrinterLink, type SendResult } from './link.js';
import type { PrinterProfile } from './profiles/index.js';
import { voidMarkBytes, type Remainder } from './remainder.js';
import { systemGlyphs } from './glyphs/font.js';

export interface PrinterDriverOptions {
  profile: PrinterProfile;
  /**
   * Idle status poll interval (default 1 s): a printer that goes silent or comes back shows so
   * within 2 s (issue 20 item 12). DLE EOT costs 4 bytes each way.
   */
  statusPollMs?: number;
  /** Per DLE EOT request (default 500 ms). */
  statusTimeoutMs?: number;
  writeWindowBytes?: number;
  jobTimeoutMs?: number;
  jobDataRetentionDays?: number;
  logger?: Logger;
}

type PrintOutcome = 'printed' | 'failed' | 'unknown' | 'refused';

/**
 * What the session layer gets back from print(). `refused`: nothing was sent (safe to say "the
 * printer is not available"); `failed`: printing stopped part-way; `unknown`: the printer did not
 * confirm — check the tray, offer a reprint by job id.
 */
export interface PrintResult {
  jobId: number;
  outcome: PrintOutcome;
  reason?: string;
  /** zh-CN / English, for the screen and the maintenance panel. */
  detail?: string;
  /** e.g. `paperLow`. */
  warnings: string[];
  /**
   * Printing stopped part-way (paper end, cover opened, unplugged …): a partial slip may be in
   * the tray and is void. The job is not printed; print the document again (a new job) once the
   * printer is ready. Absent when nothing was interrupted.
   */
  incomplete?: boolean;
  /**
   * With `incomplete`: what became of the part the printer still held. `cleared`: the printer
   * confirmed it dropped it. `voidMarked`: it may print after the refill; the driver then prints
   * a VOID mark and a cut under it before anything else (so it never reaches the next person as
   * a slip).
   */
  remainder?: Remainder;
}

interface PrinterDriverEvents {
  status: [status: DeviceStatus];
  /** A job changed state (for the maintenance panel). */
  job: [job: PrintJob];
}

/** Maps a status read (or its absence) to the shared vocabulary. */
export function toDeviceStatus(s: PrinterStatusSummary | 'noDevice'): DeviceStatus {
  if (s === 'noDevice') {
    return { device: 'noDevice', paper: 'unknown', action: 'maintenance', detail: reasonText.noDevice };
  }
  const extra = {
    coverOpen: s.coverOpen,
    cutterError: s.cutterError,
    unrecoverableError: s.unrecoverableError,
    paperNearEnd: s.paper === 'low',
  };
  const r: NotReadyReason | undefined = s.notReady;
  const base = { paper: s.paper, extra } as const;
  switch (r) {
    case undefined:
      return s.paper === 'low'
        ? { device: 'online', ...base, detail: '打印纸将尽 / paper near end' }
        : { device: 'online', ...base };
    case 'noReply':
      return { device: 'offline', ...base, paper: 'unknown', action: 'reset', detail: reasonText.noReply };
    case 'coverOpen':
    case 'paperOut':
      return { device: 'userError', ...base, action: 'clear', detail: reasonText[r] };
    case 'cutterError':
    case 'unrecoverableError':
      return { device: 'hardwareError', ...base, action: 'maintenance', detail: reasonText[r] };
    case 'recoverableError':
      return { device: 'hardwareError', ...base, action: 'reset', detail: reasonText[r] };
    case 'autoRecoverableError':
      return { device: 'hardwareError', ...base, action: 'suspend', detail: reasonText[r] };
    default:
      return { device: 'offline', ...base, action: 'reset', detail: reasonText[r] };
  }
}

class PrintJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrintJobError';
  }
}

/**
 * The receipt printer: status before every job (DLE EOT 1..4, no reply = not OK), jobs persisted
 * before sending and sent in drained windows, checked afterwards, idle status polling. One
 * conversation with the printer at a time.
 */
export class PrinterDriver extends EventEmitter<PrinterDriverEvents> implements DeviceDriver {
  readonly kind = 'printer';
  readonly profile: PrinterProfile;
  readonly jobsStore: JobStore;
  private readonly link: PrinterLink;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly windowBytes: number;
  private readonly jobTimeoutMs: number;
  private readonly retentionDays: number;
  private current: DeviceStatus = { device: 'starting', paper: 'unknown' };
  private summary: PrinterStatusSummary | undefined;
  private readonly lock = new Mutex();
  private busy = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** A job stopped part-way and the printer may still hold its remainder. See voidRemainder(). */
  private ejectPending = false;
  private readonly onOpen = (): void => {
    this.log.info({ transport: this.transport.description }, 'printer connected');
    this.schedulePoll(0);
  };
  private readonly onClose = (err?: Error): void => {
    if (!this.running) return;
    this.log.warn({ transport: this.transport.description, err: err?.message }, 'printer disconnected');
    this.summary = undefined;
    this.setStatus(toDeviceStatus('noDevice'));
  };

  constructor(
    readonly transport: Transport,
    db: Db,
    options: PrinterDriverOptions,
  ) {
    super();
    this.profile = options.profile;
    this.jobsStore = new JobStore(db);
    this.link = new PrinterLink(transport);
    this.log = options.logger ?? silentLogger();
    this.pollMs = options.statusPollMs ?? 1000;
    this.timeoutMs = options.statusTimeoutMs ?? 500;
    this.windowBytes = options.writeWindowBytes ?? 1024;
    this.jobTimeoutMs = options.jobTimeoutMs ?? 20_000;
    this.retentionDays = options.jobDataRetentionDays ?? 7;
  }

  status(): DeviceStatus {
    return this.current;
  }

  /** The last full status read (every bit), for the maintenance panel and the CLI. */
  lastStatusRead(): PrinterStatusSummary | undefined {
    return this.summary;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const recovered = this.jobsStore.recover();
    if (recovered.failed.length || recovered.unknown.length) {
      this.log.warn(recovered, 'print jobs left over from before the restart; not re-sent');
    }
    // Found once now (fc-match runs synchronously) rather than in the middle of a citizen's print.
    const glyphs = systemGlyphs();
    if (glyphs) this.log.info({ font: glyphs.description }, 'glyph images for characters outside the printer font');
    else this.log.warn('no CJK font found (install fonts-noto-cjk): characters outside the printer font cannot print');
    const purged = this.jobsStore.purgeData(this.retentionDays);
    if (purged) this.log.info({ purged }, 'erased bytes of old print jobs');
    this.transport.on('open', this.onOpen);
    this.transport.on('close', this.onClose);
    try {
      await this.transport.open();
    } catch (err) {
      // A reconnecting transport keeps trying; until then the printer is not there.
      this.log.warn({ transport: this.transport.description, err: (err as Error).message }, 'printer not available');
      this.setStatus(toDeviceStatus('noDevice'));
    }
    if (this.transport.isOpen && !this.pollTimer) this.schedulePoll(0);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    await this.lock.settled();
    this.transport.off('open', this.onOpen);
    this.transport.off('close', this.onClose);
    this.link.dispose();
    await this.transport.close();
  }

  /** Reads the status now (waits for a running job to finish first). */
  refreshStatus(): Promise<DeviceStatus> {
    return this.exclusive(async () => {
      await this.readStatus();
      return this.current;
    });
  }

  /** Renders and prints a document. Throws ReceiptRenderError for a document that cannot print. */
  async print(doc: ReceiptDocument): Promise<PrintResult> {
    const rendered = renderReceipt(doc, this.profile);
    const data: StoredJobData = {
      bytes: rendered.bytes,
      boundaries: rendered.boundaries,
      processedMarker: rendered.processedMarker,
    };
    const job = this.jobsStore.create({ kind: doc.kind, ref: doc.ref ?? null, profile: this.profile.name, data });
    this.emit('job', job);
    return this.exclusive(() => this.run(job, data, rendered.warnings));
  }

  /** Prints a stored job again as a new job (explicit operator or citizen action only). */
  async reprint(jobId: number): Promise<PrintResult> {
    const original = this.jobsStore.get(jobId);
    if (!original) throw new PrintJobError(`打印任务 ${jobId} 不存在 / print job ${jobId} does not exist`);
    const data = this.jobsStore.data(jobId);
    if (!data)
      throw new PrintJobError(
        `打印任务 ${jobId} 的内容已清除，无法补打 / job ${jobId} data was erased (retention); cannot reprint`,
      );
    if (original.profile !== this.profile.name) {
      throw new PrintJobError(`job ${jobId} was rendered for ${original.profile}, this printer is ${this.profile.name}`);
    }
    const job = this.jobsStore.create({
      kind: original.kind,
      ref: original.ref,
      profile: original.profile,
      data,
      reprintOf: jobId,
    });
    this.emit('job', job);
    return this.exclusive(() => this.run(job, data, []));
  }

  job(id: number): PrintJob | undefined {
    return this.jobsStore.get(id);
  }

  jobs(limit = 20): PrintJob[] {
    return this.jobsStore.list(limit);
  }

  lastJob(): PrintJob | undefined {
    return this.jobsStore.last();
  }

  // ------------------------------------------------------------------ internals

  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      this.busy = true;
      try {
        return await f();
      } finally {
        this.busy = false;
      }
    });
  }

  private setStatus(s: DeviceStatus): void {
    if (JSON.stringify(s) === JSON.stringify(this.current)) return;
    this.current = s;
    this.log.info({ status: s }, 'printer status');
    this.emit('status', s);
  }

  private absorb(summary: PrinterStatusSummary | undefined): void {
    if (!summary) return;
    this.summary = summary;
    this.setStatus(this.transport.isOpen ? toDeviceStatus(summary) : toDeviceStatus('noDevice'));
  }

  private async readStatus(): Promise<PrinterStatusSummary | undefined> {
    if (!this.transport.isOpen) {
      this.setStatus(toDeviceStatus('noDevice'));
      return undefined;
    }
    const s = await this.link.queryStatus(this.timeoutMs);
    this.absorb(s);
    if (!s.notReady && this.ejectPending) await this.voidRemainder();
    return s;
  }

  /**
   * After a job stopped part-way, a printer that could not clear its buffer prints the remainder
   * as soon as it is back. Right behind it (same piece of paper, before any other job) comes the
   * VOID mark and the cut. The interrupted job itself is never re-sent.
   */
  private async voidRemainder(): Promise<void> {
    try {
      await this.transport.write(voidMarkBytes(this.profile));
      this.ejectPending = false;
      this.log.info('marked the remainder of an interrupted slip void');
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not mark the remainder of an interrupted slip void');
    }
  }

  /** Right after an interrupted job: ask the printer to drop what it holds, where it can. */
  private async settleRemainder(): Promise<Remainder> {
    if (this.profile.status.realtimeClear && (await this.link.clearBuffers(this.timeoutMs))) {
      this.ejectPending = false;
      this.log.info('printer cleared the remainder of an interrupted slip (DLE DC4 fn=8)');
      return 'cleared';
    }
    this.ejectPending = true;
    return 'voidMarked';
  }

  private schedulePoll(delay: number): void {
    if (!this.running) return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => {
      this.pollTimer = undefined;
      void this.pollOnce().finally(() => this.schedulePoll(this.pollMs));
    }, delay);
    this.pollTimer.unref();
  }

  private async pollOnce(): Promise<void> {
    if (this.busy) return; // a job reads status itself
    try {
      await this.exclusive(() => this.readStatus());
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'status poll failed');
    }
  }

  private finish(job: PrintJob, result: PrintResult): PrintResult {
    this.emit('job', this.jobsStore.get(job.id) ?? job);
    this.log.info(
      { jobId: job.id, kind: job.kind, outcome: result.outcome, reason: result.reason, strayBytes: this.link.strayBytes },
      'print job finished',
    );
    return result;
  }

  private async run(job: PrintJob, data: StoredJobData, renderWarnings: string[]): Promise<PrintResult> {
    const warnings = [...renderWarnings];
    const refuse = (reason: NotReadyReason): PrintResult => {
      const detail = reasonText[reason];
      this.jobsStore.setState(job.id, 'refused', { reason, detail, warnings });
      return this.finish(job, { jobId: job.id, outcome: 'refused', reason, detail, warnings });
    };

    if (!this.transport.isOpen) {
      this.setStatus(toDeviceStatus('noDevice'));
      return refuse('noDevice');
    }
    if (!this.profile.status.realtime) return refuse('noReply');
    const before = await this.link.queryStatus(this.timeoutMs);
    this.absorb(before);
    if (!this.transport.isOpen) return refuse('noDevice');
    if (before.notReady) return refuse(before.notReady);
    if (before.paper === 'low') warnings.push('paperLow');
    if (this.ejectPending) await this.voidRemainder();

    this.jobsStore.setState(job.id, 'sending', { warnings });
    this.emit('job', this.jobsStore.get(job.id)!);
    const encoded: EncodedJob = { bytes: data.bytes, boundaries: data.boundaries };
    let markedChecking = false;
    const result: SendResult = await this.link.sendJob(encoded, {
      windowBytes: this.windowBytes,
      statusTimeoutMs: this.timeoutMs,
      processedMarker: data.processedMarker,
      jobTimeoutMs: this.jobTimeoutMs,
      onProgress: (sent) => {
        if (sent === data.bytes.length && !markedChecking) {
          markedChecking = true;
          this.jobsStore.setState(job.id, 'checking', { bytesSent: sent });
        }
      },
    });
    if (result.status) this.absorb(result.status);
    if (!this.transport.isOpen) this.setStatus(toDeviceStatus('noDevice'));
    const remainder = result.interrupted && result.bytesSent > 0 ? await this.settleRemainder() : undefined;
    if (result.outcome === 'printed' && result.status?.paper === 'low' && !warnings.includes('paperLow'))
      warnings.push('paperLow');
    if (result.outcome === 'printed' && result.status?.paper === 'out') warnings.push('paperOut');
    const update = { bytesSent: result.bytesSent, warnings, reason: result.reason ?? null, detail: result.detail ?? null };
    this.jobsStore.setState(job.id, result.outcome, update);
    const out: PrintResult = { jobId: job.id, outcome: result.outcome, warnings };
    if (result.interrupted && result.outcome !== 'printed') out.incomplete = true;
    if (remainder) out.remainder = remainder;
    if (result.reason) out.reason = result.reason;
    if (result.detail) out.detail = result.detail;
    return this.finish(job, out);
  }
}
