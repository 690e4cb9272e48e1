import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { z } from 'zod';
import { defineCommand } from '../../apps/agent/src/api/commands.js';
import { createWsApi, type WsApi } from '../../apps/agent/src/api/ws-server.js';
import { silentLogger } from '@kiosk/platform';
import { TestSocket } from '../helpers/ws.js';

/**
 * Common.Cancel is how the UI gets out of a stuck step: it must be accepted even when the
 * connection already has its maximum of commands in flight, and a malformed cancel must be
 * refused instead of cancelling everything.
 */
const token = 'c'.repeat(32);
let server: Server;
let api: WsApi;
let url: string;
/** Releases every Test.Wait still running (their handlers never finish on their own). */
const releases: (() => void)[] = [];

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  api = createWsApi({
    server,
    token,
    allowedOrigins: [url],
    allowedHosts: ['127.0.0.1'],
    logger: silentLogger(),
    commands: [
      defineCommand({
        name: 'Test.Wait',
        payload: z.object({}),
        handle: (_p, ctx) =>
          new Promise((resolve) => {
            const done = (): void => resolve({ completionCode: 'success' });
            releases.push(done);
            ctx.signal.addEventListener('abort', done);
          }),
      }),
    ],
  });
});
afterAll(async () => {
  releases.forEach((r) => r());
  await api.close();
  server.close();
});

async function fill(s: TestSocket, from: number, n: number): Promise<number[]> {
  const ids = Array.from({ length: n }, (_, i) => from + i);
  for (const id of ids) s.send({ header: { name: 'Test.Wait', requestId: id, type: 'command' }, payload: {} });
  await s.next((m) => m.header.requestId === ids.at(-1) && m.header.type === 'acknowledge');
  return ids;
}

const completion = (s: TestSocket, id: number) => s.next((m) => m.header.requestId === id && m.header.type === 'completion');

describe('Common.Cancel', () => {
  it('is accepted with 32 commands in flight and cancels the one it names', async () => {
    const s = await TestSocket.open(url, token);
    const ids = await fill(s, 100, 32);
    // Every one of the 32 was accepted (no status on the acknowledge).
    expect(s.messages.filter((m) => m.header.type === 'acknowledge' && !m.header.status)).toHaveLength(32);
    // A 33rd ordinary command is refused …
    s.send({ header: { name: 'Test.Wait', requestId: 200, type: 'command' }, payload: {} });
    expect((await s.next((m) => m.header.requestId === 200)).header.status).toBe('tooManyRequests');
    // … but a cancel is not.
    const c = await s.command('Common.Cancel', { requestIds: [ids[0]] }, 201);
    const ack = s.messages.find((m) => m.header.requestId === 201 && m.header.type === 'acknowledge');
    expect(ack?.header.status).toBeUndefined();
    expect(c.header.completionCode).toBe('success');
    expect((await completion(s, ids[0]!)).header.completionCode).toBe('canceled');
    // The others keep running.
    expect(s.messages.filter((m) => m.header.type === 'completion' && ids.includes(m.header.requestId))).toHaveLength(1);
    s.close();
  });

  it.each([
    ['a string', 'all'],
    ['null', null],
    ['an object', { id: 1 }],
    ['an array with a non-integer', [1, 'x']],
  ])('refuses requestIds that are %s with invalidData and cancels nothing', async (_label, requestIds) => {
    const s = await TestSocket.open(url, token);
    const ids = await fill(s, 300, 3);
    const c = await s.command('Common.Cancel', { requestIds }, 400);
    expect(c.header.completionCode).toBe('invalidData');
    expect(c.header.errorDescription).toMatch(/requestIds/);
    // Nothing was canceled: prove it by cancelling one properly and seeing only that one end.
    await s.command('Common.Cancel', { requestIds: [ids[1]] }, 401);
    await completion(s, ids[1]!);
    expect(
      s.messages.filter((m) => m.header.type === 'completion' && ids.includes(m.header.requestId)).map((m) => m.header.requestId),
    ).toEqual([ids[1]]);
    s.close();
  });

  it('refuses unknown payload fields, and without requestIds cancels everything on the connection (XFS4IoT)', async () => {
    const s = await TestSocket.open(url, token);
    const bad = await s.command('Common.Cancel', { requestIds: [1], extra: true }, 500);
    expect(bad.header.completionCode).toBe('invalidData');
    const ids = await fill(s, 600, 2);
    expect((await s.command('Common.Cancel', {}, 700)).header.completionCode).toBe('success');
    for (const id of ids) expect((await completion(s, id)).header.completionCode).toBe('canceled');
    s.close();
  });
});
