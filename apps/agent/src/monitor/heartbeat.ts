import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { backoffDelay, fetchJson, Mutex, sleep, type Db } from '@kiosk/platform';
import type {
  CounterName,
  HealthCounters,
  HealthSource,
  RemoteCommand,
  RemoteCommandHandler,
  RemoteCommandResult,
} from '@kiosk/contracts/health';
import { MonitorStore, type CommandRow } from './outbox.js';
import {
  commandAcksResponseSchema,
  commandWaitResponseSchema,
  endpoints,
  eventsResponseSchema,
  headers,
  heartbeatResponseSchema,
  heartbeatSchema,
  maxCommandWaitMs,
  nextSequence,
  protocolVersion,
  rejectionSchema,
  screenshotResponseSchema,
  signedHeaders,
  type Endpoint,
  type FleetState,
  type Heartbeat,
  type HeartbeatResponse,
} from '@kiosk/contracts/heartbeat';
import { readSystem } from './system.js';

export interface HeartbeatSenderOptions {
  /** e.g. http://127.0.0.1:5850 (a path prefix is kept: http://host/central → http://host/central/api/v1/…). */
  centralUrl: string;
  /**
   * Further central replicas (same database), tried in order when the current one cannot be
   * reached or fails on its side (5xx); the sender stays with whichever answers.
   */
  failoverUrls?: readonly string[];
  kioskId: string;
  /** Per-kiosk HMAC secret, the same string central has for this kiosk. */
  secret: string;
  intervalMs: number;
  /** The agent database (migrations 1 and 2 applied): outbox, sequence numbers, command log, audit. */
  db: Db;
  logger: Logger;
  health: HealthSource;
  commands: RemoteCommandHandler;
  /** How often a waiting command re-checks `canRunNow()`. Default 1 s. */
  commandRetryMs?: number;
  /** Per request. Default: the interval, clamped to 2–10 s. */
  requestTimeoutMs?: number;
  /** Events per POST. Default 100. */
  eventBatchSize?: number;
  /** Directory whose file system is reported as disk free. Default: the database's directory. */
  dataDir?: string;
  /**
   * Keep a command-wait long-poll open for up to this long (≤ 30 s), so operators' commands arrive
   * within a second instead of with the next heartbeat. 0 or absent: commands come with heartbeats only.
   */
  commandWaitMs?: number;
}

/** What the maintenance panel shows about the link to central. */
export interface HeartbeatStatus {
  /** Outcome of the last heartbeat attempt; null before the first one. */
  ok: boolean | null;
  at: string | null;
  /** Why the last attempt failed (network error, or central's rejection text). */
  error: string | null;
  /** Central's rejection reason (`bad-signature`, `stale`, `replay`, `unknown-kiosk` …) if it refused. */
  reason: string | null;
  /** Central's view of this kiosk after the last accepted beat. */
  state: FleetState | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  beatsAccepted: number;
  outboxDepth: number;
  oldestQueuedAt: string | null;
  /** Commands received but not finished (waiting for a money step to end, or running). */
  pendingCommands: number;
}

/** How far the kiosk's clock is from central's (apps/agent/src/selfcare clock check). */
export interface CentralClock {
  /** Central's time minus the kiosk's, in ms. */
  offsetMs: number;
  /** Half the round trip: the offset is right within this. */
  uncertaintyMs: number;
  at: string;
}

/**
 * Worth trying another central: it could not be reached, answered too late or with something that
 * is not central's answer, or failed on its own side (5xx other than `busy`). A refusal
 * (signature, replay, bad body) would be the same anywhere.
 */
function failoverWorthy(err: unknown): boolean {
  if (err instanceof CentralRejected) return err.status >= 500 && err.reason !== 'busy';
  return true;
}

/** Central answered with an error status. */
class CentralRejected extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'CentralRejected';
  }
}

const zeroCounters: HealthCounters = { sessionsStarted: 0, sessionsCompleted: 0, transactions: 0, transactionsFailed: 0 };

function delta(now: HealthCounters, before: HealthCounters | null): HealthCounters {
  const d = (k: CounterName): number => {
    const prev = before?.[k] ?? 0;
    return now[k] >= prev ? now[k] - prev : now[k];
  };
  const out: HealthCounters = {
    sessionsStarted: d('sessionsStarted'),
    sessionsCompleted: d('sessionsCompleted'),
    transactions: d('transactions'),
    transactionsFailed: d('transactionsFailed'),
  };
  if (now.byService) {
    const prev = before?.byService ?? {};
    out.byService = Object.fromEntries(
      Object.entries(now.byService).map(([id, n]) => [id, n >= (prev[id] ?? 0) ? n - (prev[id] ?? 0) : n]),
    );
  }
  return out;
}

const clip = (s: string | undefined, n = 200): string | undefined => (s === undefined ? undefined : s.slice(0, n));
const errorText = (err: unknown): string =>
  err instanceof CentralRejected
    ? err.message
    : err instanceof Error
      ? err.cause instanceof Error
        ? `${err.message}: ${err.cause.message}`
        : err.message
      : String(err);

const pngMagic = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Sends a signed heartbeat every interval, delivers the durable event outbox in order, and runs
 * the remote commands central hands back (one at a time, never during a money step).
 *
 * All signed requests go through one queue so their sequence numbers reach central in order.
 */
export class HeartbeatSender {
  /** Changes with every process start; central uses it to turn counters into totals. */
  readonly bootId = randomUUID();
  private readonly store: MonitorStore;
  private readonly log: Logger;
  /** One per central URL; `active` is the one in use. */
  private readonly apiBases: string[];
  private active = 0;
  private readonly dataDir: string;
  private readonly requestTimeoutMs: number;
  private readonly commandRetryMs: number;
  private readonly batchSize: number;

  private started = false;
  private stopped = false;
  private readonly stopCtl = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private cycleRunning: Promise<void> | undefined;
  private readonly queue = new Mutex();
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  private acking: Promise<void> | undefined;
  private commandLoop: Promise<void> | undefined;
  private waitLoop: Promise<void> | undefined;
  /** Sequence of command-wait requests (own watermark at central; clock-based, so it survives restarts). */
  private waitSeq = 0;
  private wakeCommands: (() => void) | undefined;
  private readonly waitingLogged = new Set<string>();

  private lastAckedCounters: HealthCounters | null = null;
  private clockOffsetMs = 0;
  private centralClockSample: CentralClock | null = null;
  private eventFailures = 0;
  private eventRetryAt = 0;
  private status: HeartbeatStatus = {
    ok: null,
    at: null,
    error: null,
    reason: null,
    state: null,
    lastSuccessAt: null,
    consecutiveFailures: 0,
    beatsAccepted: 0,
    outboxDepth: 0,
    oldestQueuedAt: null,
    pendingCommands: 0,
  };

  constructor(private readonly opts: HeartbeatSenderOptions) {
    if (!(opts.intervalMs >= 50)) throw new Error('intervalMs must be at least 50');
    if (opts.secret.length < 16) throw new Error('the central secret must be at least 16 characters');
    this.store = new MonitorStore(opts.db);
    this.log = opts.logger.child({ component: 'heartbeat' });
    const urls = [opts.centralUrl, ...(opts.failoverUrls ?? [])].map((u) => `${u.replace(/\/+$/, '')}/api/v${protocolVersion}/`);
    this.apiBases = [...new Set(urls)];
    this.dataDir = opts.dataDir ?? dirname(opts.db.name);
    this.requestTimeoutMs = opts.requestTimeoutMs ?? Math.min(10_000, Math.max(2_000, opts.intervalMs));
    this.commandRetryMs = opts.commandRetryMs ?? 1_000;
    this.batchSize = opts.eventBatchSize ?? 100;
    this.refreshCounts();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    const interrupted = this.store.failInterrupted();
    if (interrupted) this.log.warn({ interrupted }, 'remote commands were interrupted by a restart; reported as failed');
    this.schedule(0);
    // Commands received before a restart and not yet run are still owed.
    this.kickCommands();
    const waitMs = Math.min(maxCommandWaitMs, this.opts.commandWaitMs ?? 0);
    if (waitMs > 0) {
      this.waitLoop = this.waitForCommands(waitMs).catch((err: unknown) => this.log.error({ err }, 'command wait loop failed'));
    }
  }

  /** Stops beating; waits for the request in flight (aborted) and the command running now. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopCtl.abort(new Error('heartbeat sender stopped'));
    this.wakeCommands?.();
    await Promise.allSettled([
      this.cycleRunning,
      this.flushing,
      this.acking,
      this.commandLoop,
      this.queue.settled(),
      this.waitLoop,
    ]);
  }

  /** Central's clock minus ours, from the last heartbeat answer (or stale rejection); null before one. */
  centralClock(): CentralClock | null {
    return this.centralClockSample;
  }

  lastResult(): HeartbeatStatus {
    return { ...this.status };
  }

  /**
   * Puts an event in the durable outbox (kept across restarts and outages, delivered in order,
   * applied once by central). Returns its sequence number. Payload: flat facts, no personal data.
   */
  enqueueEvent(type: string, payload: Record<string, unknown> = {}): number {
    const seq = this.store.enqueue(type, payload);
    this.refreshCounts();
    // Deliver promptly while central is reachable; during an outage the next good beat flushes.
    if (this.started && !this.stopped && this.status.ok && Date.now() >= this.eventRetryAt) {
      setImmediate(() => void this.flushEvents());
    }
    return seq;
  }

  /** Runs one heartbeat cycle now (maintenance panel "send now"); the regular schedule continues. */
  async beatNow(): Promise<HeartbeatStatus> {
    if (this.stopped) return this.lastResult();
    clearTimeout(this.timer);
    await this.runCycle();
    return this.lastResult();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runCycle(), delayMs);
  }

  private runCycle(): Promise<void> {
    if (this.cycleRunning) return this.cycleRunning;
    const started = Date.now();
    this.cycleRunning = this.cycle()
      .catch((err: unknown) => this.log.error({ err }, 'heartbeat cycle failed unexpectedly'))
      .finally(() => {
        this.cycleRunning = undefined;
        this.schedule(Math.max(0, this.opts.intervalMs - (Date.now() - started)));
      });
    return this.cycleRunning;
  }

  private async cycle(): Promise<void> {
    let resp: HeartbeatResponse;
    let counters: HealthCounters;
    try {
      const built = await this.buildHeartbeat();
      counters = built.counters;
      const sentAt = Date.now();
      resp = await this.signedPost(endpoints.heartbeats, JSON.stringify(built.body), 'application/json', heartbeatResponseSchema);
      // Central stamped serverTime somewhere between send and answer: compare with the midpoint.
      const answeredAt = Date.now();
      this.centralClockSample = {
        offsetMs: Date.parse(resp.serverTime) - (sentAt + answeredAt) / 2,
        uncertaintyMs: (answeredAt - sentAt) / 2,
        at: new Date(answeredAt).toISOString(),
      };
    } catch (err) {
      if (this.stopped) return;
      this.recordFailure(err);
      return;
    }
    this.lastAckedCounters = counters;
    const wasDown = this.status.ok === false;
    const now = new Date().toISOString();
    this.status = {
      ...this.status,
      ok: true,
      at: now,
      error: null,
      reason: null,
      state: resp.state,
      lastSuccessAt: now,
      consecutiveFailures: 0,
      beatsAccepted: this.status.beatsAccepted + 1,
    };
    if (wasDown) this.log.info('central reachable again');
    // Events central applied but whose ack we never saw (a lost response) are done.
    if (resp.eventsAckedSeq > 0) this.store.ackUpTo(resp.eventsAckedSeq);
    this.receiveCommands(resp.commands, 'heartbeat');
    await this.flushEvents();
    await this.flushAcks();
  }

  private receiveCommands(commands: HeartbeatResponse['commands'], via: 'heartbeat' | 'wait'): void {
    let fresh = 0;
    // Unknown kinds are stored too and answered as unsupported by execute().
    for (const c of commands) if (this.store.receiveCommand(c as RemoteCommand)) fresh++;
    if (fresh) this.log.info({ via, commands: commands.map((c) => ({ id: c.id, kind: c.kind })) }, 'remote commands received');
    this.refreshCounts();
    if (fresh) this.kickCommands();
  }

  /** Commands held and not finished, as the heartbeat and the command wait report them. */
  private pendingList(): Heartbeat['pendingCommands'] {
    return this.store
      .openCommands()
      .slice(0, 100)
      .map((c) => ({ id: c.id, state: c.status === 'running' ? ('running' as const) : ('waiting' as const) }));
  }

  /**
   * One command-wait request open at a time, outside the request queue (it may be held for
   * `waitMs`; heartbeats and events must not wait behind it). Backs off when central fails or
   * does not know the endpoint (an older central: commands still come with heartbeats).
   */
  private async waitForCommands(waitMs: number): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        this.waitSeq = nextSequence(this.waitSeq, Date.now() + this.clockOffsetMs);
        const body = JSON.stringify({ waitMs, pendingCommands: this.pendingList() });
        const resp = await this.request(
          endpoints.commandWait,
          body,
          'application/json',
          commandWaitResponseSchema,
          {},
          this.waitSeq,
          waitMs + this.requestTimeoutMs,
        );
        failures = 0;
        this.receiveCommands(resp.commands, 'wait');
      } catch (err) {
        if (this.stopped) return;
        failures++;
        const unsupported = err instanceof CentralRejected && err.status === 404;
        const backoff = unsupported
          ? 600_000
          : backoffDelay(failures, { baseMs: this.opts.intervalMs, maxMs: Math.min(60_000, this.opts.intervalMs * 2 ** 6) });
        if (failures === 1 || unsupported)
          this.log.warn(
            { error: errorText(err), retryInMs: backoff },
            'command wait failed; commands still come with heartbeats',
          );
        await sleep(backoff, this.stopCtl.signal).catch(() => undefined);
      }
    }
  }

  /** Moves to the next central URL. */
  private failover(err: unknown): void {
    const from = this.apiBases[this.active];
    this.active = (this.active + 1) % this.apiBases.length;
    this.log.warn(
      { from, to: this.apiBases[this.active], error: errorText(err) },
      'central not reachable; failing over to the next central',
    );
  }

  /** The central URL in use now (with several configured, the one that last answered). */
  currentCentral(): string {
    return this.apiBases[this.active]!.replace(/\/api\/v\d+\/$/, '');
  }

  private recordFailure(err: unknown): void {
    const rejected = err instanceof CentralRejected ? err : undefined;
    const failures = this.status.consecutiveFailures + 1;
    this.status = {
      ...this.status,
      ok: false,
      at: new Date().toISOString(),
      error: errorText(err),
      reason: rejected?.reason ?? null,
      consecutiveFailures: failures,
    };
    // Log the first failure and then every 10th, so a long outage does not flood the log.
    if (failures === 1 || failures % 10 === 0) {
      this.log.warn({ failures, reason: rejected?.reason, error: errorText(err) }, 'heartbeat not accepted by central');
    }
  }

  private refreshCounts(): void {
    const d = this.store.outboxDepth();
    this.status.outboxDepth = d.depth;
    this.status.oldestQueuedAt = d.oldestAt;
    this.status.pendingCommands = this.store.openCommands().length;
  }

  private async buildHeartbeat(): Promise<{ body: Heartbeat; counters: HealthCounters }> {
    const h = await this.opts.health.snapshot();
    const outbox = this.store.outboxDepth();
    const body: Heartbeat = {
      v: protocolVersion,
      kioskId: this.opts.kioskId,
      bootId: this.bootId,
      sentAt: new Date().toISOString(),
      intervalMs: this.opts.intervalMs,
      mode: h.mode,
      ...(h.modeMessage ? { modeMessage: clip(h.modeMessage) } : {}),
      devices: h.devices,
      paper: h.paper,
      counters: h.counters ?? zeroCounters,
      sinceLastBeat: delta(h.counters, this.lastAckedCounters),
      gas: h.gas,
      ui: h.ui,
      versions: h.versions,
      configHash: h.configHash,
      ...(h.services ? { services: h.services } : {}),
      outbox: { depth: outbox.depth, oldestAt: outbox.oldestAt },
      system: readSystem(this.dataDir),
      pendingCommands: this.pendingList(),
    };
    // Catch a malformed snapshot here, with a readable reason, instead of as a 400 from central.
    const checked = heartbeatSchema.safeParse(body);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new Error(`health snapshot is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'unknown'}`);
    }
    return { body: checked.data, counters: h.counters };
  }

  /** One signed POST, queued behind any other so sequence numbers arrive in increasing order. */
  private signedPost<S extends z.ZodType>(
    endpoint: Endpoint,
    body: string | Uint8Array<ArrayBuffer>,
    contentType: string,
    schema: S,
    extraHeaders: Record<string, string> = {},
  ): Promise<z.infer<S>> {
    const run = async (): Promise<z.infer<S>> => {
      // With several centrals, a request that cannot be delivered goes to the next one at once
      // (with a fresh sequence number: the first may have been taken before the answer was lost).
      for (let tried = 1; ; tried++) {
        if (this.stopped) throw new Error('heartbeat sender stopped');
        const base = this.active;
        try {
          return await this.request(
            endpoint,
            body,
            contentType,
            schema,
            extraHeaders,
            this.store.nextRequestSeq(),
            this.requestTimeoutMs,
          );
        } catch (err) {
          if (this.stopped || tried >= this.apiBases.length || !failoverWorthy(err)) throw err;
          if (this.active === base) this.failover(err);
        }
      }
    };
    return this.queue.run(run);
  }

  /** Signs and sends one request with the given sequence number; parses the answer with `schema`. */
  private async request<S extends z.ZodType>(
    endpoint: Endpoint,
    body: string | Uint8Array<ArrayBuffer>,
    contentType: string,
    schema: S,
    extraHeaders: Record<string, string>,
    seq: number,
    timeoutMs: number,
  ): Promise<z.infer<S>> {
    const timestamp = Date.now() + this.clockOffsetMs;
    const signed = signedHeaders(this.opts.secret, { endpoint, kioskId: this.opts.kioskId, timestamp, seq }, body);
    const res = await fetchJson(this.apiBases[this.active] + endpoint, {
      method: 'POST',
      headers: { ...signed, 'content-type': contentType, ...extraHeaders },
      body,
      timeoutMs,
      signal: this.stopCtl.signal,
    });
    const json = res.json;
    if (!res.ok) {
      const rej = rejectionSchema.safeParse(json);
      const reason = rej.success ? rej.data.reason : `http-${res.status}`;
      const message = rej.success ? `${res.status} ${rej.data.reason}: ${rej.data.error}` : `central answered HTTP ${res.status}`;
      // A kiosk with a wrong clock would be locked out forever; central's clock is the reference.
      if (res.status === 401 && reason === 'stale' && rej.success && rej.data.serverTime) {
        this.clockOffsetMs = Date.parse(rej.data.serverTime) - Date.now();
        this.centralClockSample = { offsetMs: this.clockOffsetMs, uncertaintyMs: timeoutMs, at: new Date().toISOString() };
        this.log.warn({ clockOffsetMs: this.clockOffsetMs }, 'kiosk clock differs from central; signing with central time');
      }
      throw new CentralRejected(res.status, reason, message);
    }
    return schema.parse(json);
  }

  private flushEvents(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      do {
        this.flushAgain = false;
        await this.flushOnce();
      } while (this.flushAgain && !this.stopped && Date.now() >= this.eventRetryAt);
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushOnce(): Promise<void> {
    while (!this.stopped && Date.now() >= this.eventRetryAt) {
      const batch = this.store.peek(this.batchSize);
      const first = batch[0];
      const last = batch[batch.length - 1];
      if (!first || !last) break;
      try {
        const r = await this.signedPost(
          endpoints.events,
          JSON.stringify({ events: batch }),
          'application/json',
          eventsResponseSchema,
        );
        this.store.ackUpTo(r.ackedSeq);
        this.eventFailures = 0;
        this.refreshCounts();
        // Central applies a batch whole; if it did not, stop here rather than spin.
        if (r.ackedSeq < last.seq) break;
      } catch (err) {
        if (this.stopped) return;
        this.store.recordAttempt(first.seq, last.seq, errorText(err).slice(0, 500));
        this.eventFailures++;
        // Back off (interval × 2^n, at most 10 minutes) so a central that refuses events is not hammered.
        const backoff = backoffDelay(this.eventFailures, { baseMs: this.opts.intervalMs, maxMs: 600_000 });
        this.eventRetryAt = Date.now() + backoff;
        this.log.warn({ err: errorText(err), queued: this.status.outboxDepth, retryInMs: backoff }, 'event delivery failed');
        break;
      }
    }
  }

  private flushAcks(): Promise<void> {
    if (this.acking) return this.acking;
    // Cleared in a .finally() callback, which always runs after this assignment (an async body's own
    // `finally` could run before it when there is nothing to send, leaving a settled promise behind).
    this.acking = this.sendAcks().finally(() => {
      this.acking = undefined;
    });
    return this.acking;
  }

  private async sendAcks(): Promise<void> {
    try {
      for (;;) {
        const rows = this.store.unackedResults();
        if (!rows.length || this.stopped) return;
        const acks = rows.map((r) => ({
          id: r.id,
          ok: r.status === 'succeeded',
          ...(r.detail ? { detail: clip(r.detail) } : {}),
          finishedAt: r.finishedAt ?? new Date().toISOString(),
          ...(r.screenshotId ? { screenshotId: r.screenshotId } : {}),
        }));
        const resp = await this.signedPost(
          endpoints.commandAcks,
          JSON.stringify({ acks }),
          'application/json',
          commandAcksResponseSchema,
        );
        this.store.markAcked(resp.acked);
        if (resp.acked.length < rows.length) return;
      }
    } catch (err) {
      // Results stay in the command log and go with the next good heartbeat.
      if (!this.stopped) this.log.warn({ err: errorText(err) }, 'command results not delivered yet');
    }
  }

  private kickCommands(): void {
    if (this.commandLoop) {
      this.wakeCommands?.();
      return;
    }
    this.commandLoop = this.runCommands()
      .catch((err: unknown) => this.log.error({ err }, 'remote command loop failed'))
      .finally(() => {
        this.commandLoop = undefined;
      });
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.wakeCommands = done;
    });
    this.wakeCommands = undefined;
  }

  private async runCommands(): Promise<void> {
    while (!this.stopped) {
      const next = this.store.openCommands().find((c) => c.status === 'waiting');
      if (!next) return;
      if (!this.opts.commands.canRunNow()) {
        if (!this.waitingLogged.has(next.id)) {
          this.waitingLogged.add(next.id);
          this.log.info({ id: next.id, kind: next.kind }, 'remote command waits: a money step is in progress');
        }
        await this.sleep(this.commandRetryMs);
        continue;
      }
      this.waitingLogged.delete(next.id);
      if (!this.store.markRunning(next.id)) continue;
      this.refreshCounts();
      let result: RemoteCommandResult & { screenshotId?: string };
      try {
        result = await this.execute(next);
      } catch (err) {
        result = { ok: false, detail: `failed: ${errorText(err)}` };
      }
      if (this.stopped && !result.ok) {
        // Stopped mid-command (its upload was aborted): leave it running; the restart reports it.
        return;
      }
      this.store.finishCommand(next.id, result.ok, clip(result.detail), result.screenshotId);
      this.refreshCounts();
      this.log.info({ id: next.id, kind: next.kind, ok: result.ok, detail: result.detail }, 'remote command finished');
      void this.flushAcks();
    }
  }

  private async execute(c: CommandRow): Promise<RemoteCommandResult & { screenshotId?: string }> {
    const h = this.opts.commands;
    switch (c.kind) {
      case 'set-out-of-service':
        return h.setOutOfService(c.message ?? '');
      case 'set-in-service':
        return h.setInService(c.message ?? undefined);
      case 'restart-ui':
        return h.restartUi();
      case 'printer-test-page':
        return h.printerTestPage();
      case 'reload-config':
        return h.reloadConfig();
      case 'screenshot': {
        const png = await h.screenshot();
        if (png.length < 8 || !pngMagic.every((b, i) => png[i] === b)) return { ok: false, detail: 'screenshot is not a PNG' };
        // Copied so fetch gets an ArrayBuffer-backed view whatever the handler returned.
        const r = await this.signedPost(endpoints.screenshots, new Uint8Array(png), 'image/png', screenshotResponseSchema, {
          [headers.commandId]: c.id,
        });
        return { ok: true, detail: `${png.length} bytes`, screenshotId: r.id };
      }
      default: {
        // A newer central may send kinds this agent does not know; say so instead of hanging.
        const kind: string = c.kind;
        return { ok: false, detail: `unsupported command ${kind}` };
      }
    }
  }
}
