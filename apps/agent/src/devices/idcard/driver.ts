/**
 * ID card reader driver (SAM frame protocol over any Transport).
 *
 * Life cycle: open → probe (SAM status 11 FF, SAM ID 12 FF) → poll find-card (20 01) every
 * `pollIntervalMs` → on 9F: select (20 02) → read (30 01, or 30 10 with fingerprints) → decode.
 *
 * Card presence comes from find, which every reader answers. A card that was read does not
 * answer find again until it has left the field (reference §2.2), so while it lies there find
 * answers 80 and nothing happens; the next 9F is a new placement (a new card, or the same card
 * lifted and put back): the previous card is reported removed, the new one read. Each placement
 * is read exactly once. Readers that find a read card again while it lies there are handled too:
 * a 9F with no "no card" answer since the read is read quietly and counts only if it is a
 * different card (compared by a digest of the read data).
 *
 * Presence of a read card (`cardPresence()`, event `cardPresence`) has three values: `present`,
 * `absent` and `unknown`. Find cannot see a read card leave (it answers 80 whether the card lies
 * there or not), so after a read the driver says `present` only on a positive signal:
 * - `30 05` (card management number) answering 90 on a reader that has shown it answers 90 while
 *   a read card lies there. It is asked once after a card's read on a reader not yet learnt; a
 *   reader that stays silent or rejects it (21) is never asked again, one that answers something
 *   else on three cards neither. It is only ever a confirmation: any answer other than 90 (91/24/41
 *   with the card in place happen, reference §2.1/§9) makes presence `unknown`, never `absent`,
 *   and its timeouts do not count towards "reader offline".
 * - The same card found again by a reader that finds read cards while they lie there.
 * `absent` comes from find answering 9F with a new placement (the read card was lifted or
 * replaced: `cardRemoved`), a failed read that needs the card re-placed, or the reader unplugged.
 * `readerConfirms` in the event says whether the reader gives such a signal at all: `unknown` on
 * a reader that confirms means it stopped confirming (most likely the card was taken); on one
 * that does not, the driver cannot tell.
 *
 * Failed reads. While the card stays in the field (find answers 9F again) select and read are
 * retried for up to `readRetryBudgetMs` (a card still sliding in answers select 81 / read 41).
 * When the budget is spent, or the card leaves (find 80), the driver emits `error`
 * (willRetry: true) and `cardRemoved`, and reads again when the card is found again. A second
 * failed placement is final (willRetry: false; waitForCard rejects). A lost or damaged reply to
 * the read command itself is re-requested once at once.
 *
 * Damaged bytes never throw a good reply away: the parser resyncs one byte after a bad checksum
 * and finds a valid frame behind a truncated stale one; a request fails as `badFrame` only when
 * no acceptable reply follows a damaged frame within the wire time of one reply.
 *
 * Every request has a timeout; `unresponsiveAfter` timeouts in a row make the status offline.
 * Unplugging shows up as a transport close: offline at once, and ReconnectingTransport brings it
 * back. Events and logs never carry names or numbers.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { DeviceDriver, DeviceEvents, DeviceStatus } from '@kiosk/contracts/device-status';
import type { Transport } from '@kiosk/transport';
import { ReconnectingTransport } from '@kiosk/transport';
import { SerialTransport } from '@kiosk/transport';
import { HidTransport } from '@kiosk/transport';
import { TcpTransport } from '@kiosk/transport';
import { resolvePath } from '@kiosk/kiosk-config';
import type { KioskConfig } from '@kiosk/kiosk-config';
import { IdCardError } from './errors.js';
import {
  cannotOpenStatus,
  listenAndOpen,
  listenToPort,
  portClosedStatus,
  releasePort,
  openingStatus,
  type PortListeners,
} from '../driver-port.js';
import { createResponseParser } from '@kiosk/protocol-sam';
import type { ResponseFrame } from '@kiosk/protocol-sam';
import { commands, decodeReadBase, decodeReadFull, decodeSamId, type ReadFullData, type SamCommand } from '@kiosk/protocol-sam';
import { SW3, describeSw3 } from '@kiosk/protocol-sam';
import { decodeText, isExpired, type DecodedCard } from '@kiosk/protocol-sam';
// The kiosk's local date (China, UTC+8) decides expiry; one helper for China time project-wide.
import { chinaDate, Mutex } from '@kiosk/platform';

import { silentDriverLogger, type DriverLogger } from '../driver-logger.js';

export { IdCardError } from './errors.js';

export interface DecodedPhoto {
  mime: string;
  data: Buffer;
}

/**
 * Turns the 1024-byte WLT block into an image. Decoding WLT needs a licensed vendor library
 * (reference §4), so the default is none and the UI shows a placeholder.
 */
export type PhotoDecoder = (wlt: Buffer) => Promise<DecodedPhoto | null>;

export interface CardReadEvent {
  card: DecodedCard;
  photo: { format: 'wlt'; bytes: number; wlt: Buffer; image: DecodedPhoto | null };
  /** Fingerprint templates when read with 30 10, else null. */
  fingerprint: Buffer | null;
  expired: boolean;
  /** 1, or 2 when this is the retry after the card was re-placed. */
  attempt: number;
  readAt: Date;
}

/** What the driver knows about a card on the reader (see the file comment). */
export type CardPresence = 'absent' | 'present' | 'unknown';

export interface CardPresenceInfo {
  presence: CardPresence;
  /**
   * The reader has shown it can confirm a read card lying on it (30 05 answered 90, or it found
   * the same card again). False: it cannot tell (or has not shown it yet).
   */
  readerConfirms: boolean;
}

export interface IdCardDriverEvents extends DeviceEvents {
  cardInserted: [];
  /** Presence changed (also on a change of `readerConfirms`); emitted after cardInserted/cardRead/cardRemoved. */
  cardPresence: [info: CardPresenceInfo];
  cardRead: [event: CardReadEvent];
  /** The card left the field, or must be re-placed after a failed read. */
  cardRemoved: [];
  error: [error: IdCardError];
}

export interface IdCardDriverOptions {
  transport: Transport;
  pollIntervalMs?: number;
  /** Timeout of read commands (plus wire time at `baudRate`). */
  requestTimeoutMs?: number;
  /** Timeout of short commands; default min(requestTimeoutMs, 1000). */
  shortTimeoutMs?: number;
  /** Line rate, used to allow for wire time in timeouts. */
  baudRate?: number;
  /** Read with 30 10 (text + photo + fingerprints) instead of 30 01. */
  readFingerprint?: boolean;
  photoDecoder?: PhotoDecoder | null;
  logger?: DriverLogger;
  /** Consecutive timeouts before the status turns offline. */
  unresponsiveAfter?: number;
  /** Delay between probes while the SAM is faulty or the reader silent. */
  probeRetryMs?: number;
  /** A re-placed card within this window counts as the retry of a failed read. */
  retryWindowMs?: number;
  /** How long select/read are retried while the card stays in the field (default 3000 ms). */
  readRetryBudgetMs?: number;
  now?: () => Date;
}

export interface WaitForCardOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Pending {
  cmd: SamCommand;
  resolve: (frame: ResponseFrame) => void;
  reject: (err: Error) => void;
  /** A damaged frame arrived: fail unless an acceptable reply follows soon. */
  damaged: (message: string) => void;
}

interface Waiter {
  resolve: (e: CardReadEvent) => void;
  reject: (e: Error) => void;
}

type Presence = 'none' | 'reading' | 'read' | 'awaitingReplace';

const expectedDataBytes: Partial<Record<SamCommand['name'], number>> = {
  resetSam: 0,
  samStatus: 0,
  samId: 16,
  findCard: 4,
  selectCard: 8,
  readBase: 4 + 256 + 1024,
  readNewestAddress: 70,
  setBaudRate: 0,
  setMaxRfBytes: 0,
};

function digestOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('base64');
}

function sw3Hex(sw3: number): string {
  return sw3.toString(16).toUpperCase().padStart(2, '0');
}

export class IdCardDriver extends EventEmitter<IdCardDriverEvents> implements DeviceDriver {
  readonly kind = 'idcard';
  readonly transport: Transport;
  private readonly pollIntervalMs: number;
  private readonly requestTimeoutMs: number;
  private readonly shortTimeoutMs: number;
  private readonly baudRate: number;
  private readonly readFingerprint: boolean;
  private readonly photoDecoder: PhotoDecoder | null;
  private readonly log: DriverLogger;
  private readonly unresponsiveAfter: number;
  private readonly probeRetryMs: number;
  private readonly retryWindowMs: number;
  private readonly readRetryBudgetMs: number;
  private readonly now: () => Date;

  private current: DeviceStatus = { device: 'offline', detail: 'not started' };
  private readonly parser = createResponseParser();
  private running = false;
  private everOpened = false;
  private probed = false;
  private samId: string | null = null;
  private presence: Presence = 'none';
  private failedAt = 0;
  /** Digest of the last read's data (never the data itself), to recognise a card still lying there. */
  private lastReadDigest: string | null = null;
  /** Find answered "no card" since the last read. */
  private emptyFindSinceRead = true;
  private presenceInfo: CardPresenceInfo = { presence: 'absent', readerConfirms: false };
  /** Does this reader answer 30 05 with 90 while a read card lies there? null: not learnt yet. */
  private managementConfirms: boolean | null = null;
  /** Cards on which a reader not yet learnt did not confirm with 30 05. */
  private managementMisses = 0;
  /** Ask 30 05 about the card that was read (reset per card). */
  private askManagement = false;
  /** The reader found a read card again while it lay there (refindsReadCard). */
  private refindsReadCards = false;
  private consecutiveTimeouts = 0;
  private pending: Pending | undefined;
  private readonly lock = new Mutex();
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly waiters = new Set<Waiter>();

  private readonly onData = (chunk: Buffer): void => this.receive(chunk);
  private readonly onOpen = (): void => {
    this.everOpened = true;
    this.probed = false;
    this.consecutiveTimeouts = 0;
    this.parser.reset();
    // A reconnect may bring another reader: learn its presence signals again.
    this.managementConfirms = null;
    this.managementMisses = 0;
    this.refindsReadCards = false;
    if (this.running) this.setStatus({ device: 'starting', detail: 'probing the reader' });
    this.wake();
  };
  private readonly onClose = (error?: Error): void => {
    this.probed = false;
    this.parser.reset();
    this.pending?.reject(new IdCardError('transport', '读卡器已断开', `reader disconnected${error ? `: ${error.message}` : ''}`));
    if (this.presence !== 'none' && this.presence !== 'awaitingReplace') this.cardGone();
    this.lastReadDigest = null;
    if (this.running) {
      this.setStatus({ ...portClosedStatus('reader', error), extra: { samId: this.samId } });
    }
    this.wake();
  };
  private readonly port: PortListeners = { data: this.onData, open: this.onOpen, close: this.onClose };

  constructor(options: IdCardDriverOptions) {
    super();
    this.transport = options.transport;
    this.pollIntervalMs = options.pollIntervalMs ?? 300;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 3000;
    // Find/select answer within tens of ms (reference §5); 500 ms tells a silent reader within 2 s.
    this.shortTimeoutMs = options.shortTimeoutMs ?? Math.min(this.requestTimeoutMs, 500);
    this.baudRate = options.baudRate ?? 115200;
    this.readFingerprint = options.readFingerprint ?? false;
    this.photoDecoder = options.photoDecoder ?? null;
    this.log = options.logger ?? silentDriverLogger;
    this.unresponsiveAfter = options.unresponsiveAfter ?? 2;
    this.probeRetryMs = options.probeRetryMs ?? Math.max(this.pollIntervalMs, 1000);
    this.retryWindowMs = options.retryWindowMs ?? 60_000;
    this.readRetryBudgetMs = options.readRetryBudgetMs ?? 3000;
    this.now = options.now ?? (() => new Date());
  }

  status(): DeviceStatus {
    return this.current;
  }

  /** What the driver knows about the card on the reader now (see the file comment). */
  cardPresence(): CardPresenceInfo {
    return { ...this.presenceInfo };
  }

  /** SAM ID from the last probe, e.g. `05.01-20101129-0001228293-0296863149`. */
  get lastSamId(): string | null {
    return this.samId;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.setStatus(openingStatus(this.transport));
    if (this.transport.isOpen) {
      listenToPort(this.transport, this.port);
      this.everOpened = true;
    } else {
      const failed = await listenAndOpen(this.transport, this.port);
      // ReconnectingTransport keeps trying; its 'open' event wakes the loop.
      if (failed) this.setStatus(cannotOpenStatus(this.transport, failed, this.everOpened ? 'offline' : 'noDevice'));
    }
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake();
    this.pending?.reject(new IdCardError('stopped', '读卡器已停止', 'driver stopped'));
    await this.loopDone;
    await releasePort(this.transport, this.port);
    for (const w of this.waiters) w.reject(new IdCardError('stopped', '读卡器已停止', 'driver stopped'));
    this.waiters.clear();
    this.setStatus({ device: 'offline', detail: 'stopped' });
  }

  /** Resolves with the next card read; rejects on timeout, final read failure or stop. */
  waitForCard(options: WaitForCardOptions = {}): Promise<CardReadEvent> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(waiter);
      };
      const waiter: Waiter = {
        resolve: (e) => {
          cleanup();
          resolve(e);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = (): void => waiter.reject(new IdCardError('stopped', '已取消', 'waiting for a card was cancelled'));
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () => waiter.reject(new IdCardError('noCard', '未检测到身份证', `no card within ${options.timeoutMs} ms`)),
          options.timeoutMs,
        );
      }
      this.waiters.add(waiter);
    });
  }

  /** Reads the SAM ID now (between polls). */
  readSamId(): Promise<string> {
    return this.exclusive(async () => {
      const r = await this.request(commands.samId);
      if (r.sw3 !== SW3.SUCCESS) throw IdCardError.fromSw3('sam', r.sw3);
      const id = decodeSamId(r.data);
      if (!id.ok) throw new IdCardError('badFrame', 'SAM 编号格式错误', id.error.message);
      this.samId = id.value;
      return id.value;
    });
  }

  // ---- loop ------------------------------------------------------------------------------------

  private async loop(): Promise<void> {
    while (this.running) {
      if (!this.transport.isOpen) {
        await this.pause(null);
        continue;
      }
      let delay = this.pollIntervalMs;
      try {
        await this.exclusive(() => (this.probed ? this.poll() : this.probe()));
        if (!this.probed) delay = this.probeRetryMs;
      } catch (err) {
        delay = this.handleLoopError(err);
      }
      if (this.running) await this.pause(delay);
    }
  }

  private handleLoopError(err: unknown): number {
    if (!(err instanceof IdCardError)) {
      this.log.error({ err: String(err) }, 'idcard driver fault');
      return this.probeRetryMs;
    }
    switch (err.code) {
      case 'sam':
        this.probed = false;
        if (this.current.device !== 'hardwareError') {
          this.log.warn({ sw3: err.sw3 }, 'SAM fault');
          this.emitError(err);
        }
        this.setStatus({
          device: 'hardwareError',
          action: 'maintenance',
          detail: `${err.message}; ${err.zh}`,
          extra: { samId: this.samId },
        });
        return this.probeRetryMs;
      case 'timeout':
        return this.probed ? this.pollIntervalMs : this.probeRetryMs;
      case 'transport':
      case 'stopped':
        return this.pollIntervalMs;
      default:
        this.log.debug({ code: err.code, msg: err.message }, 'poll failed');
        return this.pollIntervalMs;
    }
  }

  private async probe(): Promise<void> {
    const st = await this.request(commands.samStatus);
    this.checkSam(st);
    if (st.sw3 !== SW3.SUCCESS) {
      throw IdCardError.fromSw3('sam', st.sw3);
    }
    const id = await this.request(commands.samId);
    this.checkSam(id);
    if (id.sw3 === SW3.SUCCESS) {
      const decoded = decodeSamId(id.data);
      if (decoded.ok) this.samId = decoded.value;
    }
    this.probed = true;
    this.log.info({ samId: this.samId, transport: this.transport.description }, 'ID card reader ready');
    this.setStatus({ device: 'online', extra: { samId: this.samId } });
  }

  private checkSam(r: ResponseFrame): void {
    if (describeSw3(r.sw3).category === 'sam') throw IdCardError.fromSw3('sam', r.sw3);
  }

  private async poll(): Promise<void> {
    const found = await this.request(commands.findCard);
    this.checkSam(found);
    if (found.sw3 !== SW3.FIND_SUCCESS) {
      // 80 also while a read card still lies on the reader: not a removal, and not a new card.
      if (found.sw3 !== SW3.FIND_FAILED) this.log.debug({ sw3: sw3Hex(found.sw3) }, 'find card answered');
      this.emptyFindSinceRead = true;
      if (this.presence === 'read') await this.confirmReadCard();
      return;
    }
    if (this.presence === 'read') {
      // Some readers find a read card again while it lies there (they wake halted cards); unless
      // find said "no card" since the read, look before calling it a new placement.
      if (!this.emptyFindSinceRead) {
        await this.recheckReadCard();
        return;
      }
      // A read card answers find only after it has left the field: it was lifted (and this is it
      // again, or the next card).
      this.cardGone();
    }
    const retry = this.presence === 'awaitingReplace' && Date.now() - this.failedAt <= this.retryWindowMs;
    this.cardFound();
    await this.readCard(retry ? 2 : 1);
  }

  private cardFound(): void {
    this.presence = 'reading';
    this.emit('cardInserted');
    this.setPresence('present');
  }

  private cardGone(): void {
    this.presence = 'none';
    this.lastReadDigest = null;
    this.askManagement = false;
    this.emit('cardRemoved');
    this.setPresence('absent');
  }

  private readerConfirms(): boolean {
    return this.managementConfirms === true || this.refindsReadCards;
  }

  private setPresence(presence: CardPresence): void {
    const next: CardPresenceInfo = { presence, readerConfirms: this.readerConfirms() };
    if (next.presence === this.presenceInfo.presence && next.readerConfirms === this.presenceInfo.readerConfirms) return;
    this.presenceInfo = next;
    this.log.debug({ ...next }, 'card presence');
    this.emit('cardPresence', { ...next });
  }

  /**
   * Find said "no card" while a read card may still lie there: ask 30 05 where it can confirm
   * (reference §2.2 / S18: a card read in this field answers it). Only 90 is a confirmation; any
   * other answer, or none, is "not confirmed" — never "removed".
   */
  private async confirmReadCard(): Promise<void> {
    if (this.managementConfirms === false || !this.askManagement) {
      this.setPresence('unknown');
      return;
    }
    let r: ResponseFrame;
    try {
      r = await this.request(commands.readManagementNumber, { timeoutMs: this.shortTimeoutMs + 50, optional: true });
    } catch (err) {
      if (!(err instanceof IdCardError) || err.code === 'transport' || err.code === 'stopped') throw err;
      // No (usable) answer: a reader that does not know the command stays silent. Not asked again.
      this.askManagement = false;
      if (this.managementConfirms === null && err.code === 'timeout') this.learnManagement(false);
      this.setPresence('unknown');
      return;
    }
    this.checkSam(r);
    if (r.sw3 === SW3.SUCCESS) {
      this.learnManagement(true);
      this.setPresence('present');
      return;
    }
    if (this.managementConfirms === null) {
      // 21: the reader does not know 30 05. Others (91/24/41) may be a card that was taken, or a
      // reader that answers it only right after a read: ask no more about this card.
      this.askManagement = false;
      if (r.sw3 === SW3.BAD_COMMAND) this.learnManagement(false);
      else if (++this.managementMisses >= 3) this.learnManagement(false);
    }
    this.log.debug({ sw3: sw3Hex(r.sw3) }, 'read card not confirmed by 30 05');
    this.setPresence('unknown');
  }

  private learnManagement(confirms: boolean): void {
    if (this.managementConfirms === confirms) return;
    this.managementConfirms = confirms;
    this.log.info(
      { confirms },
      confirms
        ? 'reader confirms a read card with 30 05'
        : 'reader does not confirm a read card with 30 05; presence after a read is unknown',
    );
  }

  /**
   * Find answered 9F again with no "no card" since the last read: the same card still lying on a
   * reader that does not halt it, or a swap faster than one poll. Read quietly; only a different
   * card is a placement (read once, like any other).
   */
  private async recheckReadCard(): Promise<void> {
    let r: ResponseFrame;
    try {
      r = await this.selectAndRead();
    } catch (err) {
      if (err instanceof IdCardError && (err.code === 'transport' || err.code === 'stopped' || err.code === 'sam')) throw err;
      if (err instanceof IdCardError && err.code === 'readFailed') {
        // The card in the field refused select/read: a card the reader halted would not have
        // answered find, so this is most likely a new card (a fast swap). Treat it as a placement,
        // so whoever waits for a card hears about it and its failure instead of nothing.
        this.cardGone();
        this.cardFound();
        await this.readCard(1);
      }
      return; // a lost or damaged reply says nothing; the next poll looks again
    }
    if (digestOf(r.data) === this.lastReadDigest) {
      // The same card, found again where it lies: a positive sign of presence.
      this.refindsReadCards = true;
      this.setPresence('present');
      return;
    }
    this.cardGone();
    this.cardFound();
    let decoded: ReturnType<IdCardDriver['decodeRead']>;
    try {
      decoded = this.decodeRead(r);
    } catch {
      await this.readCard(1); // the normal path, with its retries and error events
      return;
    }
    await this.delivered(decoded, 1, 1, digestOf(r.data));
  }

  /** Select + read once; throws IdCardError. A lost reply to the read itself is asked for again at once. */
  private async selectAndRead(): Promise<ResponseFrame> {
    const sel = await this.request(commands.selectCard);
    this.checkSam(sel);
    if (sel.sw3 !== SW3.SUCCESS) throw IdCardError.fromSw3('readFailed', sel.sw3);
    const cmd = this.readFingerprint ? commands.readBaseWithFingerprint : commands.readBase;
    let r: ResponseFrame;
    try {
      r = await this.request(cmd);
    } catch (err) {
      if (!(err instanceof IdCardError) || (err.code !== 'timeout' && err.code !== 'badFrame')) throw err;
      this.log.debug({ code: err.code }, 'read reply lost; asking again');
      r = await this.request(cmd);
    }
    this.checkSam(r);
    if (r.sw3 !== SW3.SUCCESS) throw IdCardError.fromSw3('readFailed', r.sw3);
    return r;
  }

  private decodeRead(r: ResponseFrame): { card: DecodedCard; photo: Buffer; fingerprint: Buffer | null } {
    const blocks = this.readFingerprint ? decodeReadFull(r.data) : decodeReadBase(r.data);
    if (!blocks.ok) throw new IdCardError('decode', '证件数据格式错误', blocks.error.message);
    const text = decodeText(blocks.value.text);
    if (!text.ok) throw new IdCardError('decode', '证件文字信息格式错误', text.error.message);
    const fingerprint = 'fingerprint' in blocks.value ? (blocks.value as ReadFullData).fingerprint : null;
    return { card: text.value, photo: blocks.value.photo, fingerprint };
  }

  /**
   * Reads the card just found. Card errors are retried while the card stays in the field and the
   * budget lasts; "stays" = find answers 9F again (a card that failed select/read is not halted).
   */
  private async readCard(attempt: number): Promise<void> {
    const deadline = Date.now() + this.readRetryBudgetMs;
    const retryDelayMs = Math.min(this.pollIntervalMs, 200);
    let tries = 0;
    let failure: IdCardError;
    for (;;) {
      tries += 1;
      try {
        const r = await this.selectAndRead();
        await this.delivered(this.decodeRead(r), attempt, tries, digestOf(r.data));
        return;
      } catch (err) {
        if (err instanceof IdCardError && (err.code === 'transport' || err.code === 'stopped')) throw err;
        if (err instanceof IdCardError && err.code === 'sam') return this.samFailedDuringRead(err);
        failure = err instanceof IdCardError ? err : new IdCardError('readFailed', '读卡失败', `read failed: ${String(err)}`);
      }
      if (Date.now() + retryDelayMs >= deadline || !this.running) break;
      this.log.debug({ code: failure.code, sw3: failure.sw3, tries }, 'card read failed; retrying while the card stays');
      await this.pause(retryDelayMs);
      if (!this.running) throw new IdCardError('stopped', '读卡器已停止', 'driver stopped');
      let still: ResponseFrame;
      try {
        still = await this.request(commands.findCard);
        this.checkSam(still);
      } catch (err) {
        if (err instanceof IdCardError && err.code === 'sam') return this.samFailedDuringRead(err);
        if (err instanceof IdCardError && (err.code === 'transport' || err.code === 'stopped')) throw err;
        continue; // a lost find reply says nothing about the card; try select again
      }
      if (still.sw3 !== SW3.FIND_SUCCESS) {
        this.log.debug({ sw3: sw3Hex(still.sw3), tries }, 'card left the field during the read');
        break;
      }
    }
    const final = attempt >= 2;
    const e = failure.withRetry(!final);
    this.log.warn({ code: e.code, sw3: e.sw3, attempt, tries, willRetry: !final }, 'card read failed');
    this.emitError(e);
    this.presence = final ? 'none' : 'awaitingReplace';
    this.failedAt = final ? 0 : Date.now();
    this.emit('cardRemoved');
    this.setPresence('absent');
    if (final) for (const w of [...this.waiters]) w.reject(e);
  }

  /** Not the card's fault: end this card's cycle and let the loop report the SAM. */
  private samFailedDuringRead(err: IdCardError): never {
    this.cardGone();
    for (const w of [...this.waiters]) w.reject(err);
    throw err;
  }

  private async delivered(
    decoded: { card: DecodedCard; photo: Buffer; fingerprint: Buffer | null },
    attempt: number,
    tries: number,
    digest: string,
  ): Promise<void> {
    const { card, photo, fingerprint } = decoded;
    this.presence = 'read';
    this.failedAt = 0;
    this.lastReadDigest = digest;
    this.emptyFindSinceRead = false;
    this.askManagement = this.managementConfirms !== false;
    const image = await this.decodePhoto(photo);
    const readAt = this.now();
    const event: CardReadEvent = {
      card,
      photo: { format: 'wlt', bytes: photo.length, wlt: photo, image },
      fingerprint,
      // The card's last valid day is a date in China, where the kiosk stands.
      expired: isExpired(card, chinaDate(readAt)),
      attempt,
      readAt,
    };
    this.log.info(
      { cardType: card.cardType, attempt, tries, expired: event.expired, warnings: card.warnings.map((w) => w.code) },
      'card read',
    );
    this.emit('cardRead', event);
    // Just read, so present; from the next poll on only a reader that confirms keeps it so.
    this.setPresence('present');
    for (const w of [...this.waiters]) w.resolve(event);
  }

  private async decodePhoto(wlt: Buffer): Promise<DecodedPhoto | null> {
    if (!this.photoDecoder) return null;
    try {
      return await this.photoDecoder(wlt);
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'photo decoder failed');
      return null;
    }
  }

  // ---- requests --------------------------------------------------------------------------------

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.lock.run(fn);
  }

  private timeoutFor(cmd: SamCommand): number {
    const wireMs = (bytes: number): number => Math.ceil((bytes * 10 * 1000) / this.baudRate);
    if (cmd.timing === 'read') {
      const bytes = cmd.name === 'readBaseWithFingerprint' ? 2321 : 1295;
      return this.requestTimeoutMs + wireMs(bytes);
    }
    return this.shortTimeoutMs + wireMs(64);
  }

  /**
   * `timeoutMs` overrides the command's timeout; `optional` requests (30 05 as a presence
   * confirmation) may go unanswered by readers that work fine, so their timeouts do not count
   * towards "reader offline".
   */
  private request(cmd: SamCommand, opts: { timeoutMs?: number; optional?: boolean } = {}): Promise<ResponseFrame> {
    if (!this.transport.isOpen) {
      return Promise.reject(new IdCardError('transport', '读卡器未连接', `${this.transport.description} is not open`));
    }
    if (this.pending) {
      return Promise.reject(new IdCardError('transport', '读卡器忙', 'a request is already in flight'));
    }
    const timeoutMs = opts.timeoutMs ?? this.timeoutFor(cmd);
    return new Promise<ResponseFrame>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        if (graceTimer) clearTimeout(graceTimer);
        if (this.pending === pending) this.pending = undefined;
      };
      const pending: Pending = {
        cmd,
        resolve: (frame) => {
          settle();
          this.consecutiveTimeouts = 0;
          resolve(frame);
        },
        reject: (err) => {
          settle();
          reject(err);
        },
        damaged: (message) => {
          // The damaged frame may be a stale one in front of the reply (the parser has already
          // resynced past it): give the reply the time one reply takes on the wire to arrive.
          if (graceTimer) return;
          graceTimer = setTimeout(() => {
            // The reader did answer, if damaged: not a sign of a dead reader.
            this.consecutiveTimeouts = 0;
            pending.reject(new IdCardError('badFrame', '读卡器数据校验错误', message));
          }, this.damagedGraceFor(cmd));
        },
      };
      const timer = setTimeout(() => {
        // Whatever half-reply arrived belongs to this request; drop it so it cannot confuse the next.
        this.parser.reset();
        if (!opts.optional) this.noteTimeout(cmd);
        pending.reject(new IdCardError('timeout', '读卡器无响应', `${cmd.en} (${cmd.name}) timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending = pending;
      this.transport.write(cmd.frame).catch((err: unknown) => {
        pending.reject(
          new IdCardError('transport', '写入读卡器失败', `write failed: ${err instanceof Error ? err.message : String(err)}`),
        );
      });
    });
  }

  /** Wire time of the longest reply to `cmd`, plus slack for scheduling. */
  private damagedGraceFor(cmd: SamCommand): number {
    const bytes = cmd.name === 'readBaseWithFingerprint' ? 2321 : cmd.timing === 'read' ? 1295 : 64;
    return 100 + Math.ceil((bytes * 2 * 10 * 1000) / this.baudRate);
  }

  private noteTimeout(cmd: SamCommand): void {
    this.consecutiveTimeouts += 1;
    this.log.debug({ command: cmd.name, consecutive: this.consecutiveTimeouts }, 'request timed out');
    if (this.consecutiveTimeouts >= this.unresponsiveAfter && this.transport.isOpen) {
      this.probed = false;
      this.setStatus({
        device: 'offline',
        action: 'maintenance',
        detail: `reader does not answer (${this.consecutiveTimeouts} requests timed out)`,
        extra: { samId: this.samId },
      });
    }
  }

  /** Does this frame look like the answer to `cmd`? Filters late replies to timed-out requests. */
  private accepts(cmd: SamCommand, frame: ResponseFrame): boolean {
    const success = frame.sw3 === cmd.successSw3 || (cmd.name === 'readNewestAddress' && frame.sw3 === SW3.NO_CONTENT);
    if (!success) return frame.data.length === 0;
    if (cmd.name === 'readNewestAddress' && frame.sw3 === SW3.NO_CONTENT) return frame.data.length === 0;
    if (cmd.name === 'readBaseWithFingerprint') return frame.data.length >= 6 + 256 + 1024;
    const n = expectedDataBytes[cmd.name];
    return n === undefined || frame.data.length === n;
  }

  private receive(chunk: Buffer): void {
    for (const ev of this.parser.push(chunk)) {
      if (ev.type === 'frame') {
        const p = this.pending;
        if (p && this.accepts(p.cmd, ev.frame)) p.resolve(ev.frame);
        else this.log.debug({ sw3: sw3Hex(ev.frame.sw3), bytes: ev.raw.length }, 'unexpected frame ignored');
      } else if (ev.error.code === 'checksum') {
        // Keep the parser's buffer: it resynced one byte on, and a good reply may follow.
        this.log.debug({ msg: ev.error.message }, 'damaged frame');
        this.pending?.damaged(ev.error.message);
      } else {
        this.log.debug({ code: ev.error.code, discarded: ev.error.discarded }, 'line noise');
      }
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private pause(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        resolve();
      };
      if (ms !== null) timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private emitError(err: IdCardError): void {
    // An 'error' event without listeners would throw out of the data path.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  private setStatus(next: DeviceStatus): void {
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.emit('status', next);
  }
}

// ---- factory -------------------------------------------------------------------------------------

export type IdCardConfig = KioskConfig['devices']['idcard'];

export interface CreateIdCardDriverExtras {
  photoDecoder?: PhotoDecoder | null;
  readFingerprint?: boolean;
}

/** Builds the transport named in config (serial, hid or tcp), wrapped to reconnect, and the driver. */
export function createIdCardDriver(
  config: IdCardConfig,
  logger?: DriverLogger,
  extras: CreateIdCardDriverExtras = {},
): IdCardDriver {
  const t = config.transport;
  let inner: Transport;
  let baudRate = 115200;
  switch (t.kind) {
    case 'serial':
      baudRate = t.baudRate;
      inner = new SerialTransport({ path: resolvePath(t.path), baudRate: t.baudRate });
      break;
    case 'hid':
      inner = new HidTransport({ vendorId: t.vendorId, productId: t.productId, ...(t.path ? { path: t.path } : {}) });
      break;
    case 'tcp':
      // A serial server in front of a UART reader carries the identical byte stream (reference §5).
      inner = new TcpTransport({ host: t.host, port: t.port });
      break;
    default:
      throw new Error(`ID card reader transport "${t.kind}" is not supported; use serial, hid or tcp`);
  }
  return new IdCardDriver({
    transport: new ReconnectingTransport(inner),
    pollIntervalMs: config.pollIntervalMs,
    requestTimeoutMs: config.requestTimeoutMs,
    ...(config.readRetryBudgetMs !== undefined ? { readRetryBudgetMs: config.readRetryBudgetMs } : {}),
    baudRate,
    ...(logger ? { logger } : {}),
    ...extras,
  });
}
