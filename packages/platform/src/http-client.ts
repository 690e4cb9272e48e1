/**
 * Outgoing HTTP with a deadline, and the backoff rule for retries. Callers keep their own policy
 * (what to retry, what an answer means); this file holds the parts they all need the same way.
 */

/** A call that got no complete answer within its deadline. */
export class HttpTimeoutError extends Error {
  override name = 'HttpTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

export interface FetchJsonInit extends Omit<RequestInit, 'signal'> {
  /** Deadline for the whole exchange, body included. */
  timeoutMs: number;
  /** The caller's own cancel (session ended, process stopping). Its reason is thrown as is. */
  signal?: AbortSignal;
  /** Injected fetch (tests); global fetch otherwise. */
  fetch?: typeof fetch;
}

export interface JsonAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; undefined when empty or not JSON (see `parsed`). */
  json: unknown;
  /** False when a non-empty body is not JSON. */
  parsed: boolean;
}

/**
 * One request; reads the whole body and parses it leniently. Throws HttpTimeoutError at the
 * deadline, the caller's abort reason when `signal` fires, and fetch's own error when the peer
 * cannot be reached. HTTP error statuses are answers, not throws.
 */
export async function fetchJson(url: string, init: FetchJsonInit): Promise<JsonAnswer> {
  const { timeoutMs, signal: callerSignal, fetch: fetchImpl = fetch, ...rest } = init;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetchImpl(url, { ...rest, signal });
    text = await res.text();
  } catch (err) {
    if (callerSignal?.aborted) throw callerSignal.reason instanceof Error ? callerSignal.reason : err;
    if (timeout.aborted) throw new HttpTimeoutError(timeoutMs);
    throw err;
  }
  let json: unknown;
  let parsed = true;
  try {
    json = text.length ? JSON.parse(text) : undefined;
  } catch {
    parsed = false;
  }
  return { status: res.status, ok: res.ok, headers: res.headers, text, json, parsed };
}

export interface Backoff {
  /** Wait before the first retry. */
  baseMs: number;
  /** Ceiling of the doubling. */
  maxMs: number;
  /** Spread retries over [d/2, d) so many clients don't retry in step. */
  jitter?: boolean;
}

/** Exponential backoff: the wait after failure number `failures` (1 → baseMs, 2 → 2·baseMs …). */
export function backoffDelay(
  failures: number,
  { baseMs, maxMs, jitter = false }: Backoff,
  random: () => number = Math.random,
): number {
  // Cap the exponent: 2 ** 1100 is Infinity, and Infinity * 0 is NaN.
  const d = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 52));
  return jitter ? d / 2 + random() * (d / 2) : d;
}

/** setTimeout as a promise that rejects with the signal's reason when it fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // The signal's reason is what callers check (often an Error, whatever abort() was given).
    const reason = (): Error =>
      signal?.reason instanceof Error ? signal.reason : new Error('aborted', { cause: signal?.reason });
    if (signal?.aborted) {
      reject(reason());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(reason());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
