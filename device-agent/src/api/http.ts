import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';

export interface HttpAppOptions {
  /** Built UI (kiosk-ui/dist). */
  uiDir: string;
  token: string;
  health: () => Record<string, unknown>;
  /** False while modules are still starting (e.g. gas recovery): /healthz answers 503 `starting`. */
  ready: () => boolean;
  logger: Logger;
  /** Extra routes mounted before the UI fallback (metrics, device maintenance …). */
  extend?: (app: Express) => void;
}

/** Puts the per-boot token in the page so only the page the agent served can open the WebSocket. */
export function injectToken(html: string, token: string): string {
  const tag = `<meta name="kiosk-token" content="${token}">`;
  return html.includes('</head>') ? html.replace('</head>', `${tag}</head>`) : tag + html;
}

export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
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
  app.get('/', sendIndex);
  // Vite puts content-hashed files in assets/: cache them forever; the rest revalidates.
  app.use('/assets', express.static(join(opts.uiDir, 'assets'), { immutable: true, maxAge: '1y' }));
  app.use(express.static(opts.uiDir, { index: false }));
  // Client-side routes reload into the SPA; unknown API paths stay 404 JSON.
  app.get('/api/{*rest}', (_req, res) => {
    res.status(404).json({ error: 'no such route' });
  });
  app.get('/{*splat}', sendIndex);
  app.use((err: Error & { status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) opts.logger.error({ err }, 'http handler failed');
    res.status(status).json({ error: status === 500 ? 'internal error' : err.message });
  });
  return app;
}
