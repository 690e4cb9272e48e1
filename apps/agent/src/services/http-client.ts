import { randomUUID } from 'node:crypto';
import { backoffDelay, fetchJson, HttpTimeoutError, sleep, type JsonAnswer } from '@kiosk/platform';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { CircuitBreaker } from './breaker.js';
import { errorBodySchema } from '@kiosk/contracts/upstream';
import { UpstreamError, type UpstreamErrorCode, type UpstreamName } from './errors.js';

/**
 * The one place connectors touch the network: global fetch with a per-attempt timeout, bounded
 * retries with jittered exponential backoff for calls that are safe to repeat, the upstream's
 * circuit breaker, the kiosk's identity headers, and zod validation of every answer.
 */

export interface RetryPolicy {
  /** Total attempts including the first. Default 3. */
  maxAttempts: number;
  /** First backoff; doubles each retry (with jitter). Default 200 ms. */
  baseDelayMs: number;
  maxDelayMs: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 2_000 };

/** Per-call options every connector method accepts. */
export interface CallOptions {
  /** Correlates kiosk, sandbox and bridge logs; generated when absent. Kept across retries. */
  requestId?: string;
  /** Aborts the call (e.g. the session ended). */
  signal?: AbortSignal;
  /** Overrides the connector's per-attempt timeout. */
  timeoutMs?: number;
}

export interface RequestSpec<T> {
  /** Logged and put in errors, e.g. `property.query`. */
  operation: string;
  method: 'GET' | 'POST';
  /** Path under the upstream's base URL, already encoded. */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  schema: z.ZodType<T>;
  /**
   * Only idempotent reads and calls carrying an idempotency key (serial number, out_trade_no,
   * out_refund_no…) may be repeated: a lost reply must never turn into a second credit.
   */
  retry: boolean;
}

export interface UpstreamClientOptions {
  upstream: UpstreamName;
  baseUrl: string;
  timeoutMs: number;
  kioskId: string;
  logger: Logger;
  breaker: CircuitBreaker;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
}

interface AttemptFailure {
  error: UpstreamError;
  /** Counts against the breaker (the upstream misbehaved, as opposed to saying no). */
  upstreamFault: boolean;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export class UpstreamClient {
  readonly upstream: UpstreamName;
  readonly breaker: CircuitBreaker;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly kioskId: string;
  private readonly log: Logger;
  private readonly retry: RetryPolicy;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: UpstreamClientOptions) {
    this.upstream = opts.upstream;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs;
    this.kioskId = opts.kioskId;
    this.log = opts.logger.child({ upstream: opts.upstream });
    this.breaker = opts.breaker;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.fetchImpl = opts.fetch ?? fetch;
    if (this.retry.maxAttempts < 1) throw new Error('maxAttempts must be at least 1');
  }

  async request<T>(spec: RequestSpec<T>, call: CallOptions = {}): Promise<T> {
    const requestId = call.requestId ?? randomUUID();
    const attempts = spec.retry ? this.retry.maxAttempts : 1;
    let last: UpstreamError | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (call.signal?.aborted) throw this.canceled(spec, requestId);
      if (!this.breaker.tryAcquire()) {
        // Retrying into an open circuit: report what actually went wrong, not just "open".
        throw (
          last ??
          new UpstreamError({
            upstream: this.upstream,
            operation: spec.operation,
            code: 'CIRCUIT_OPEN',
            requestId,
            detail: `circuit open after ${this.breaker.snapshot().consecutiveFailures} failures; not attempted`,
          })
        );
      }
      const started = performance.now();
      let outcome: { ok: true; value: T } | { ok: false; failure: AttemptFailure };
      try {
        outcome = await this.attempt(spec, requestId, call);
      } catch (err) {
        this.breaker.release();
        throw err;
      }
      const ms = Math.round(performance.now() - started);
      if (outcome.ok) {
        this.breaker.onSuccess();
        this.log.debug({ op: spec.operation, requestId, attempt, ms }, 'upstream call ok');
        return outcome.value;
      }
      const { error, upstreamFault } = outcome.failure;
      if (error.code === 'CANCELED') {
        this.breaker.release();
        throw error;
      }
      if (upstreamFault) this.breaker.onFailure(error.code);
      else this.breaker.onSuccess();
      this.log.warn(
        {
          op: spec.operation,
          requestId,
          attempt,
          ms,
          code: error.code,
          status: error.status,
          upstreamCode: error.upstreamCode,
          breaker: this.breaker.state,
        },
        'upstream call failed',
      );
      last = error;
      if (!error.retryable || attempt === attempts) break;
      try {
        await sleep(
          backoffDelay(attempt, { baseMs: this.retry.baseDelayMs, maxMs: this.retry.maxDelayMs, jitter: true }),
          call.signal,
        );
      } catch {
        throw this.canceled(spec, requestId);
      }
    }
    throw last as UpstreamError;
  }

  private canceled(spec: RequestSpec<unknown>, requestId: string): UpstreamError {
    return new UpstreamError({
      upstream: this.upstream,
      operation: spec.operation,
      code: 'CANCELED',
      requestId,
      detail: 'canceled by the caller',
    });
  }

  private fail(
    spec: RequestSpec<unknown>,
    requestId: string,
    code: UpstreamErrorCode,
    detail: string,
    extra: {
      status?: number;
      upstreamCode?: string;
      retryable?: boolean;
      upstreamFault: boolean;
    },
  ): { ok: false; failure: AttemptFailure } {
    const error = new UpstreamError({
      upstream: this.upstream,
      operation: spec.operation,
      code,
      requestId,
      detail,
      ...(extra.status !== undefined ? { status: extra.status } : {}),
      ...(extra.upstreamCode !== undefined ? { upstreamCode: extra.upstreamCode } : {}),
      retryable: extra.retryable ?? false,
    });
    return { ok: false, failure: { error, upstreamFault: extra.upstreamFault } };
  }

  private async attempt<T>(
    spec: RequestSpec<T>,
    requestId: string,
    call: CallOptions,
  ): Promise<{ ok: true; value: T } | { ok: false; failure: AttemptFailure }> {
    const qs = spec.query ? `?${new URLSearchParams(spec.query).toString()}` : '';
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-kiosk-id': this.kioskId,
      'x-request-id': requestId,
    };
    if (spec.body !== undefined) headers['content-type'] = 'application/json';

    let answer: JsonAnswer;
    try {
      answer = await fetchJson(`${this.baseUrl}${spec.path}${qs}`, {
        method: spec.method,
        headers,
        ...(spec.body !== undefined ? { body: JSON.stringify(spec.body) } : {}),
        timeoutMs: call.timeoutMs ?? this.timeoutMs,
        ...(call.signal ? { signal: call.signal } : {}),
        fetch: this.fetchImpl,
      });
    } catch (err) {
      if (call.signal?.aborted) return this.fail(spec, requestId, 'CANCELED', 'canceled by the caller', { upstreamFault: false });
      if (err instanceof HttpTimeoutError) {
        return this.fail(spec, requestId, 'TIMEOUT', `no answer within ${call.timeoutMs ?? this.timeoutMs} ms`, {
          retryable: true,
          upstreamFault: true,
        });
      }
      const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.message) : String(err);
      return this.fail(spec, requestId, 'UNREACHABLE', `cannot reach upstream: ${cause}`, {
        retryable: true,
        upstreamFault: true,
      });
    }

    const { status, json, parsed } = answer;

    if (status >= 200 && status < 300) {
      if (!parsed)
        return this.fail(spec, requestId, 'BAD_RESPONSE', `status ${status} with a body that is not JSON`, {
          status,
          retryable: true,
          upstreamFault: true,
        });
      const r = spec.schema.safeParse(json);
      if (!r.success) {
        const where = r.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        return this.fail(spec, requestId, 'BAD_RESPONSE', `answer does not match the contract (${where})`, {
          status,
          upstreamFault: true,
        });
      }
      return { ok: true, value: r.data };
    }

    const errBody = parsed ? errorBodySchema.safeParse(json) : undefined;
    const upstreamCode = errBody?.success ? errBody.data.error.code : undefined;
    const upstreamMessage = errBody?.success ? `: ${errBody.data.error.message}` : '';
    const detail = `upstream answered ${status}${upstreamCode ? ` ${upstreamCode}` : ''}${upstreamMessage}`;
    const extra = { status, ...(upstreamCode ? { upstreamCode } : {}) };
    if (status >= 500 || RETRYABLE_STATUS.has(status)) {
      return this.fail(spec, requestId, 'SERVER_ERROR', detail, {
        ...extra,
        retryable: RETRYABLE_STATUS.has(status),
        upstreamFault: true,
      });
    }
    if (status === 404) return this.fail(spec, requestId, 'NOT_FOUND', detail, { ...extra, upstreamFault: false });
    if (status === 400) return this.fail(spec, requestId, 'INVALID_REQUEST', detail, { ...extra, upstreamFault: false });
    return this.fail(spec, requestId, 'REJECTED', detail, { ...extra, upstreamFault: false });
  }
}

/** Checks what the kiosk is about to send; a bad request never reaches the network or the breaker. */
export function checkRequest<T>(
  upstream: UpstreamName,
  operation: string,
  schema: z.ZodType<T>,
  value: unknown,
  call: CallOptions = {},
): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const where = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  throw new UpstreamError({
    upstream,
    operation,
    code: 'INVALID_REQUEST',
    requestId: call.requestId ?? 'not-sent',
    detail: `request rejected before sending (${where})`,
  });
}

/** For lookups where "not there" is an answer, not an error. */
export async function orNull<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof UpstreamError && err.code === 'NOT_FOUND') return null;
    throw err;
  }
}
