// The shared connector plumbing (services/upstream-link.ts): the client goes through the link's own
// breaker with the options given, and the breaker shows in the upstream status.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import { upstreamLink, withBreakerStatus } from '../../apps/agent/src/services/upstream-link.js';
import type { UpstreamError } from '../../apps/agent/src/services/errors.js';

const log = pino({ level: 'silent' });
const none = { states: () => ({ tax: 'up' as const }), onChange: () => () => {} };

describe('upstreamLink', () => {
  it('sends to the base URL with the kiosk id, through its own breaker (which opens at the threshold)', async () => {
    const seen: { url: string; kiosk: string | null }[] = [];
    const fetchStub: typeof fetch = (input, init) => {
      seen.push({ url: String(input), kiosk: new Headers(init?.headers).get('x-kiosk-id') });
      return Promise.resolve(new Response(JSON.stringify({ code: 'X', message: 'down' }), { status: 503 }));
    };
    const { breaker, client } = upstreamLink('face', {
      baseUrl: 'http://upstream.test',
      timeoutMs: 1000,
      kioskId: 'K9',
      logger: log,
      breaker: { failureThreshold: 1, coolDownMs: 60_000 },
      fetch: fetchStub,
    });
    expect(breaker.upstream).toBe('face');
    const spec = {
      operation: 'face.verify',
      method: 'POST' as const,
      path: '/face/verify',
      body: {},
      schema: z.object({}),
      retry: false,
    };
    const first = await client.request(spec).catch((e: unknown) => e as UpstreamError);
    expect(first).toBeInstanceOf(Error);
    expect(seen).toEqual([{ url: 'http://upstream.test/face/verify', kiosk: 'K9' }]);
    expect(breaker.snapshot().state).toBe('open');
    const second = await client.request(spec).catch((e: unknown) => e as UpstreamError);
    expect((second as UpstreamError).code).toBe('CIRCUIT_OPEN');
    expect(seen).toHaveLength(1);
  });
});

describe('withBreakerStatus', () => {
  it('adds the upstream as up while its breaker is closed and down once it opens, notifying the change', () => {
    const { breaker } = upstreamLink('eid', {
      baseUrl: 'http://x',
      timeoutMs: 1,
      kioskId: 'K',
      logger: log,
      breaker: { failureThreshold: 1 },
    });
    const status = withBreakerStatus(none, 'eid', breaker);
    expect(status.states()).toEqual({ tax: 'up', eid: 'up' });
    let changes = 0;
    const off = status.onChange(() => changes++);
    breaker.onFailure('TIMEOUT');
    expect(status.states()).toEqual({ tax: 'up', eid: 'down' });
    expect(changes).toBe(1);
    off();
    breaker.reset();
    expect(changes).toBe(1);
  });

  it('an upstream without a connector is down', () => {
    expect(withBreakerStatus(none, 'face', null).states()).toEqual({ tax: 'up', face: 'down' });
  });
});
