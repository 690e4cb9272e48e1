/**
 * The photo order's money path, on the gas money path's rules and provider:
 *
 * - the same PaymentConnector (one QR provider for the kiosk) and the same payment rule
 *   (gas/rules/payment.ts `nextPaymentStep`: NOTPAY is not final, an unpaid order is closed at the
 *   provider before it counts as unpaid, a payment seen during the close wins);
 * - the same refund rule (gas/rules/refund.ts `mayRefund`): money goes back only after the photo
 *   platform has voided (冲正) the order number and said no receipt exists; an unknown answer is
 *   never refunded (the order waits, then a person decides); the refund key is the gas one
 *   (gas/rules/keys.ts `refundKey`);
 * - every state is journaled (journal.ts) before the step it announces.
 *
 * Paid before upload. A failed upload becomes upload_pending and is retried in the background
 * while the photo is in memory; past `uploadGiveUpMs` (or after a restart, which loses the photo:
 * it is never written to disk) the order is voided at the platform and refunded.
 */
import { randomInt } from 'node:crypto';
import type { PhotoBackdrop, PhotoUse } from '@kiosk/contracts/photo';
import type { PhotoSettings } from '@kiosk/kiosk-config';
import { chinaStampCompact, type Logger } from '@kiosk/platform';
import { errorCode } from '../gas/errors.js';
import { refundKey } from '../gas/rules/keys.js';
import { nextPaymentStep, type ProviderSays } from '../gas/rules/payment.js';
import { mayRefund } from '../gas/rules/refund.js';
import { UpstreamError } from '../services/errors.js';
import type { PaymentConnector } from '../services/payment.js';
import type { PhotoConnector } from '../services/photo.js';
import { StalePhotoOrderError, type PhotoJournal, type PhotoOrder } from './journal.js';

export interface PhotoOrdersOptions {
  journal: PhotoJournal;
  payment: PaymentConnector;
  platform: PhotoConnector;
  settings: PhotoSettings;
  /** The gas settings' payment timing (one QR provider, one countdown policy). */
  timing: { pollMs: number; countdownSeconds: number; expiryGraceSeconds: number };
  kioskId: string;
  log: Logger;
  now?: () => Date;
}

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTUVWXYZ';
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** `unknown`: the provider could not be asked; the order stays awaiting_payment for the next pass. */
export type PaymentOutcome = 'paid' | 'unpaid' | 'attention' | 'unknown';

export class PhotoOrders {
  /** Photos waiting for the platform, by order number. Memory only: never on disk. */
  private readonly photos = new Map<string, Buffer>();
  private readonly cancelled = new Set<string>();
  private loop: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private readonly now: () => Date;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly o: PhotoOrdersOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** One step at a time per order (the session's upload and the background pass never overlap). */
  private locked<T>(orderNo: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(orderNo) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    this.locks.set(
      orderNo,
      next.catch(() => undefined),
    );
    return next;
  }

  private newOrderNo(): string {
    const stamp = chinaStampCompact(this.now());
    let tail = '';
    for (let i = 0; i < 6; i++) tail += ALPHABET[randomInt(ALPHABET.length)];
    return `PH${stamp}${tail}`;
  }

  /** Creates the order and the provider's QR order for the configured price. */
  async create(input: { use: PhotoUse; backdrop: PhotoBackdrop; sessionId: string | null; jpeg: Buffer }): Promise<PhotoOrder> {
    const { journal, settings } = this.o;
    const spec = settings.specs.find((s) => s.use === input.use);
    if (!spec) throw new Error(`no photo spec for ${input.use}`);
    const orderNo = this.newOrderNo();
    journal.create(
      {
        orderNo,
        kioskId: this.o.kioskId,
        sessionId: input.sessionId,
        use: input.use,
        backdrop: input.backdrop,
        amountFen: settings.priceFen,
      },
      'session',
    );
    this.photos.set(orderNo, input.jpeg);
    const deadline = new Date(this.now().getTime() + this.o.timing.countdownSeconds * 1000).toISOString();
    journal.transition(orderNo, 'created', 'awaiting_payment', { payDeadline: deadline }, 'session');
    try {
      const p = await this.o.payment.createOrder({
        outTradeNo: orderNo,
        amountFen: settings.priceFen,
        description: `自助照相 ${spec.nameZh}`,
        expireSeconds: Math.max(10, this.o.timing.countdownSeconds + this.o.timing.expiryGraceSeconds),
      });
      return journal.note(orderNo, { payOrderId: p.orderId, payCodeUrl: p.codeUrl, tradeState: p.tradeState });
    } catch (err) {
      journal.note(orderNo, { lastError: errorCode(err) });
      // The provider may or may not have the order: close it (a payment seen meanwhile still wins).
      void this.awaitPayment(orderNo, { giveUp: true }).catch(() => undefined);
      throw err;
    }
  }

  /** The citizen cancelled (or the session ended) while the QR code was shown. */
  cancel(orderNo: string): void {
    this.cancelled.add(orderNo);
  }

  /**
   * Follows the payment until it is final: paid, or closed/expired at the provider. Never ends an
   * order as unpaid on the kiosk's own clock alone.
   */
  async awaitPayment(
    orderNo: string,
    opts: { signal?: AbortSignal; giveUp?: boolean; onTick?: (secondsLeft: number) => void } = {},
  ): Promise<PaymentOutcome> {
    const { journal, payment } = this.o;
    for (;;) {
      const o = journal.require(orderNo);
      if (o.state !== 'awaiting_payment')
        return o.state === 'needs_attention'
          ? 'attention'
          : ['payment_closed', 'payment_expired'].includes(o.state)
            ? 'unpaid'
            : 'paid';
      const deadline = o.payDeadline ? Date.parse(o.payDeadline) : 0;
      const giveUp =
        opts.giveUp === true || this.cancelled.has(orderNo) || opts.signal?.aborted === true || this.now().getTime() >= deadline;
      let says: ProviderSays;
      try {
        says = (await payment.queryOrder(orderNo)).tradeState;
      } catch (err) {
        if (err instanceof UpstreamError && err.code === 'NOT_FOUND') says = 'not_found';
        else {
          journal.note(orderNo, { lastError: errorCode(err) });
          // A background close does not spin on an unreachable provider: the next pass asks again.
          if (opts.giveUp === true) return 'unknown';
          await sleep(this.o.timing.pollMs, opts.signal);
          continue;
        }
      }
      const step = nextPaymentStep(says, giveUp);
      if (step === 'credit') {
        const p = await payment.queryOrder(orderNo);
        journal.transition(
          orderNo,
          'awaiting_payment',
          'paid',
          { tradeState: p.tradeState, transactionId: p.transactionId, paidAt: p.paidAt ?? this.now().toISOString() },
          'runner',
        );
        return 'paid';
      }
      if (step === 'end_unpaid') {
        const expired = deadline > 0 && this.now().getTime() >= deadline && !this.cancelled.has(orderNo);
        journal.transition(
          orderNo,
          'awaiting_payment',
          expired ? 'payment_expired' : 'payment_closed',
          { tradeState: says },
          'runner',
        );
        this.drop(orderNo);
        return 'unpaid';
      }
      if (step === 'needs_attention') {
        journal.transition(
          orderNo,
          'awaiting_payment',
          'needs_attention',
          { tradeState: says, lastError: `payment:${says}` },
          'runner',
        );
        this.drop(orderNo);
        return 'attention';
      }
      if (step === 'close') {
        try {
          await payment.closeOrder(orderNo);
        } catch (err) {
          // ORDER_PAID (paid during the close) or unreachable: the next query decides.
          journal.note(orderNo, { lastError: errorCode(err) });
        }
        continue;
      }
      opts.onTick?.(Math.max(0, Math.ceil((deadline - this.now().getTime()) / 1000)));
      await sleep(this.o.timing.pollMs, opts.signal);
    }
  }

  /** Uploads a paid order's photo once; failure leaves it upload_pending for the background retries. */
  upload(orderNo: string, actor = 'session'): Promise<PhotoOrder> {
    return this.locked(orderNo, async () => {
      const { journal, platform } = this.o;
      const o = journal.require(orderNo);
      if (o.state !== 'paid' && o.state !== 'upload_pending') return o;
      const jpeg = this.photos.get(orderNo);
      if (!jpeg)
        return o.state === 'paid' ? journal.transition(orderNo, 'paid', 'upload_pending', { lastError: 'photo:lost' }, actor) : o;
      journal.transition(orderNo, o.state, 'uploading', { uploadAttempts: o.uploadAttempts + 1 }, actor);
      try {
        const r = await platform.upload({ orderNo, use: o.use, backdrop: o.backdrop, jpeg });
        const done = journal.transition(orderNo, 'uploading', 'uploaded', { receiptCode: r.code, lastError: null }, actor, {
          code: r.code,
        });
        this.drop(orderNo);
        return done;
      } catch (err) {
        this.o.log.warn({ orderNo, err: errorCode(err) }, 'photo upload failed; retrying in the background');
        return journal.transition(orderNo, 'uploading', 'upload_pending', { lastError: errorCode(err) }, actor);
      }
    });
  }

  /** The slip is printed: the order is complete. */
  finish(orderNo: string): PhotoOrder {
    const o = this.o.journal.require(orderNo);
    return o.state === 'uploaded' ? this.o.journal.transition(orderNo, 'uploaded', 'done', {}, 'session') : o;
  }

  /** Forgets a photo (uploaded, refunded or never paid): the only copy goes. */
  drop(orderNo: string): void {
    const jpeg = this.photos.get(orderNo);
    if (jpeg) jpeg.fill(0);
    this.photos.delete(orderNo);
    this.cancelled.delete(orderNo);
  }

  /** Photos held in memory (for the privacy tests and the maintenance panel): counts only. */
  heldPhotos(): number {
    return this.photos.size;
  }

  /**
   * Refund path of one upload_pending order past its time (or without its photo): void at the
   * platform first; refund only on `never_credited`.
   */
  private refundIfDue(o: PhotoOrder, actor: string): Promise<unknown> {
    return this.locked(o.orderNo, async () => {
      const { journal, platform, payment } = this.o;
      let cur = journal.require(o.orderNo);
      if (cur.state === 'upload_pending') {
        const paidAt = cur.paidAt ? Date.parse(cur.paidAt) : this.now().getTime();
        const due = !this.photos.has(cur.orderNo) || this.now().getTime() - paidAt >= this.o.settings.uploadGiveUpMs;
        if (!due) return;
        cur = journal.transition(cur.orderNo, 'upload_pending', 'refund_requested', {}, actor, {
          why: this.photos.has(cur.orderNo) ? 'upload_timeout' : 'photo_lost',
        });
      }
      if (cur.state !== 'refund_requested') return;
      let answer: 'never_credited' | 'already_credited' | 'unknown';
      let code: string | null = null;
      try {
        const v = await platform.void(cur.orderNo);
        answer = v.result;
        code = v.receipt?.code ?? null;
      } catch (err) {
        // Even a refusal is no answer to "is there a receipt": only never_credited allows a refund.
        answer = 'unknown';
        journal.note(cur.orderNo, { lastError: errorCode(err) });
      }
      const step = mayRefund({ voidAnswer: answer, cardMayHoldGas: false });
      if (step === 'credited' && code) {
        journal.transition(cur.orderNo, 'refund_requested', 'uploaded', { receiptCode: code, voidAnswer: answer }, actor, {
          code,
        });
        this.drop(cur.orderNo);
        return;
      }
      if (step !== 'refund') {
        // No definite answer: never refund an unknown outcome. Retried next pass; a person after a day.
        const age = this.now().getTime() - Date.parse(cur.updatedAt);
        if (age > 24 * 3600_000)
          journal.transition(cur.orderNo, 'refund_requested', 'needs_attention', { voidAnswer: answer }, actor);
        return;
      }
      journal.note(cur.orderNo, { voidAnswer: answer });
      try {
        const r = await payment.refund({
          outTradeNo: cur.orderNo,
          outRefundNo: refundKey(cur),
          amountFen: cur.amountFen,
          reason: '照片上传失败退款',
        });
        journal.transition(cur.orderNo, 'refund_requested', 'refunded', { refundNo: r.outRefundNo, refundId: r.refundId }, actor);
        this.drop(cur.orderNo);
      } catch (err) {
        // Same key next time: the provider refunds once.
        journal.note(cur.orderNo, { lastError: errorCode(err) });
      }
    });
  }

  /** One background pass: retry uploads, refund what is past its time, close abandoned payments. */
  runPass(actor = 'runner'): Promise<void> {
    this.pass ??= (async () => {
      try {
        const { journal } = this.o;
        for (const o of journal.inStates(['awaiting_payment'])) {
          if (!this.photos.has(o.orderNo)) await this.awaitPayment(o.orderNo, { giveUp: true }).catch(() => undefined);
        }
        for (const o of journal.inStates(['paid', 'uploading'])) {
          // Left by a crash mid-upload: the platform is idempotent by order number, so retrying is safe.
          if (o.state === 'uploading')
            journal.transition(o.orderNo, 'uploading', 'upload_pending', { lastError: 'upload:interrupted' }, actor);
          else await this.upload(o.orderNo, actor);
        }
        for (const o of journal.inStates(['upload_pending'])) {
          if (this.photos.has(o.orderNo)) await this.upload(o.orderNo, actor);
          const after = journal.require(o.orderNo);
          if (after.state === 'upload_pending') await this.refundIfDue(after, actor);
        }
        for (const o of journal.inStates(['refund_requested'])) await this.refundIfDue(o, actor);
      } catch (err) {
        if (!(err instanceof StalePhotoOrderError)) this.o.log.error({ err: errorCode(err) }, 'photo background pass failed');
      } finally {
        this.pass = undefined;
      }
    })();
    return this.pass;
  }

  start(): void {
    this.loop = setInterval(() => void this.runPass(), this.o.settings.uploadRetryMs);
    this.loop.unref();
  }

  async stop(): Promise<void> {
    if (this.loop) clearInterval(this.loop);
    this.loop = undefined;
    await this.pass;
    for (const no of [...this.photos.keys()]) this.drop(no);
  }
}
