/**
 * The plumbing every upstream connector shares: its own circuit breaker, the HTTP client that goes
 * through it, and how the breaker shows in the upstream status the session and heartbeats read.
 * The connectors (face.ts, photo.ts, eid.ts, index.ts) only add their operations on top.
 */
import type { Logger } from 'pino';
import { CircuitBreaker, type BreakerOptions } from './breaker.js';
import type { UpstreamName } from './errors.js';
import { UpstreamClient, type RetryPolicy } from './http-client.js';

/** The kiosk's upstream settings the connectors read. */
export interface UpstreamConfig {
  kiosk: { id: string };
  upstream: { baseUrl: string; timeoutMs: number };
}

/** What a connector of one upstream is built from. */
export interface UpstreamLinkOptions {
  baseUrl: string;
  timeoutMs: number;
  kioskId: string;
  logger: Logger;
  breaker?: Partial<BreakerOptions>;
  retry?: Partial<RetryPolicy>;
  fetch?: typeof fetch;
}

/** A new circuit breaker for `upstream` and the client whose calls it guards. */
export function upstreamLink(
  upstream: UpstreamName,
  opts: UpstreamLinkOptions,
): { breaker: CircuitBreaker; client: UpstreamClient } {
  const breaker = new CircuitBreaker(upstream, opts.breaker);
  const client = new UpstreamClient({
    upstream,
    baseUrl: opts.baseUrl,
    timeoutMs: opts.timeoutMs,
    kioskId: opts.kioskId,
    logger: opts.logger,
    breaker,
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  return { breaker, client };
}

type UpstreamHealth = 'up' | 'down' | 'unknown';

/** The upstream states the session's availability reads, with change notification. */
export interface UpstreamStatusSource {
  states(): Readonly<Record<string, UpstreamHealth>>;
  onChange(fn: () => void): () => void;
}

/**
 * Adds `name` to an upstream status source: up while its breaker is not open; down when it is, or
 * when there is no connector at all (not configured). Its breaker's changes notify too.
 */
export function withBreakerStatus(
  source: UpstreamStatusSource,
  name: string,
  breaker: CircuitBreaker | null,
): UpstreamStatusSource {
  return {
    states: () => ({ ...source.states(), [name]: breaker && breaker.snapshot().state !== 'open' ? 'up' : 'down' }),
    onChange(fn) {
      const off = source.onChange(fn);
      breaker?.on('change', fn);
      return () => {
        off();
        breaker?.off('change', fn);
      };
    },
  };
}
