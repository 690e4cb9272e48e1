import express from 'express';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { errorStatus, publicMessage, serviceError, serviceErrorHandler, serviceNotFound, upstreamError } from '@kiosk/platform';

describe('HTTP error shapes', () => {
  it('service and upstream bodies', () => {
    expect(serviceError('no such route')).toEqual({ ok: false, error: 'no such route' });
    expect(upstreamError('NO_SUCH_ROUTE', 'no such route')).toEqual({
      error: { code: 'NO_SUCH_ROUTE', message: 'no such route' },
    });
  });
  it('status and message rules', () => {
    expect(errorStatus({ status: 413, type: 'entity.too.large' })).toBe(413);
    expect(errorStatus({ status: 302 })).toBe(500);
    expect(errorStatus(new Error('boom'))).toBe(500);
    expect(publicMessage({ status: 400, type: 'entity.parse.failed', message: 'Unexpected token' })).toBe(
      'body is not valid JSON',
    );
    expect(publicMessage({ status: 413, type: 'entity.too.large' })).toBe('body too large');
    expect(publicMessage(new Error('db path /var/lib/secret'))).toBe('internal error');
    expect(publicMessage(Object.assign(new Error('bad field'), { status: 422 }))).toBe('bad field');
  });
  it('the Express handlers answer in the service shape and log 500s', async () => {
    const logged: unknown[] = [];
    const app = express();
    app.use(express.json({ limit: '1kb' }));
    app.post('/boom', () => {
      throw new Error('secret detail');
    });
    app.post('/ok', (req, res) => {
      res.json(req.body);
    });
    app.use(serviceNotFound);
    app.use(serviceErrorHandler({ error: (obj) => logged.push(obj) }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const post = (path: string, body: string) =>
        fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      let r = await post('/nowhere', '{}');
      expect([r.status, await r.json()]).toEqual([404, { ok: false, error: 'no such route' }]);
      r = await post('/ok', '{not json');
      expect([r.status, await r.json()]).toEqual([400, { ok: false, error: 'body is not valid JSON' }]);
      r = await post('/ok', JSON.stringify({ a: 'x'.repeat(2000) }));
      expect([r.status, await r.json()]).toEqual([413, { ok: false, error: 'body too large' }]);
      r = await post('/boom', '{}');
      expect([r.status, await r.json()]).toEqual([500, { ok: false, error: 'internal error' }]);
      expect(logged).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
