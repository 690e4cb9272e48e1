import express, { type Express, type NextFunction, type Request, type Response, type Router } from 'express';
import type { SimulatedDevice } from './simulated-device.js';

/** The simulator control API: `GET /` lists devices and their state; each device adds routes. */
export function createControlApp(devices: readonly SimulatedDevice[], extra: readonly Router[] = []): Express {
  const app = express();
  app.use(express.json({ limit: '256kb' }));
  app.get('/', (_req, res) => {
    res.json({
      devices: devices.map((d) => ({ name: d.name, agentPath: d.agentPath, state: d.state() })),
    });
  });
  for (const d of devices) app.use(`/${d.name}`, d.router());
  // Routes that settle things outside a device, e.g. sandbox payments (/payments).
  for (const r of extra) app.use(r);
  app.use((_req, res) => {
    res.status(404).json({ error: 'no such route' });
  });
  // Express 5 passes JSON parse errors and thrown handler errors here.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    res.status(status).json({ error: err.type === 'entity.parse.failed' ? 'body is not valid JSON' : err.message });
  });
  return app;
}
