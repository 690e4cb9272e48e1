/**
 * The kiosk ↔ central wire protocol: message shapes (zod) and request signing. Pure: no I/O, no
 * timers. Both the agent's heartbeat sender and the central server import this file, so the two
 * can never disagree about a field or the signed bytes.
 */
import { createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import { z } from 'zod';
import { actionHints, deviceStates, paperStates } from './device-status.js';
import { kioskModes, remoteCommandKinds } from './health.js';

export const protocolVersion = 1;

/** Signed kiosk endpoints, under `<centralUrl>/api/v1/`. The name is part of the signed bytes. */
export const endpoints = {
  heartbeats: 'heartbeats',
  events: 'events',
  commandAcks: 'command-acks',
  screenshots: 'screenshots',
  /**
   * Long-poll for commands: central holds the request until a command is queued for the kiosk or
   * `waitMs` passes, so a command reaches the kiosk within a second instead of the next heartbeat,
   * still pulled by the kiosk (works behind NAT). It has its own sequence watermark (see
   * `commandWaitRequestSchema`), because a request held open must not block the kiosk's others.
   */
  commandWait: 'command-wait',
} as const;
export type Endpoint = (typeof endpoints)[keyof typeof endpoints];

export const headers = {
  kioskId: 'x-kiosk-id',
  /** Unix time in milliseconds when the request was signed. */
  timestamp: 'x-kiosk-timestamp',
  /** Strictly increasing per kiosk over all signed requests; central rejects anything not above the last. */
  seq: 'x-kiosk-seq',
  signature: 'x-kiosk-signature',
  /** Screenshot uploads: which command the picture answers. */
  commandId: 'x-command-id',
} as const;

/** Central accepts a timestamp at most this far from its own clock, either way. */
export const defaultMaxSkewMs = 5 * 60_000;

const kioskIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const shortText = z.string().max(200);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const isoTime = z.iso.datetime({ offset: true });

export const deviceStatusSchema = z.object({
  device: z.enum(deviceStates),
  action: z.enum(actionHints).optional(),
  detail: shortText.optional(),
  paper: z.enum(paperStates).optional(),
  extra: z.record(z.string().max(64), z.union([z.string().max(200), z.number(), z.boolean(), z.null()])).optional(),
});

export const countersSchema = z.object({
  sessionsStarted: count,
  sessionsCompleted: count,
  transactions: count,
  transactionsFailed: count,
  /** Transactions by citizen service id (optional: older agents do not send it); central's charts. */
  byService: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), count)
    .refine((r) => Object.keys(r).length <= 32, 'at most 32 services')
    .optional(),
});

export const heartbeatSchema = z.object({
  v: z.literal(protocolVersion),
  kioskId: kioskIdSchema,
  /** A random id per agent process start; counters restart at 0 when it changes. */
  bootId: z.string().min(8).max(64),
  sentAt: isoTime,
  /** The kiosk's own heartbeat interval; central declares it offline after N of these. */
  intervalMs: z.number().int().min(50).max(3_600_000),
  mode: z.enum(kioskModes),
  modeMessage: shortText.optional(),
  devices: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,31}$/), deviceStatusSchema)
    .refine((d) => Object.keys(d).length <= 32, 'at most 32 devices'),
  paper: z.enum(paperStates),
  /** Since the agent started (see bootId). */
  counters: countersSchema,
  /** Since the previous heartbeat central accepted (for people reading a single beat). */
  sinceLastBeat: countersSchema,
  gas: z.object({ creditPending: count, needsAttention: count }),
  ui: z.object({
    alive: z.boolean(),
    lastPingAt: isoTime.nullable(),
    /** Present when the agent's browser watchdog runs (selfcare): restarts in the last hour, and the last one. */
    browserRestartsLastHour: count.optional(),
    lastBrowserRestart: z.object({ at: isoTime, reason: shortText }).nullable().optional(),
  }),
  versions: z.object({ agent: z.string().min(1).max(64), ui: z.string().min(1).max(64).nullable() }),
  configHash: z.string().max(128),
  outbox: z.object({ depth: count, oldestAt: isoTime.nullable() }),
  system: z.object({
    uptimeSeconds: z.number().min(0),
    hostUptimeSeconds: z.number().min(0),
    diskFreeBytes: count.nullable(),
    diskTotalBytes: count.nullable(),
    memoryRssBytes: count,
    memoryFreeBytes: count,
    memoryTotalBytes: count,
  }),
  /** Citizen services and the paused ones (optional: older agents do not send it). */
  services: z
    .object({
      total: z.number().int().min(0).max(32),
      paused: z
        .array(
          z.object({
            id: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
            reasons: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,31}$/)).max(8),
          }),
        )
        .max(32),
    })
    .optional(),
  /** Commands the kiosk holds but has not finished, e.g. waiting for a money step to end. */
  pendingCommands: z.array(z.object({ id: z.string().min(1).max(64), state: z.enum(['waiting', 'running']) })).max(100),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const fleetStates = ['online', 'warning', 'error', 'offline'] as const;
export type FleetState = (typeof fleetStates)[number];

export const remoteCommandSchema = z.object({
  id: z.string().min(1).max(64),
  kind: z.enum(remoteCommandKinds),
  message: shortText.optional(),
  issuedBy: z.string().max(64),
  issuedAt: isoTime,
});

export const heartbeatResponseSchema = z.object({
  ok: z.literal(true),
  serverTime: isoTime,
  state: z.enum(fleetStates),
  /** The highest event seq central has applied for this kiosk (0 if none). */
  eventsAckedSeq: count,
  // The kind is read leniently: a newer central's unknown command must fail that command (acked
  // as unsupported), not every heartbeat.
  commands: z.array(remoteCommandSchema.extend({ kind: z.string().min(1).max(32) })),
});
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

/** Longest a command-wait request is held open at central. */
export const maxCommandWaitMs = 30_000;

export const commandWaitRequestSchema = z.object({
  /** How long central may hold the request when nothing is queued. */
  waitMs: z.number().int().min(0).max(maxCommandWaitMs),
  /** Commands the kiosk already holds (as in the heartbeat), so central does not hand them out again. */
  pendingCommands: heartbeatSchema.shape.pendingCommands,
});
export const commandWaitResponseSchema = z.object({
  ok: z.literal(true),
  serverTime: isoTime,
  commands: heartbeatResponseSchema.shape.commands,
});

export const eventTypeSchema = z.string().regex(/^[a-z][a-z0-9_.-]{0,63}$/, 'lower-case dotted name');

export const outboxEventSchema = z.object({
  seq: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  type: eventTypeSchema,
  at: isoTime,
  payload: z.record(z.string(), z.unknown()),
});
export type OutboxEvent = z.infer<typeof outboxEventSchema>;

export const eventsRequestSchema = z.object({
  events: z
    .array(outboxEventSchema)
    .min(1)
    .max(500)
    .refine((e) => e.every((x, i) => i === 0 || x.seq > e[i - 1]!.seq), 'events must be in increasing seq order'),
});
export const eventsResponseSchema = z.object({ ok: z.literal(true), ackedSeq: count });

export const commandAckSchema = z.object({
  id: z.string().min(1).max(64),
  ok: z.boolean(),
  detail: shortText.optional(),
  finishedAt: isoTime,
  /** Set for a screenshot command: the id central gave the uploaded picture. */
  screenshotId: z.string().max(64).optional(),
});
export type CommandAck = z.infer<typeof commandAckSchema>;
export const commandAcksRequestSchema = z.object({ acks: z.array(commandAckSchema).min(1).max(100) });
export const commandAcksResponseSchema = z.object({ ok: z.literal(true), acked: z.array(z.string()) });
export const screenshotResponseSchema = z.object({ ok: z.literal(true), id: z.string() });

/** Why central refused a signed request (the 401 body's `reason`). */
// `too-large` and `busy` are answered before the body is read (413 and 503 with Retry-After).
export const rejectReasons = ['unsigned', 'unknown-kiosk', 'bad-signature', 'stale', 'replay', 'too-large', 'busy'] as const;
export type RejectReason = (typeof rejectReasons)[number];
export const rejectionSchema = z.object({
  ok: z.literal(false),
  reason: z.string(),
  error: z.string(),
  serverTime: isoTime.optional(),
});

export interface SignedFields {
  endpoint: Endpoint;
  kioskId: string;
  /** Unix ms. */
  timestamp: number;
  seq: number;
}

/**
 * HMAC-SHA256 over a header naming the endpoint, kiosk, time and sequence, then the exact body
 * bytes. Signing the endpoint stops a captured heartbeat from being replayed as, say, a command ack.
 */
export function sign(secret: string, f: SignedFields, body: Uint8Array | string): string {
  return signer(secret, f).update(body).digest('hex');
}

/** The same HMAC fed chunk by chunk, so a receiver can verify a body while it streams in. */
export function signer(secret: string, f: SignedFields): Hmac {
  const h = createHmac('sha256', secret);
  h.update(`kiosk-central-v${protocolVersion}\n${f.endpoint}\n${f.kioskId}\n${f.timestamp}\n${f.seq}\n`);
  return h;
}

/** Compares a hex signature with a finished HMAC digest in constant time. */
export function digestMatches(expected: Buffer, given: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(given) || expected.length !== 32) return false;
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

export function signatureMatches(secret: string, f: SignedFields, body: Uint8Array | string, given: string): boolean {
  return digestMatches(signer(secret, f).update(body).digest(), given);
}

export function signedHeaders(secret: string, f: SignedFields, body: Uint8Array | string): Record<string, string> {
  return {
    [headers.kioskId]: f.kioskId,
    [headers.timestamp]: String(f.timestamp),
    [headers.seq]: String(f.seq),
    [headers.signature]: sign(secret, f, body),
  };
}

export type HeaderLookup = (name: string) => string | undefined;

export type ParsedSignature =
  | { ok: true; kioskId: string; timestamp: number; seq: number; signature: string }
  | { ok: false; reason: RejectReason; error: string };

/** Reads the four signing headers; says which one is missing or malformed. */
export function parseSignedHeaders(get: HeaderLookup): ParsedSignature {
  const kioskId = get(headers.kioskId);
  const ts = get(headers.timestamp);
  const seq = get(headers.seq);
  const signature = get(headers.signature);
  if (!kioskId || !ts || !seq || !signature) {
    return { ok: false, reason: 'unsigned', error: 'missing X-Kiosk-Id, X-Kiosk-Timestamp, X-Kiosk-Seq or X-Kiosk-Signature' };
  }
  if (!kioskIdSchema.safeParse(kioskId).success) return { ok: false, reason: 'unknown-kiosk', error: 'malformed kiosk id' };
  if (!/^\d{1,16}$/.test(ts)) return { ok: false, reason: 'stale', error: 'timestamp must be unix milliseconds' };
  if (!/^\d{1,16}$/.test(seq)) return { ok: false, reason: 'replay', error: 'sequence number must be a positive integer' };
  return { ok: true, kioskId, timestamp: Number(ts), seq: Number(seq), signature: signature.toLowerCase() };
}

/** Next value of a strictly increasing sequence that also survives a lost database: never below the clock. */
export function nextSequence(last: number, nowMs: number): number {
  return Math.max(last + 1, Math.floor(nowMs));
}

// Shaped like an 18-digit resident ID number (region, birth date, serial, check digit).
const idNumberLike = /(?<![0-9])[1-6]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9])/;

/**
 * Last line of defence against personal data in monitoring traffic: returns the JSON path of the
 * first string that looks like a resident ID number, or null.
 */
export function findPersonalData(value: unknown, path = '$'): string | null {
  if (typeof value === 'string') return idNumberLike.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findPersonalData(value[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const hit = findPersonalData(k, `${path}.<key>`) ?? findPersonalData(v, `${path}.${k}`);
      if (hit) return hit;
    }
  }
  return null;
}
