import express, { type Express, type Request, type Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceErrorHandler, serviceNotFound, type Logger } from '@kiosk/platform';

export interface HttpAppOptions {
  /** Built UI (apps/kiosk-ui/dist). */
  uiDir: string;
  token: string;
  health: () => Record<string, unknown>;
  /** False while modules are still starting (e.g. gas recovery): /healthz answers 503 `starting`. */
  ready: () => boolean;
  logger: Logger;
  /** Extra routes mounted before the UI fallback (metrics, device maintenance …). */
  extend?: (app: Express) => void;
  /**
   * Host names the agent answers to (see `hostAllowed`); anything else is refused, so a page on a
   * rebinding domain that resolves to this machine cannot read the token, /healthz or /metrics.
   */
  allowedHosts: readonly string[];
}

/**
 * True when a Host header names one of the agent's own host names on the port the request came
 * in on. No Host at all (HTTP/1.0 tools) is refused too: browsers always send one.
 */
export function hostAllowed(host: string | undefined, localPort: number | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  let u: URL;
  try {
    u = new URL(`http://${host}`);
  } catch {
    return false;
  }
  if (u.username || u.password || u.pathname !== '/' || u.search) return false;
  const port = u.port === '' ? 80 : Number(u.port);
  return port === localPort && allowed.includes(u.hostname.toLowerCase());
}

/**
 * Scripts only from the agent's own files (the built UI has no inline script: a test checks);
 * inline style attributes stay allowed for Preact's style props and the payment QR's SVG.
 * The WebSocket is named with the host the page was loaded from (already on the allow-list).
 */
function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    // Voice prompts are WAVs fetched from the agent and played from blob: URLs (apps/kiosk-ui/src/voice.ts).
    "media-src 'self' blob:",
    `connect-src 'self' ws://${host}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Puts the per-boot token in the page so only the page the agent served can open the WebSocket. */
function injectToken(html: string, token: string): string {
  const tag = `<meta name="kiosk-token" content="${token}">`;
  return html.includes('</head>') ? html.replace('</head>', `${tag}</head>`) : tag + html;
}

export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  const allowedHosts = opts.allowedHosts.map((h) => h.toLowerCase());
  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    const host = req.headers.host;
    if (!hostAllowed(host, req.socket.localPort, allowedHosts)) {
      res.status(421).type('text/plain; charset=utf-8').send('Misdirected request: unknown Host\n');
      return;
    }
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(host!));
    next();
  });
  app.get('/healthz', (_req, res) => {
    if (!opts.ready()) {
      res.status(503).json({ status: 'starting' });
      return;
    }
    res.json({ status: 'ok', ...opts.health() });
  });
  opts.extend?.(app);

  const indexFile = join(opts.uiDir, 'index.html');
  const sendIndex = (_req: Request, res: Response): void => {
    if (!existsSync(indexFile)) {
      res.status(503).type('text/plain; charset=utf-8').send('Kiosk UI is not built: run `npm run build:ui`.\n');
      return;
    }
    // Read per request: cheap, and a rebuilt UI is picked up without restarting the agent.
    const html = injectToken(readFileSync(indexFile, 'utf8'), opts.token);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(html);
  };
  // The UI routes by hash (#gallery), so the page (and its token) is served at / only.
  app.get(['/', '/index.html'], sendIndex);
  // Vite puts content-hashed files in assets/: cache them forever; the rest revalidates.
  app.use('/assets', express.static(join(opts.uiDir, 'assets'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(opts.uiDir, { index: false }));
  // Anything else is 404: JSON under /api, plain text elsewhere, never the page with the token.
  app.use('/api', serviceNotFound);
  app.use((_req, res) => {
    res.status(404).type('text/plain; charset=utf-8').send('Not found\n');
  });
  app.use(serviceErrorHandler(opts.logger));
  return app;
}
