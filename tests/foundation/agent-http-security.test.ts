import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { BrowserContext } from 'playwright-core';
import { startAgent, type Agent } from '../../apps/agent/src/agent.js';
import { silentLogger } from '@kiosk/platform';
import { testConfig } from '../helpers/config.js';
import { ensureUiBuilt, launchBrowser } from '../helpers/browser.js';
import { createSessionModule } from '../../apps/agent/src/session/module.js';

/**
 * Issue 20 item 5: a web page elsewhere (DNS rebinding, framing) must not be able to read the
 * per-boot token, /healthz or /metrics, and the real built UI must run under the strict CSP.
 */
let agent: Agent;
let port: number;
let uiDir: string;

beforeAll(async () => {
  uiDir = ensureUiBuilt();
  agent = await startAgent(testConfig(), { logger: silentLogger(), uiDir, modules: [createSessionModule] });
  port = Number(new URL(agent.url).port);
});
afterAll(async () => {
  await agent?.stop();
});

/** GET with a chosen Host header (fetch would always send the URL's). */
function get(
  path: string,
  host: string | null,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (host !== null) headers.host = host;
    const req = request({ host: '127.0.0.1', port, path, headers, setHost: host === null ? false : undefined }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('agent HTTP against other web pages', () => {
  it.each(['/', '/healthz', '/metrics', '/index.html', '/assets/nothing.js', '/api/session/preview/x'])(
    'refuses %s when the Host header names another site (DNS rebinding)',
    async (path) => {
      for (const host of [`evil.example:${port}`, 'evil.example', `127.0.0.1.evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
        const r = await get(path, host);
        expect(r.status, host).toBe(421);
        expect(r.body).not.toContain(agent.token);
        expect(r.body).not.toContain('kioskId');
      }
      // Node itself answers 400 to an HTTP/1.1 request without Host.
      expect([400, 421]).toContain((await get(path, null)).status);
    },
  );

  it('answers its own host names', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await get('/healthz', host)).status, host).toBe(200);
    }
  });

  it('sends a strict Content-Security-Policy with frame-ancestors none on the page and on every other answer', async () => {
    for (const path of ['/', '/healthz', '/nope']) {
      const r = await get(path, `127.0.0.1:${port}`);
      const csp = String(r.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(csp).toMatch(/object-src 'none'/);
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves the page with the token at / only; unknown paths are 404 without it', async () => {
    const page = await get('/', `127.0.0.1:${port}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<meta name="kiosk-token" content="${agent.token}">`);
    for (const path of ['/some/client/route', '/staff', '/healthz/x', '/metrics.txt', '/.env', '/api/nope']) {
      const r = await get(path, `127.0.0.1:${port}`);
      expect(r.status, path).toBe(404);
      expect(r.body, path).not.toContain(agent.token);
    }
  });

  it('refuses a WebSocket whose Host is not the agent’s even with the right Origin and token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/xfs4iot/v1.0?token=${agent.token}`, {
      origin: agent.url,
      headers: { host: `evil.example:${port}` },
    });
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
      ws.once('error', () => resolve(0));
    });
    ws.terminate();
    expect(status).toBe(421);
  });
});

describe('the built UI under the CSP', () => {
  it('has no inline script, inline event handler or javascript: URL in its page', () => {
    const html = readFileSync(join(uiDir, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  let browser: BrowserContext | undefined;
  afterAll(async () => {
    await browser?.close();
  });

  it('loads and connects in Chromium with no CSP violation, and cannot be framed', async () => {
    browser = await launchBrowser({ width: 1080, height: 1920 });
    const page = await browser.newPage();
    await page.addInitScript(() => {
      const w = window as unknown as { cspViolations: string[] };
      w.cspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    await page.goto(agent.url);
    await page.waitForSelector('[data-testid^="screen-"]:not([data-testid="screen-loading"])');
    await expect.poll(() => agent.ws.connectionCount(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);

    // A page elsewhere that frames the kiosk UI gets an empty (error) frame, never the page.
    // The framer is local too (another port = another origin), so private-network rules don't block it first.
    const framer = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<iframe id="f" src="${agent.url}/" onload="window.framed = true"></iframe>`);
    });
    await new Promise<void>((r) => framer.listen(0, '127.0.0.1', () => r()));
    const other = await browser.newPage();
    await other.goto(`http://localhost:${(framer.address() as { port: number }).port}/`);
    await other.waitForFunction(() => (window as unknown as { framed?: boolean }).framed === true);
    framer.close();
    const frame = other.frames().find((f) => f !== other.mainFrame());
    expect(frame).toBeDefined();
    const framedToken = await frame!
      .evaluate(() => document.querySelector('meta[name="kiosk-token"]')?.getAttribute('content') ?? null)
      .catch(() => null);
    expect(framedToken).toBeNull();
  }, 60_000);
});
