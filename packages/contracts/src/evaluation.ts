/**
 * 好差评: the government service evaluation platform. After each service the kiosk reports the
 * citizen's rating with what the national scheme asks for (事项 code and name, channel, kiosk,
 * department, time, level, and for 不满意/非常不满意 the reasons ticked). Never a name or an ID
 * number: only a keyed hash (`subjectHash`) where the platform must link a follow-up call.
 * The kiosk queues reports (apps/agent/src/ratings) and sends them with the queue's key as
 * idempotency key; the sandbox (apps/sandbox/src/routes/evaluation.ts) serves the same shapes.
 */
import { z } from 'zod';
import { ratingLevels, ratingReasons } from './session-view.js';

/** The channel code the scheme uses for self-service terminals. */
export const SELF_SERVICE_CHANNEL = '自助终端';

/** 非常满意 5 … 非常不满意 1, as the scheme scores them. */
export const ratingScores: Record<(typeof ratingLevels)[number], number> = {
  verySatisfied: 5,
  satisfied: 4,
  basicallySatisfied: 3,
  dissatisfied: 2,
  veryDissatisfied: 1,
};

export const evaluationReportSchema = z
  .object({
    /** The kiosk's queue key: the same report sent twice is stored once. */
    idempotencyKey: z.string().regex(/^[A-Za-z0-9._:-]{8,100}$/),
    itemCode: z.string().min(1).max(64),
    itemName: z.string().min(1).max(100),
    channel: z.literal(SELF_SERVICE_CHANNEL),
    kioskId: z.string().min(1).max(64),
    department: z.string().min(1).max(100),
    ratedAt: z.string().min(10),
    level: z.enum(ratingLevels),
    score: z.number().int().min(1).max(5),
    reasons: z.array(z.enum(ratingReasons)).max(ratingReasons.length),
    /** HMAC of the ID number under the kiosk's configured salt, for bad ratings only; else null. */
    subjectHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .nullable(),
  })
  .strict();
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;

export const evaluationReceiptSchema = z.object({
  evaluationId: z.string(),
  receivedAt: z.string(),
  /** The platform opened a follow-up (整改) for a bad rating. */
  followUp: z.boolean(),
  /** False when this key had been stored before (a resend). */
  created: z.boolean(),
});
export type EvaluationReceipt = z.infer<typeof evaluationReceiptSchema>;
