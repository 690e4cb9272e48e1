/**
 * 好差评 reports: each rating is committed to the agent's delivery queue inside the rating's own
 * transition (before the citizen's tap is answered), then sent to the evaluation platform with
 * retries until it is accepted, once — the queue key is the platform's idempotency key — and
 * reported to central (the monitor's durable outbox), where a bad rating opens a follow-up item.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pseudonym } from '@kiosk/platform';
import { UpstreamError } from '../services/errors.js';
import { ratingScores, SELF_SERVICE_CHANNEL, type EvaluationConnector, type EvaluationReport } from '../services/evaluation.js';
import { DeliveryQueue, QueuePump } from '../store/delivery-queue.js';
import type { RatingSubmission } from './api.js';
import type { Db } from '@kiosk/platform';
import { badRatingLevels, type RatingLevel, type RatingReason, type ServiceId } from '@kiosk/contracts/session-view';
import { serviceItems } from './items.js';

const EVALUATION_QUEUE = 'evaluation';

export type { RatingSubmission };

/** What central is told (the monitor event `rating.submitted`): no hash, no identity at all. */
interface RatingEvent {
  ratingId: string;
  service: ServiceId;
  itemCode: string;
  itemName: string;
  department: string;
  level: RatingLevel;
  score: number;
  reasons: RatingReason[];
  ratedAt: string;
}

export interface RatingReporterOptions {
  db: Db;
  evaluation: EvaluationConnector;
  kioskId: string;
  hashSalt: string | undefined;
  retryBaseMs: number;
  maxRetryMs: number;
  logger: Logger;
  /** Reports to central; absent when no monitor runs. */
  reportEvent?(type: string, payload: Record<string, unknown>): void;
  now?: () => Date;
}

export class RatingReporter {
  readonly queue: DeliveryQueue<EvaluationReport>;
  readonly pump: QueuePump<EvaluationReport>;
  private readonly log: Logger;

  constructor(private readonly opts: RatingReporterOptions) {
    this.log = opts.logger.child({ component: 'ratings' });
    this.queue = new DeliveryQueue<EvaluationReport>(opts.db, EVALUATION_QUEUE);
    this.pump = new QueuePump<EvaluationReport>({
      queue: this.queue,
      deliver: async (item, signal) => {
        const r = await opts.evaluation.submit(item.payload, { signal, requestId: `eval-${item.key}-${item.attempts + 1}` });
        this.log.info(
          { key: item.key, evaluationId: r.evaluationId, created: r.created, followUp: r.followUp },
          'rating delivered to the evaluation platform',
        );
      },
      // A 4xx (other than a 409 race) will not change on a resend: park it and say so loudly.
      permanent: (err) => err instanceof UpstreamError && (err.code === 'INVALID_REQUEST' || err.code === 'REJECTED'),
      retryBaseMs: opts.retryBaseMs,
      maxRetryMs: opts.maxRetryMs,
      logger: this.log,
    });
  }

  start(): void {
    this.pump.start();
  }

  stop(): Promise<void> {
    return this.pump.stop();
  }

  /**
   * Queues one rating. Synchronous: when this returns, the report is on disk. Returns the key
   * (the rating's id at the platform and at central).
   */
  submit(s: RatingSubmission): string {
    const now = (this.opts.now ?? (() => new Date()))();
    const item = serviceItems[s.serviceId];
    const bad = badRatingLevels.includes(s.rating);
    const key = randomUUID();
    const report: EvaluationReport = {
      idempotencyKey: key,
      itemCode: item.itemCode,
      itemName: item.itemName,
      channel: SELF_SERVICE_CHANNEL,
      kioskId: this.opts.kioskId,
      department: item.department,
      ratedAt: now.toISOString(),
      level: s.rating,
      score: ratingScores[s.rating],
      // Reasons belong to bad ratings only; the command refuses them otherwise.
      reasons: bad ? s.reasons : [],
      // Only a bad rating is followed up, so only then does the platform get a link to the person.
      subjectHash: bad && s.idNumber && this.opts.hashSalt ? pseudonym(this.opts.hashSalt, s.idNumber) : null,
    };
    const ev: RatingEvent = {
      ratingId: key,
      service: s.serviceId,
      itemCode: item.itemCode,
      itemName: item.itemName,
      department: item.department,
      level: s.rating,
      score: report.score,
      reasons: report.reasons,
      ratedAt: report.ratedAt,
    };
    // Both rows in one transaction: the platform report and central's copy exist together or not at all.
    this.opts.db.transaction(() => {
      this.queue.enqueue(key, report, now);
      this.opts.reportEvent?.('rating.submitted', { ...ev });
    })();
    this.log.info(
      { key, service: s.serviceId, level: s.rating, reasons: report.reasons.length, linked: report.subjectHash !== null },
      'rating queued',
    );
    this.pump.kick();
    return key;
  }
}
