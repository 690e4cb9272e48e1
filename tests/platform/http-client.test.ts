import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay, fetchJson, HttpTimeoutError, sleep } from '@kiosk/platform';

let server: Server;
let base: string;
const hung: (() => void)[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/json') res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":1}');
    else if (req.url === '/text') res.writeHead(502).end('<html>bad gateway</html>');
    else if (req.url === '/empty') res.writeHead(204).end();
    else if (req.url === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.writeHead(201).end(JSON.stringify({ method: req.method, body })));
    } else hung.push(() => res.end()); // never answers until the test ends
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const end of hung) end();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('fetchJson', () => {
  it('parses JSON, keeps a non-JSON body as text, and treats error statuses as answers', async () => {
    const ok = await fetchJson(`${base}/json`, { timeoutMs: 5000 });
    expect(ok).toMatchObject({ status: 200, ok: true, json: { a: 1 }, parsed: true });
    const bad = await fetchJson(`${base}/text`, { timeoutMs: 5000 });
    expect(bad).toMatchObject({ status: 502, ok: false, json: undefined, parsed: false, text: '<html>bad gateway</html>' });
    const empty = await fetchJson(`${base}/empty`, { timeoutMs: 5000 });
    expect(empty).toMatchObject({ status: 204, json: undefined, parsed: true });
  });
  it('sends method, headers and body', async () => {
    const r = await fetchJson(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"x":2}',
      timeoutMs: 5000,
    });
    expect(r.json).toEqual({ method: 'POST', body: '{"x":2}' });
  });
  it('throws HttpTimeoutError at the deadline', async () => {
    await expect(fetchJson(`${base}/hang`, { timeoutMs: 50 })).rejects.toBeInstanceOf(HttpTimeoutError);
  });
  it("throws the caller's abort reason, not a timeout", async () => {
    const ctl = new AbortController();
    const p = fetchJson(`${base}/hang`, { timeoutMs: 60_000, signal: ctl.signal });
    ctl.abort(new Error('session ended'));
    await expect(p).rejects.toThrow('session ended');
  });
  it('passes an unreachable peer on as fetch failed', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await new Promise((r) => closed.once('listening', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await fetchJson(`http://127.0.0.1:${port}/`, { timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(HttpTimeoutError);
  });
});

describe('backoffDelay', () => {
  it('doubles from the base up to the ceiling', () => {
    const b = { baseMs: 200, maxMs: 2000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, b))).toEqual([200, 400, 800, 1600, 2000]);
    expect(backoffDelay(5000, b)).toBe(2000);
  });
  it('jitter spreads over [d/2, d)', () => {
    const b = { baseMs: 200, maxMs: 2000, jitter: true };
    expect(backoffDelay(2, b, () => 0)).toBe(200);
    expect(backoffDelay(2, b, () => 0.999)).toBeCloseTo(399.8);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason', async () => {
    const ctl = new AbortController();
    const p = sleep(60_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    await expect(sleep(1)).resolves.toBeUndefined();
  });
});
