import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { silentLogger } from '@kiosk/platform';
import { testConfig, tempDir } from '../helpers/config.js';
import { TestSocket } from '../helpers/ws.js';

let agent: Agent;
let uiDir: string;

beforeAll(async () => {
  uiDir = tempDir('kiosk-ui-');
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><html><head><title>t</title></head><body>ui</body></html>');
  writeFileSync(join(uiDir, 'assets', 'app-123.js'), 'console.log(1)');
  agent = await startAgent(testConfig(), { logger: silentLogger(), uiDir });
});
afterAll(async () => {
  await agent?.stop();
});

describe('agent HTTP', () => {
  it('serves /healthz', async () => {
    const res = await fetch(`${agent.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', kioskId: 'XN-ZWFW-24H-01', mode: 'in-service' });
  });

  it('puts the per-boot token in the page it serves, and only there', async () => {
    const html = await (await fetch(`${agent.url}/`)).text();
    expect(html).toContain(`<meta name="kiosk-token" content="${agent.token}">`);
    expect(agent.token.length).toBeGreaterThanOrEqual(32);
    // The UI routes by hash: any other path is 404 and never carries the token.
    const deep = await fetch(`${agent.url}/some/client/route`);
    expect(deep.status).toBe(404);
    expect(await deep.text()).not.toContain(agent.token);
    const asset = await fetch(`${agent.url}/assets/app-123.js`);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect(await asset.text()).not.toContain(agent.token);
    expect((await fetch(`${agent.url}/api/nope`)).status).toBe(404);
  });

  it('listens on loopback only', () => {
    expect(new URL(agent.url).hostname).toBe('127.0.0.1');
  });
});

describe('agent WebSocket', () => {
  it('refuses a connection without the token or from another origin', async () => {
    await expect(TestSocket.open(agent.url, 'wrong')).rejects.toThrow(/401/);
    await expect(TestSocket.open(agent.url, agent.token, 'http://evil.example')).rejects.toThrow(/403/);
  });

  it('acknowledges, then completes a command exactly once', async () => {
    const s = await TestSocket.open(agent.url, agent.token);
    const done = await s.command('Common.Status', {}, 7);
    const forSeven = s.messages.filter((m) => m.header.requestId === 7);
    expect(forSeven.map((m) => m.header.type)).toEqual(['acknowledge', 'completion']);
    expect(done.header.completionCode).toBe('success');
    expect(done.payload).toMatchObject({ mode: 'in-service', kioskId: 'XN-ZWFW-24H-01' });
    s.close();
  });

  it('answers garbage with a readable rejection and keeps the connection', async () => {
    const s = await TestSocket.open(agent.url, agent.token);
    s.send('{not json');
    const a = await s.next((m) => m.header.type === 'acknowledge' && m.header.status === 'invalidMessage');
    expect(a.header.errorDescription).toMatch(/not valid JSON/);
    s.send({ header: { name: 'Common.Status', requestId: 5, type: 'event' }, payload: {} });
    const b = await s.next((m) => m.header.requestId === 5);
    expect(b.header.status).toBe('invalidMessage');
    expect(b.header.errorDescription).toMatch(/header\.type/);
    s.send({ header: { name: 'nonsense', requestId: 6, type: 'command' } });
    expect((await s.next((m) => m.header.requestId === 6)).header.errorDescription).toMatch(/Interface\.Command/);
    s.ws.send(Buffer.from([0, 1, 2]));
    await s.next((m) => m.header.errorDescription?.includes('binary') ?? false);
    // still alive:
    expect((await s.command('Common.Status')).header.completionCode).toBe('success');
    s.close();
  });

  it('completes unknown commands with unsupportedCommand and bad payloads with invalidData', async () => {
    const s = await TestSocket.open(agent.url, agent.token);
    const u = await s.command('Printer.Fly');
    expect(u.header.completionCode).toBe('unsupportedCommand');
    expect(u.header.errorDescription).toMatch(/Printer\.Fly/);
    const d = await s.command('Common.Status', { extra: 1 });
    expect(d.header.completionCode).toBe('invalidData');
    expect(d.header.errorDescription).toMatch(/extra/);
    s.close();
  });

  it('rejects a requestId that is still in flight', async () => {
    const s = await TestSocket.open(agent.url, agent.token);
    // Two sends in one tick: the second arrives while the first is in flight or just completed;
    // either way exactly one completion per accepted command.
    s.send({ header: { name: 'Common.Status', requestId: 9, type: 'command' }, payload: {} });
    s.send({ header: { name: 'Common.Status', requestId: 9, type: 'command' }, payload: {} });
    await s.next((m) => m.header.requestId === 9 && m.header.type === 'completion');
    await new Promise((r) => setTimeout(r, 200));
    const msgs = s.messages.filter((m) => m.header.requestId === 9);
    const accepted = msgs.filter((m) => m.header.type === 'acknowledge' && !m.header.status).length;
    const completions = msgs.filter((m) => m.header.type === 'completion').length;
    expect(completions).toBe(accepted);
    s.close();
  });

  it('broadcasts unsolicited messages to every connection', async () => {
    const a = await TestSocket.open(agent.url, agent.token);
    const b = await TestSocket.open(agent.url, agent.token);
    agent.ws.broadcast('Common.StatusChangedEvent', { device: 'printer', status: { device: 'online' } });
    for (const s of [a, b]) {
      const m = await s.next((x) => x.header.type === 'unsolicited');
      expect(m.header.name).toBe('Common.StatusChangedEvent');
      expect(m.payload).toMatchObject({ device: 'printer' });
      s.close();
    }
  });
});

describe('command timeouts and cancel', () => {
  it('times out a slow command, cancels on request, and never completes twice', async () => {
    const { createServer } = await import('node:http');
    const { createWsApi } = await import('../../apps/agent/src/api/ws-server.js');
    const { defineCommand } = await import('../../apps/agent/src/api/commands.js');
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const url = `http://127.0.0.1:${port}`;
    const api = createWsApi({
      server,
      token: 't'.repeat(32),
      allowedOrigins: [url],
      allowedHosts: ['127.0.0.1'],
      logger: silentLogger(),
      commands: [
        defineCommand({
          name: 'Test.Slow',
          payload: z.object({}),
          handle: (_p, ctx) =>
            new Promise((resolve) => {
              ctx.event('Test.Progress', { step: 1 });
              setTimeout(() => resolve({ completionCode: 'success' }), 1500);
            }),
        }),
        defineCommand({
          name: 'Test.Crash',
          payload: z.object({}),
          handle: async () => {
            throw new Error('secret internals');
          },
        }),
      ],
    });
    const s = await TestSocket.open(url, 't'.repeat(32));
    const t = await s.command('Test.Slow', {}, 1, 100);
    expect(t.header.completionCode).toBe('timeOut');
    expect(s.messages.some((m) => m.header.requestId === 1 && m.header.type === 'event')).toBe(true);
    s.send({ header: { name: 'Test.Slow', requestId: 2, type: 'command' }, payload: {} });
    await s.next((m) => m.header.requestId === 2 && m.header.type === 'acknowledge');
    const c = await s.command('Common.Cancel', { requestIds: [2] }, 3);
    expect(c.header.completionCode).toBe('success');
    const canceled = await s.next((m) => m.header.requestId === 2 && m.header.type === 'completion');
    expect(canceled.header.completionCode).toBe('canceled');
    const crash = await s.command('Test.Crash', {}, 4);
    expect(crash.header.completionCode).toBe('internalError');
    expect(crash.header.errorDescription).not.toMatch(/secret/);
    await new Promise((r) => setTimeout(r, 1700));
    for (const id of [1, 2]) {
      expect(s.messages.filter((m) => m.header.requestId === id && m.header.type === 'completion')).toHaveLength(1);
    }
    s.close();
    await api.close();
    server.close();
  });
});
